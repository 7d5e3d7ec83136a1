#include "mail/gateway/mail_servers.h"

#include <fmt/format.h>

namespace faxgate::mail {
namespace {

Status CheckAdmin(const User& actor) {
  if (!IsAdmin(actor.role)) {
    return MakeError(ErrorCode::kPermissionDenied,
                     "only administrators may see or change the mail servers");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateMailServer(const MailServer& s) {
  auto bad = [&](std::string what) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("mail server '{}': {}", s.name, what));
  };
  if (s.name.empty() || s.name.size() > 64 ||
      s.name.find_first_of("/ \t\r\n") != std::string::npos) {
    return bad("give it a name of 1 to 64 characters without spaces or '/'");
  }
  if (s.protocol != "smtp" && s.protocol != "pop3" && s.protocol != "imap")
    return bad(fmt::format("protocol '{}': use smtp, pop3 or imap", s.protocol));
  if (s.host.empty() || s.host.find_first_of(" \t\r\n/") != std::string::npos)
    return bad("host is missing or has spaces");
  if (s.port < 0 || s.port > 65535) return bad(fmt::format("port {} is out of range", s.port));
  if (s.tls != "starttls" && s.tls != "implicit" && s.tls != "none")
    return bad(fmt::format("tls '{}': use starttls, implicit or none", s.tls));
  if (s.protocol != "smtp" && s.user.empty()) return bad("a mailbox needs the account name");
  return Status::Ok();
}

Result<std::vector<MailServer>> MailServers::List(const User& actor) {
  FG_RETURN_IF_ERROR(CheckAdmin(actor));
  return store_.ListMailServers();
}

Result<MailServer> MailServers::Put(const User& actor, MailServer server) {
  FG_RETURN_IF_ERROR(CheckAdmin(actor));
  FG_RETURN_IF_ERROR(ValidateMailServer(server));
  if (server.password.empty()) {
    FG_ASSIGN_OR_RETURN(std::vector<MailServer> existing, store_.ListMailServers());
    for (const MailServer& e : existing)
      if (e.name == server.name) server.password = e.password;
  }
  server.updated_at = clock_.Now();
  FG_RETURN_IF_ERROR(store_.PutMailServer(server));
  return server;
}

Status MailServers::Delete(const User& actor, const std::string& name) {
  FG_RETURN_IF_ERROR(CheckAdmin(actor));
  return store_.DeleteMailServer(name);
}

}  // namespace faxgate::mail
