// faxgate rm, recv get, user add|list|set, token create.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/verbs.h"
#include "base/files.h"

namespace faxgate {
namespace {

nlohmann::json UserBody(const UserFlags& f) {
  nlohmann::json b = nlohmann::json::object();
  if (!f.password.empty()) b["password"] = f.password;
  if (!f.role.empty()) b["role"] = f.role;
  if (!f.fax_number.empty()) b["fax_number"] = f.fax_number;
  if (!f.email.empty()) b["email"] = f.email;
  if (!f.full_name.empty()) b["full_name"] = f.full_name;
  if (f.international >= 0)
    b["rights"] = {{"local", true}, {"domestic", true}, {"international", f.international == 1}};
  if (f.disabled >= 0) b["disabled"] = f.disabled == 1;
  return b;
}

}  // namespace

int RunRemove(const ClientFlags& cf, const std::vector<std::string>& ids) {
  auto client = ConnectClient(cf);
  if (!client.ok()) return ReportError(client.error());
  int rc = 0;
  for (const auto& id : ids) {
    auto r = Expect2xx(
        (*client)->PostJson(fmt::format("/api/v1/faxes/{}/cancel", id), nlohmann::json::object()));
    if (!r.ok()) {
      rc = ReportError(r.error());
      continue;
    }
    std::cout << fmt::format("Job {} removed.\n", id);
  }
  return rc;
}

int RunRecvGet(const ClientFlags& cf, const std::string& id, const std::string& output,
               const std::string& format) {
  auto client = ConnectClient(cf);
  if (!client.ok()) return ReportError(client.error());
  std::string fmt_name = format;
  if (fmt_name.empty()) fmt_name = output.ends_with(".pdf") ? "pdf" : "tiff";
  auto r = Expect2xx((*client)->Get(fmt::format("/api/v1/faxes/{}/file?format={}", id, fmt_name)));
  if (!r.ok()) return ReportError(r.error());
  if (Status s = WriteFileAtomic(output, r->body); !s.ok()) return ReportError(s.error());
  std::cout << fmt::format("fax {} written to {} ({} bytes)\n", id, output, r->body.size());
  return 0;
}

int RunUserAdd(const ClientFlags& cf, const UserFlags& f) {
  auto client = ConnectClient(cf);
  if (!client.ok()) return ReportError(client.error());
  nlohmann::json body = UserBody(f);
  body["name"] = f.name;
  auto r = Expect2xx((*client)->PostJson("/api/v1/users", body));
  if (!r.ok()) return ReportError(r.error());
  auto j = nlohmann::json::parse(r->body);
  if (cf.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format("user {} created", f.name);
  if (j.contains("password"))
    std::cout << fmt::format(" with password {} (shown once)", j["password"].get<std::string>());
  std::cout << "\n";
  return 0;
}

int RunUserList(const ClientFlags& cf) {
  auto client = ConnectClient(cf);
  if (!client.ok()) return ReportError(client.error());
  auto r = Expect2xx((*client)->Get("/api/v1/users"));
  if (!r.ok()) return ReportError(r.error());
  auto j = nlohmann::json::parse(r->body);
  if (cf.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format("{:<16} {:<12} {:<12} {:<28} {}\n", "User", "Role", "Fax number",
                           "Email", "Rights");
  for (const auto& u : j["users"]) {
    const auto& rt = u["rights"];
    std::string rights = fmt::format("{}{}{}", rt.value("local", false) ? "local " : "",
                                     rt.value("domestic", false) ? "domestic " : "",
                                     rt.value("international", false) ? "international" : "");
    std::cout << fmt::format("{:<16} {:<12} {:<12} {:<28} {}\n", u.value("name", ""),
                             u.value("role", ""), u.value("fax_number", ""), u.value("email", ""),
                             rights);
  }
  return 0;
}

int RunUserSet(const ClientFlags& cf, const UserFlags& f) {
  auto client = ConnectClient(cf);
  if (!client.ok()) return ReportError(client.error());
  auto r = Expect2xx((*client)->Send("PATCH", fmt::format("/api/v1/users/{}", f.name),
                                     UserBody(f).dump(), "application/json"));
  if (!r.ok()) return ReportError(r.error());
  std::cout << fmt::format("user {} updated\n", f.name);
  return 0;
}

int RunTokenCreate(const ClientFlags& cf, const std::string& user, const std::string& name) {
  auto client = ConnectClient(cf);
  if (!client.ok()) return ReportError(client.error());
  nlohmann::json body = {{"name", name}};
  if (!user.empty()) body["user"] = user;
  auto r = Expect2xx((*client)->PostJson("/api/v1/tokens", body));
  if (!r.ok()) return ReportError(r.error());
  std::cout << nlohmann::json::parse(r->body)["token"].get<std::string>() << "\n";
  return 0;
}

}  // namespace faxgate
