#include "mail/smtp_command.h"

#include <cctype>

#include <fmt/format.h>

namespace faxgate::mail {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Error Syntax(std::string what) { return MakeError(ErrorCode::kInvalidArgument, std::move(what)); }

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "FROM:<a@b> SIZE=10" after the verb; `keyword` is "FROM" or "TO".
Status ParsePath(std::string_view rest, std::string_view keyword, SmtpCommand* out) {
  const std::string head = Upper(rest.substr(0, keyword.size() + 1));
  if (head != std::string(keyword) + ":") {
    return Syntax(fmt::format("write {} {}:<address>", out->verb, keyword));
  }
  rest.remove_prefix(keyword.size() + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);  // lenient: "FROM: <a>"
  if (rest.empty() || rest.front() != '<') {
    // Lenient: a bare address without brackets, as some old clients send.
    const size_t sp = rest.find(' ');
    out->path = std::string(rest.substr(0, sp));
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp);
    if (out->path.empty()) return Syntax("the address is missing");
  } else {
    size_t i = 1;
    bool quoted = false;
    std::string path;
    for (; i < rest.size(); ++i) {
      const char c = rest[i];
      if (c == '"') quoted = !quoted;
      if (c == '>' && !quoted) break;
      path += c;
    }
    if (i >= rest.size()) return Syntax("the address has no closing '>'");
    // A source route "@a,@b:user@host" is ignored (RFC 5321 4.1.2).
    if (!path.empty() && path[0] == '@') {
      const size_t colon = path.find(':');
      path = colon == std::string::npos ? "" : path.substr(colon + 1);
    }
    out->path = path;
    rest.remove_prefix(i + 1);
  }
  if (out->path.size() > 256) return Syntax("the address is longer than 256 characters");
  if (!out->path.empty()) {
    const size_t at = out->path.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == out->path.size())
      return Syntax(fmt::format("'{}' is not a mail address", out->path));
    if (at > 64 + 2) return Syntax("the part before '@' is longer than 64 characters");
    if (out->path.size() - at - 1 > 255) return Syntax("the domain is longer than 255 characters");
  }
  // ESMTP parameters.
  while (!rest.empty()) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    const size_t sp = rest.find(' ');
    std::string_view p = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp);
    const size_t eq = p.find('=');
    std::string key = Upper(p.substr(0, eq));
    if (key.empty()) return Syntax("a parameter has no name");
    std::string value = eq == std::string_view::npos ? "" : std::string(p.substr(eq + 1));
    if (key == "ENVID" || key == "ORCPT") value = DecodeXtext(value);
    out->params[key] = value;
  }
  return Status::Ok();
}

}  // namespace

std::string DecodeXtext(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+' && i + 2 < text.size()) {
      const int hi = Hex(text[i + 1]), lo = Hex(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

Result<SmtpCommand> ParseSmtpCommand(std::string_view line) {
  SmtpCommand c;
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  const size_t sp = line.find(' ');
  c.verb = Upper(line.substr(0, sp));
  if (c.verb.empty()) return Syntax("empty command");
  for (char ch : c.verb)
    if (!std::isalpha(static_cast<unsigned char>(ch))) return Syntax("the command is not a word");
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  c.argument = std::string(rest);
  if (c.verb == "MAIL") FG_RETURN_IF_ERROR(ParsePath(rest, "FROM", &c));
  if (c.verb == "RCPT") FG_RETURN_IF_ERROR(ParsePath(rest, "TO", &c));
  return c;
}

}  // namespace faxgate::mail
