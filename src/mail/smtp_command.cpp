#include "mail/smtp_command.h"

#include <algorithm>

#include <fmt/format.h>

namespace faxgate::mail {
namespace {

// RFC 5321 4.5.3.1: local part 64, domain 255, path (with its < >) 256 octets.
constexpr size_t kLocalPartMax = 64;
constexpr size_t kDomainMax = 255;
constexpr size_t kPathMax = 256;
constexpr size_t kEnvidMax = 100;  // RFC 3461 4.4
constexpr size_t kOrcptMax = 500;  // RFC 3461 4.2

SmtpSyntaxError Refuse(int code, std::string enhanced, std::string message) {
  return SmtpSyntaxError{code, std::move(enhanced), std::move(message)};
}
SmtpSyntaxError BadArgument(std::string message) {
  return Refuse(501, "5.5.4", std::move(message));
}

bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpperHex(char c) { return IsDigit(c) || (c >= 'A' && c <= 'F'); }
bool IsHighBit(char c) { return static_cast<unsigned char>(c) >= 0x80; }
bool IsPrintable(char c) { return c > ' ' && c < 0x7f; }  // RFC 5321 %d33-126

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && Upper(s.substr(0, prefix.size())) == prefix;
}

// RFC 3461 4 xtext: "+" and two upper-case hex digits stand for one octet. A "+" that does not
// start such a pair is kept as it is: clients that never heard of xtext send "FAX=+1-555..."
// raw. (src/mail/xtext.* is the codec for what we send; this reads what others send.)
std::string DecodeXtext(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+' && i + 2 < text.size() && IsUpperHex(text[i + 1]) &&
        IsUpperHex(text[i + 2])) {
      auto nibble = [](char c) { return IsDigit(c) ? c - '0' : c - 'A' + 10; };
      out += static_cast<char>(nibble(text[i + 1]) * 16 + nibble(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// RFC 5321 4.1.2 Dot-string characters (atext and "."), and UTF-8 for SMTPUTF8 (RFC 6531).
// Dots are not checked for placement: "a..b" is refused by nobody else either.
bool IsDotStringChar(char c) {
  if (IsAlpha(c) || IsDigit(c) || IsHighBit(c)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
}

// Quoted-string: qtextSMTP (%d32-33 / %d35-91 / %d93-126, UTF-8) or a quoted pair.
bool IsQuotedString(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      if (i + 2 >= s.size() || s[i + 1] < ' ' || s[i + 1] == 0x7f) return false;
      ++i;
    } else if (c == '"' || (!IsHighBit(c) && (c < ' ' || c == 0x7f))) {
      return false;
    }
  }
  return true;
}

// A domain name (letters, digits, "-", and "_" which real hosts use; U-labels under SMTPUTF8)
// or an address literal such as [192.0.2.1] or [IPv6:...].
bool IsDomain(std::string_view d) {
  if (d.empty()) return false;
  if (d.front() == '[') {
    if (d.size() < 3 || d.back() != ']') return false;
    return std::all_of(d.begin() + 1, d.end() - 1,
                       [](char c) { return IsPrintable(c) && c != '[' && c != ']' && c != '\\'; });
  }
  size_t label = 0;
  for (char c : d) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (IsAlpha(c) || IsDigit(c) || IsHighBit(c) || c == '-' || c == '_') {
      ++label;
    } else {
      return false;
    }
  }
  return label > 0;
}

// Finds the '@' that separates local part and domain: the last one outside quotes.
size_t SplitAt(std::string_view mailbox) {
  size_t at = std::string_view::npos;
  bool quoted = false;
  for (size_t i = 0; i < mailbox.size(); ++i) {
    if (quoted && mailbox[i] == '\\') {
      ++i;
    } else if (mailbox[i] == '"') {
      quoted = !quoted;
    } else if (mailbox[i] == '@' && !quoted) {
      at = i;
    }
  }
  return at;
}

// The path of MAIL FROM: or RCPT TO:, up to the parameters. `rest` is left at what follows.
std::optional<SmtpSyntaxError> ParsePath(std::string_view* rest, bool sender, std::string* path) {
  const std::string enhanced = sender ? "5.1.7" : "5.1.3";  // RFC 3463: bad sender / recipient
  auto bad = [&](std::string message) { return Refuse(501, enhanced, std::move(message)); };
  std::string_view r = *rest;
  while (!r.empty() && r.front() == ' ') r.remove_prefix(1);  // "MAIL FROM: <a@b>"
  std::string_view inner;
  if (!r.empty() && r.front() == '<') {
    size_t i = 1;
    bool quoted = false;
    for (; i < r.size(); ++i) {
      if (quoted && r[i] == '\\') {
        ++i;
      } else if (r[i] == '"') {
        quoted = !quoted;
      } else if (r[i] == '>' && !quoted) {
        break;
      }
    }
    if (i >= r.size()) return bad("the address has no closing '>'");
    inner = r.substr(1, i - 1);
    r.remove_prefix(i + 1);
    if (!r.empty() && r.front() != ' ')
      return bad("write a space between the address and '" + std::string(r.substr(0, 20)) + "'");
  } else {
    // Without < >, as some old clients send it: the address is the first word.
    const size_t sp = r.find(' ');
    inner = r.substr(0, sp);
    r = sp == std::string_view::npos ? std::string_view() : r.substr(sp);
    if (inner.empty()) return bad(sender ? "write MAIL FROM:<address>" : "write RCPT TO:<address>");
  }
  if (inner.size() + 2 > kPathMax) {
    return bad(fmt::format("the address is longer than {} characters", kPathMax - 2));
  }
  // A source route "@a,@b:user@host" is accepted and ignored (RFC 5321 4.1.2, C.).
  if (!inner.empty() && inner.front() == '@') {
    const size_t colon = inner.find(':');
    if (colon == std::string_view::npos) return bad("the source route has no ':'");
    inner.remove_prefix(colon + 1);
  }
  *rest = r;
  *path = std::string(inner);
  if (inner.empty()) {
    if (sender) return std::nullopt;  // MAIL FROM:<>, the null sender of bounces
    return bad("the recipient address is empty");
  }
  // RFC 5321 4.1.1.3: "postmaster" without a domain must be accepted as a recipient.
  if (!sender && Upper(inner) == "POSTMASTER") return std::nullopt;
  const size_t at = SplitAt(inner);
  if (at == std::string_view::npos) return bad(fmt::format("'{}' has no '@domain'", inner));
  const std::string_view local = inner.substr(0, at), domain = inner.substr(at + 1);
  if (local.empty()) return bad(fmt::format("'{}' has nothing before the '@'", inner));
  if (local.size() > kLocalPartMax) {
    return bad(fmt::format("the part before '@' is longer than {} characters", kLocalPartMax));
  }
  if (domain.size() > kDomainMax) {
    return bad(fmt::format("the domain is longer than {} characters", kDomainMax));
  }
  const bool local_ok = local.front() == '"'
                            ? IsQuotedString(local)
                            : std::all_of(local.begin(), local.end(), IsDotStringChar);
  if (!local_ok) return bad(fmt::format("'{}' is not a valid mailbox name", local));
  if (!IsDomain(domain)) return bad(fmt::format("'{}' is not a valid domain", domain));
  return std::nullopt;
}

// One ESMTP parameter of MAIL (`sender`) or RCPT, checked and normalised.
std::optional<SmtpSyntaxError> ParseParam(std::string_view word, bool sender,
                                          std::map<std::string, std::string>* params) {
  const size_t eq = word.find('=');
  const std::string key = Upper(word.substr(0, eq));
  const bool has_value = eq != std::string_view::npos;
  const std::string_view raw = has_value ? word.substr(eq + 1) : std::string_view();
  if (key.empty() || !(IsAlpha(key[0]) || IsDigit(key[0])) ||
      !std::all_of(key.begin(), key.end(),
                   [](char c) { return IsAlpha(c) || IsDigit(c) || c == '-'; })) {
    return BadArgument(fmt::format("'{}' is not an ESMTP parameter", word.substr(0, 40)));
  }
  // RFC 5321 esmtp-value excludes "=", but "ORCPT=rfc822;FAX=..." is what clients send.
  if (!std::all_of(raw.begin(), raw.end(), [](char c) { return IsPrintable(c) || IsHighBit(c); })) {
    return BadArgument(fmt::format("the value of {} has control characters", key));
  }
  if (params->count(key)) return BadArgument(fmt::format("{} is given twice", key));
  static const char* const kMailParams[] = {"SIZE", "BODY", "RET", "ENVID", "SMTPUTF8", "AUTH"};
  static const char* const kRcptParams[] = {"NOTIFY", "ORCPT"};
  const bool known =
      sender
          ? std::find(std::begin(kMailParams), std::end(kMailParams), key) != std::end(kMailParams)
          : std::find(std::begin(kRcptParams), std::end(kRcptParams), key) != std::end(kRcptParams);
  if (!known) {
    return Refuse(555, "5.5.4",
                  fmt::format("{} {} is not supported here", sender ? "MAIL" : "RCPT", key));
  }
  if (key == "SMTPUTF8") {
    if (has_value) return BadArgument("SMTPUTF8 takes no value");
    (*params)[key] = "";
    return std::nullopt;
  }
  if (raw.empty()) return BadArgument(fmt::format("{} needs a value: {}=...", key, key));
  std::string value;
  if (key == "SIZE") {
    if (raw.size() > 20 || !std::all_of(raw.begin(), raw.end(), IsDigit)) {
      return BadArgument("SIZE= takes the message size in octets");
    }
    value = std::string(raw);
  } else if (key == "BODY") {
    value = Upper(raw);
    if (value != "7BIT" && value != "8BITMIME") return BadArgument("BODY= takes 7BIT or 8BITMIME");
  } else if (key == "RET") {
    value = Upper(raw);
    if (value != "FULL" && value != "HDRS") return BadArgument("RET= takes FULL or HDRS");
  } else if (key == "ENVID") {
    if (raw.size() > kEnvidMax) {
      return BadArgument(fmt::format("ENVID= is longer than {} characters", kEnvidMax));
    }
    value = DecodeXtext(raw);
  } else if (key == "AUTH") {
    value = raw == "<>" ? std::string(raw) : DecodeXtext(raw);
  } else if (key == "NOTIFY") {
    value = Upper(raw);
    std::string_view list = value;
    bool never = false;
    size_t count = 0;
    while (true) {
      const size_t comma = list.find(',');
      const std::string_view item = list.substr(0, comma);
      if (item == "NEVER") {
        never = true;
      } else if (item != "SUCCESS" && item != "FAILURE" && item != "DELAY") {
        return BadArgument("NOTIFY= takes NEVER or a list of SUCCESS, FAILURE and DELAY");
      }
      ++count;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    if (never && count > 1) return BadArgument("NOTIFY=NEVER cannot be combined");
  } else if (key == "ORCPT") {
    const size_t semi = raw.find(';');
    const std::string_view type = raw.substr(0, semi);
    if (raw.size() > kOrcptMax || semi == std::string_view::npos || type.empty() ||
        semi + 1 == raw.size() || !std::all_of(type.begin(), type.end(), [](char c) {
          return IsAlpha(c) || IsDigit(c) || c == '-';
        })) {
      return BadArgument("ORCPT= takes type;address, e.g. ORCPT=rfc822;alice@example.com");
    }
    value = std::string(type) + ";" + DecodeXtext(raw.substr(semi + 1));
  }
  (*params)[key] = std::move(value);
  return std::nullopt;
}

std::optional<SmtpSyntaxError> ParseMailOrRcpt(SmtpCommand* c) {
  const bool sender = c->verb == "MAIL";
  const std::string_view keyword = sender ? "FROM:" : "TO:";
  std::string_view rest = c->argument;
  if (!StartsWithNoCase(rest, keyword)) {
    return BadArgument(sender ? "write MAIL FROM:<address>" : "write RCPT TO:<address>");
  }
  rest.remove_prefix(keyword.size());
  if (auto error = ParsePath(&rest, sender, &c->path)) return error;
  while (!rest.empty()) {
    const size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const size_t end = rest.find(' ');
    if (auto error = ParseParam(rest.substr(0, end), sender, &c->params)) return error;
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  return std::nullopt;
}

std::optional<SmtpSyntaxError> ParseAuth(SmtpCommand* c) {
  std::string_view rest = c->argument;
  const size_t sp = rest.find(' ');
  const std::string_view mechanism = rest.substr(0, sp);
  if (mechanism.empty() || mechanism.size() > 20 ||
      !std::all_of(mechanism.begin(), mechanism.end(),
                   [](char ch) { return IsAlpha(ch) || IsDigit(ch) || ch == '-' || ch == '_'; })) {
    return BadArgument("write AUTH <mechanism> [initial response]");
  }
  c->mechanism = Upper(mechanism);
  if (sp == std::string_view::npos) return std::nullopt;
  const std::string_view response = rest.substr(sp + 1);
  const bool base64 = std::all_of(response.begin(), response.end(), [](char ch) {
    return IsAlpha(ch) || IsDigit(ch) || ch == '+' || ch == '/' || ch == '=';
  });
  if (response.empty() || !base64) return BadArgument("the initial response is not base64");
  c->initial_response = std::string(response);
  return std::nullopt;
}

std::optional<SmtpSyntaxError> ParseHelo(const SmtpCommand& c) {
  if (c.argument.empty()) return BadArgument(fmt::format("write {} <your host name>", c.verb));
  if (c.argument.size() > kDomainMax ||
      !std::all_of(c.argument.begin(), c.argument.end(),
                   [](char ch) { return ch == ' ' || IsPrintable(ch) || IsHighBit(ch); })) {
    return BadArgument("that is not a host name");
  }
  return std::nullopt;
}

}  // namespace

ParsedSmtpCommand ParseSmtpCommand(std::string_view line) {
  // Trailing blanks are dropped: "DATA " is DATA.
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  if (line.empty()) return Refuse(500, "5.5.2", "empty command line");
  const size_t sp = line.find(' ');
  const std::string_view word = line.substr(0, sp);
  if (!std::all_of(word.begin(), word.end(), IsAlpha)) {
    return Refuse(500, "5.5.2", "that is not an SMTP command");
  }
  SmtpCommand c;
  c.verb = Upper(word);
  c.argument = sp == std::string_view::npos ? "" : std::string(line.substr(sp + 1));
  const std::string& v = c.verb;
  const size_t max = v == "AUTH"                  ? kSmtpAuthLineMax
                     : v == "MAIL" || v == "RCPT" ? kSmtpMailRcptLineMax
                                                  : kSmtpCommandLineMax;
  if (line.size() > max) return Refuse(500, "5.5.6", "command line too long");

  std::optional<SmtpSyntaxError> error;
  if (v == "MAIL" || v == "RCPT") {
    error = ParseMailOrRcpt(&c);
  } else if (v == "AUTH") {
    error = ParseAuth(&c);
  } else if (v == "EHLO" || v == "HELO") {
    error = ParseHelo(c);
  } else if (v == "DATA" || v == "RSET" || v == "QUIT" || v == "STARTTLS") {
    if (!c.argument.empty()) error = BadArgument(fmt::format("{} takes no argument", v));
  } else if (v != "NOOP" && v != "HELP" && v != "VRFY" && v != "EXPN") {
    error = Refuse(500, "5.5.1",
                   v.size() <= 20 ? fmt::format("command {} not recognized", v)
                                  : std::string("command not recognized"));
  }
  if (error) return std::move(*error);
  return c;
}

}  // namespace faxgate::mail
