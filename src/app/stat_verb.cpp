// faxgate stat [-s] [-d] [-r] [--json]: server status, then the send queue, the done queue and
// the received faxes, in faxstat's columns.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/faxstat_format.h"
#include "app/verbs.h"
#include "http/url.h"

namespace faxgate {
namespace {

Result<nlohmann::json> GetJson(http::HttpClient& c, const std::string& path) {
  FG_ASSIGN_OR_RETURN(auto r, Expect2xx(c.Get(path)));
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded())
    return MakeError(ErrorCode::kInternal, "the server sent something that is not JSON");
  return j;
}

void PrintSection(const char* header, const nlohmann::json& faxes, bool received, TimePoint now,
                  bool* first) {
  if (faxes.empty()) return;  // faxstat prints nothing for an empty listing
  if (!*first) std::cout << "\n";
  *first = false;
  std::cout << header << "\n";
  for (const auto& f : faxes)
    std::cout << (received ? FormatReceivedRow(f, now) : FormatJobRow(f, now)) << "\n";
}

}  // namespace

int RunStat(const ClientFlags& cf, const StatFlags& f) {
  auto client = ConnectClient(cf);
  if (!client.ok()) return ReportError(client.error());
  auto lines = GetJson(**client, "/api/v1/lines");
  if (!lines.ok()) return ReportError(lines.error());
  nlohmann::json out = {{"lines", (*lines)["lines"]}};
  if (f.queue) {
    auto q = GetJson(
        **client,
        "/api/v1/"
        "faxes?direction=outbound&status=preparing,scheduled,queued,sending,retrying&limit=500");
    if (!q.ok()) return ReportError(q.error());
    out["queue"] = (*q)["faxes"];
  }
  if (f.done) {
    auto d = GetJson(
        **client, "/api/v1/faxes?direction=outbound&status=succeeded,failed,cancelled&limit=500");
    if (!d.ok()) return ReportError(d.error());
    out["done"] = (*d)["faxes"];
  }
  if (f.received) {
    auto r = GetJson(**client, "/api/v1/faxes?direction=inbound&limit=500");
    if (!r.ok()) return ReportError(r.error());
    out["received"] = (*r)["faxes"];
  }
  if (cf.json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::string server = cf.server.empty() ? "localhost" : cf.server;
  std::cout << fmt::format("faxgate scheduler on {}: Running\n", server);
  for (const auto& l : out["lines"]) {
    int active = l.value("active_calls", 0);
    const std::string state = l.value("state", "");
    const std::string detail = l.value("detail", "");
    std::cout << fmt::format("Line {} ({} channels): {}\n", l.value("trunk", ""),
                             l.value("channels", 0),
                             state == "registering" ? std::string("Registering")
                             : state != "up"        ? "Down" + (detail.empty() ? "" : ": " + detail)
                             : active == 0          ? "Running and idle"
                                           : fmt::format("Running, {} calls active", active));
  }
  const TimePoint now = SystemClock().Now();
  bool first = false;
  std::cout << "\n";
  first = true;
  if (f.queue) PrintSection(kJobHeader, out["queue"], false, now, &first);
  if (f.done) PrintSection(kJobHeader, out["done"], false, now, &first);
  if (f.received) PrintSection(kReceivedHeader, out["received"], true, now, &first);
  return 0;
}

}  // namespace faxgate
