#include "mail/mail_address.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace faxgate::mail {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Error Bad(std::string_view text, std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("'{}' is not a mail address: {}", text.substr(0, 300), why));
}

}  // namespace

Result<MailAddress> ParseMailAddress(std::string_view text) {
  MailAddress out;
  std::string_view s = Trim(text);
  if (const size_t lt = s.rfind('<'); lt != std::string_view::npos && s.back() == '>') {
    std::string_view name = Trim(s.substr(0, lt));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    out.display_name = std::string(name);
    s = Trim(s.substr(lt + 1, s.size() - lt - 2));
  }
  if (s.size() > 256) return Bad(text, "longer than 256 characters");
  if (s.empty()) return Bad(text, "it is empty");
  std::string local;
  size_t i = 0;
  if (s[0] == '"') {  // quoted local part: "..."@domain, with \-escapes
    for (i = 1; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      local += s[i];
    }
    if (i >= s.size()) return Bad(text, "the quote is not closed");
    ++i;
    if (i >= s.size() || s[i] != '@') return Bad(text, "no '@' after the quoted part");
  } else {
    i = s.rfind('@');
    if (i == std::string_view::npos) return Bad(text, "no '@'");
    local = std::string(s.substr(0, i));
    for (unsigned char c : local) {
      if (c <= ' ' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' ||
          c == ':' || c == '\\' || c == '"' || c == '[' || c == ']' || c == 0x7f) {
        return Bad(text, "the part before '@' has a character that must be quoted");
      }
    }
  }
  std::string_view domain = s.substr(i + 1);
  if (local.empty()) return Bad(text, "nothing before '@'");
  if (local.size() > 64) return Bad(text, "the part before '@' is longer than 64 characters");
  if (domain.empty()) return Bad(text, "nothing after '@'");
  if (domain.size() > 255) return Bad(text, "the domain is longer than 255 characters");
  for (unsigned char c : domain) {
    if (!(std::isalnum(c) || c == '-' || c == '.' || c == '[' || c == ']' || c == ':' || c >= 0x80))
      return Bad(text, "the domain has a character domains cannot have");
  }
  out.local_part = std::move(local);
  out.domain = Lower(domain);
  return out;
}

bool DomainMatches(std::string_view domain, const std::vector<std::string>& domains) {
  const std::string d = Lower(domain);
  return std::any_of(domains.begin(), domains.end(),
                     [&](const std::string& x) { return Lower(x) == d; });
}

}  // namespace faxgate::mail
