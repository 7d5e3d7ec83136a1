#include "mail/mail_address.h"

#include <arpa/inet.h>

#include <algorithm>

#include <fmt/format.h>

#include "mail/quoted_input.h"

namespace faxgate::mail {
namespace {

constexpr size_t kMaxLocalPart = 64;
// With the angle brackets. It also keeps the domain under RFC 5321's 255 octets.
constexpr size_t kMaxPath = 256;
constexpr size_t kMaxLabel = 63;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

Error Bad(std::string_view text, std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("\"{}\" is not a mail address: {}", QuoteInput(text), why));
}

// RFC 5322 atext, plus '.' of a dot-atom and UTF-8 (RFC 6531).
bool IsAtomChar(char c) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~.";
  return IsAsciiAlnum(c) || kSpecials.find(c) != std::string_view::npos ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7F;
}

// Position of the first `wanted` outside quoted strings, or npos.
size_t FindUnquoted(std::string_view s, char wanted, size_t from = 0) {
  bool quoted = false;
  for (size_t i = from; i < s.size(); ++i) {
    if (quoted && s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (!quoted && s[i] == wanted) {
      return i;
    }
  }
  return std::string_view::npos;
}

// "\"Zhang \\\"San\\\"\"" -> Zhang "San"; text without surrounding quotes stays as it is.
std::string Unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

struct Parts {
  std::string_view addr_spec;
  std::string display_name;
};

// Separates the display name from the address: "Name <a@b>", "a@b (Name)" or a bare "a@b".
Result<Parts> SplitDisplayName(std::string_view text, std::string_view s) {
  Parts parts{s, ""};
  const size_t lt = FindUnquoted(s, '<');
  if (lt != std::string_view::npos) {
    const size_t gt = FindUnquoted(s, '>', lt);
    if (gt == std::string_view::npos) return Bad(text, "the '<' is not closed by '>'");
    if (!Trim(s.substr(gt + 1)).empty()) return Bad(text, "there is text after the '>'");
    parts.addr_spec = Trim(s.substr(lt + 1, gt - lt - 1));
    parts.display_name = Unquote(Trim(s.substr(0, lt)));
    return parts;
  }
  if (FindUnquoted(s, '>') != std::string_view::npos) return Bad(text, "a '>' without '<'");
  if (!s.empty() && s.back() == ')') {  // the old "a@b (Name)" form
    const size_t open = FindUnquoted(s, '(');
    if (open != std::string_view::npos) {
      parts.addr_spec = Trim(s.substr(0, open));
      parts.display_name = std::string(Trim(s.substr(open + 1, s.size() - open - 2)));
    }
  }
  return parts;
}

// The local part up to its '@': a quoted string or a dot-atom. Sets *at to the '@'.
Result<std::string> ParseLocalPart(std::string_view text, std::string_view spec, size_t* at) {
  std::string local;
  if (!spec.empty() && spec.front() == '"') {
    size_t i = 1;
    for (; i < spec.size() && spec[i] != '"'; ++i) {
      if (spec[i] == '\\' && i + 1 < spec.size()) ++i;
      if (IsControl(spec[i])) return Bad(text, "the quoted part has a control character");
      local += spec[i];
    }
    if (i >= spec.size()) return Bad(text, "the quote before '@' is not closed");
    if (i + 1 >= spec.size() || spec[i + 1] != '@') {
      return Bad(text, "a quoted part before '@' must be followed by '@'");
    }
    *at = i + 1;
  } else {
    *at = spec.find('@');
    if (*at == std::string_view::npos) return Bad(text, "no '@'");
    local = std::string(spec.substr(0, *at));
    for (char c : local) {
      if (!IsAtomChar(c)) {
        return Bad(text, IsControl(c) ? std::string("the part before '@' has a control character")
                                      : fmt::format("the part before '@' has '{}', which is only "
                                                    "allowed inside quotes",
                                                    QuoteInput(std::string_view(&c, 1))));
      }
    }
  }
  if (local.empty()) return Bad(text, "nothing before '@'");
  if (*at > kMaxLocalPart) {
    return Bad(text,
               fmt::format("the part before '@' is longer than {} characters", kMaxLocalPart));
  }
  return local;
}

// "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 4.1.3).
bool IsAddressLiteral(std::string_view d) {
  if (d.size() < 3 || d.front() != '[' || d.back() != ']') return false;
  std::string inner(d.substr(1, d.size() - 2));
  unsigned char buf[16];
  if (Lower(inner.substr(0, 5)) == "ipv6:") return inet_pton(AF_INET6, inner.c_str() + 5, buf) == 1;
  return inet_pton(AF_INET, inner.c_str(), buf) == 1;
}

Status CheckDomain(std::string_view text, std::string_view domain) {
  if (domain.empty()) return Bad(text, "nothing after '@'");
  if (domain.front() == '[') {
    if (!IsAddressLiteral(domain)) return Bad(text, "the address in [ ] is not an IP address");
    return Status::Ok();
  }
  size_t start = 0;
  while (true) {
    const size_t dot = domain.find('.', start);
    const std::string_view label = domain.substr(start, dot - start);
    if (label.empty()) return Bad(text, "the domain has an empty part (a dot at an end or '..')");
    if (label.size() > kMaxLabel) {
      return Bad(text, fmt::format("a part of the domain is longer than {} characters", kMaxLabel));
    }
    for (char c : label) {
      if (!IsAsciiAlnum(c) && c != '-' && c != '_' && static_cast<unsigned char>(c) < 0x80) {
        return Bad(text, IsControl(c) ? std::string("the domain has a control character")
                                      : fmt::format("the domain has '{}'",
                                                    QuoteInput(std::string_view(&c, 1))));
      }
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return Status::Ok();
}

}  // namespace

Result<MailAddress> ParseMailAddress(std::string_view text) {
  if (!IsValidUtf8(text)) return Bad(text, "it is not valid UTF-8 text");
  const std::string_view s = Trim(text);
  if (s.empty()) return Bad(text, "it is empty");
  FG_ASSIGN_OR_RETURN(Parts parts, SplitDisplayName(text, s));
  std::string_view spec = parts.addr_spec;
  if (!spec.empty() && spec.front() == '@') {  // source route "@relay1,@relay2:user@domain"
    const size_t colon = spec.find(':');
    if (colon == std::string_view::npos) return Bad(text, "nothing before '@'");
    spec = spec.substr(colon + 1);
  }
  if (spec.empty()) return Bad(text, "it is empty");
  if (spec.size() + 2 > kMaxPath) {
    return Bad(text, fmt::format("it is longer than the {} characters an SMTP path may have "
                                 "with its angle brackets",
                                 kMaxPath));
  }
  size_t at = 0;
  FG_ASSIGN_OR_RETURN(std::string local, ParseLocalPart(text, spec, &at));
  const std::string_view domain = spec.substr(at + 1);
  if (domain.find('@') != std::string_view::npos) return Bad(text, "it has more than one '@'");
  FG_RETURN_IF_ERROR(CheckDomain(text, domain));
  MailAddress out;
  out.local_part = std::move(local);
  out.domain = Lower(domain);
  out.display_name = std::move(parts.display_name);
  return out;
}

bool DomainMatches(std::string_view domain, const std::vector<std::string>& domains) {
  if (domain.empty()) return false;
  const std::string d = Lower(domain);
  return std::any_of(domains.begin(), domains.end(),
                     [&](const std::string& x) { return Lower(x) == d; });
}

}  // namespace faxgate::mail
