// faxgate send -d NUMBER [-d ...] [-s SUBJECT] [-a TIME] [-P PRIORITY] [-t TRIES] [--wait] FILE...
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/verbs.h"
#include "base/files.h"

namespace faxgate {
namespace {

bool IsFinalStatus(const std::string& s) {
  return s == "succeeded" || s == "failed" || s == "cancelled";
}

// Polls each job until it has ended; prints one line per job; true when all succeeded.
Result<bool> WaitForJobs(http::HttpClient& client, const std::vector<int64_t>& ids) {
  bool all_ok = true;
  for (int64_t id : ids) {
    while (true) {
      FG_ASSIGN_OR_RETURN(auto r, Expect2xx(client.Get(fmt::format("/api/v1/faxes/{}", id))));
      auto j = nlohmann::json::parse(r.body);
      const std::string status = j.value("status", "");
      if (IsFinalStatus(status)) {
        std::cout << fmt::format("job {} to {}: {}: {}\n", id, j["to"].value("display", ""), status,
                                 j.value("status_text", ""));
        all_ok = all_ok && status == "succeeded";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  return all_ok;
}

}  // namespace

int RunSend(const ClientFlags& cf, const SendFlags& f) {
  if (f.numbers.empty())
    return ReportError(MakeError(ErrorCode::kInvalidArgument, "give a number with -d"));
  if (f.files.empty())
    return ReportError(MakeError(ErrorCode::kInvalidArgument, "give at least one file to send"));
  std::vector<http::FormPart> parts;
  for (const auto& n : f.numbers) parts.push_back({"to", "", "", n});
  for (const auto& path : f.files) {
    auto bytes = ReadFile(path);
    if (!bytes.ok()) {
      return ReportError(
          MakeError(ErrorCode::kInvalidArgument, fmt::format("cannot read {}", path)));
    }
    parts.push_back({"file", std::filesystem::path(path).filename().string(),
                     "application/octet-stream", std::move(*bytes)});
  }
  if (!f.subject.empty()) parts.push_back({"subject", "", "", f.subject});
  if (!f.recipient_name.empty()) parts.push_back({"recipient_name", "", "", f.recipient_name});
  if (!f.send_at.empty()) parts.push_back({"send_at", "", "", f.send_at});
  if (f.priority >= 0) parts.push_back({"priority", "", "", std::to_string(f.priority)});
  if (f.max_tries >= 0) parts.push_back({"max_tries", "", "", std::to_string(f.max_tries)});
  const std::pair<const char*, const std::string*> options[] = {{"resolution", &f.resolution},
                                                                {"paper", &f.paper},
                                                                {"halftone", &f.halftone},
                                                                {"cover", &f.cover},
                                                                {"cover_comments", &f.comments}};
  for (const auto& [name, value] : options)
    if (!value->empty()) parts.push_back({name, "", "", *value});

  auto client = ConnectClient(cf);
  if (!client.ok()) return ReportError(client.error());
  auto r = Expect2xx((*client)->PostMultipart("/api/v1/faxes", parts));
  if (!r.ok()) return ReportError(r.error());
  auto body = nlohmann::json::parse(r->body);
  std::vector<int64_t> ids;
  for (const auto& job : body["faxes"]) {
    ids.push_back(job["id"].get<int64_t>());
    if (cf.json) continue;
    std::cout << fmt::format("request id is {} (group id {}) for {}\n", job["id"].get<int64_t>(),
                             body["group_id"].get<int64_t>(), job["to"].value("display", ""));
  }
  if (cf.json) std::cout << body.dump(2) << "\n";
  if (!f.wait) return 0;
  auto ok = WaitForJobs(**client, ids);
  if (!ok.ok()) return ReportError(ok.error());
  return *ok ? 0 : 1;
}

}  // namespace faxgate
