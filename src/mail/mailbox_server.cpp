#include "mail/mailbox_server.h"

#include <cctype>

#include <fmt/format.h>

namespace faxgate::mail {

uint16_t EffectivePort(const MailboxServer& server) {
  if (server.port != 0) return server.port;
  const bool implicit = server.tls == "implicit";
  if (server.protocol == "pop3") return implicit ? 995 : 110;
  return implicit ? 993 : 143;
}

std::string ServerName(const MailboxServer& server) {
  const std::string scheme = server.protocol + (server.tls == "implicit" ? "s" : "");
  const bool ipv6 = server.host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}", scheme, ipv6 ? "[" : "", server.host, ipv6 ? "]" : "",
                     EffectivePort(server));
}

Status CheckServer(const MailboxServer& server) {
  auto bad = [&](const std::string& what) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("mailbox {}@{}: {}", server.user, server.host, what));
  };
  if (server.protocol != "imap" && server.protocol != "pop3")
    return bad(fmt::format("protocol \"{}\" is neither imap nor pop3", server.protocol));
  if (server.tls != "starttls" && server.tls != "implicit" && server.tls != "none")
    return bad(fmt::format("tls \"{}\" is none of starttls, implicit, none", server.tls));
  if (server.host.empty()) return bad("no host");
  // A name or an IP address; anything else would change the URL libcurl is given.
  for (char c : server.host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_' &&
        c != ':')
      return bad(fmt::format("\"{}\" is not a host name or IP address", server.host));
  }
  if (server.user.empty()) return bad("no user");
  // Names and passwords go into protocol lines: line breaks would inject commands.
  for (const std::string* s : {&server.host, &server.user, &server.password, &server.folder}) {
    if (s->find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
      return bad("a line break or NUL in the host, user, password or folder");
  }
  return Status::Ok();
}

}  // namespace faxgate::mail
