#include "mail/fax_address.h"

#include <vector>

#include <fmt/format.h>

#include "mail/quoted_input.h"

namespace faxgate::mail {
namespace {

constexpr int kMaxDigits = 40;         // OKI Internet Fax: "up to 40 digits"
constexpr size_t kMaxSubAddress = 20;  // ITU-T T.30: the SUB frame holds 20 characters

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

Error Bad(std::string_view local, std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("\"{}\" is not a fax address: {}", QuoteInput(local), why));
}

std::vector<std::string_view> SplitSlashes(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t slash = s.find('/', start);
    out.push_back(s.substr(start, slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

// The character at s[i] as a message shows it: "'x'", or "'\x01'" for bytes that do not print.
std::string ShownChar(std::string_view s, size_t i) {
  const size_t len = Utf8SequenceLength(s.substr(i));
  return fmt::format("'{}'", QuoteInput(s.substr(i, len == 0 ? 1 : len), 1));
}

// Reads the number part (after "FAX=" when present) into `out`; `selector` tells messages
// whether the local part said "FAX=".
Status ParseNumber(std::string_view local, std::string_view text, bool selector, std::string* out) {
  // A character that never belongs in a number is named first: "peter" is refused for its 't',
  // not for an 'e' standing where an extension marker may not.
  static constexpr std::string_view kNumberChars = "0123456789+-.*# \tPpEe";
  if (const size_t bad = text.find_first_not_of(kNumberChars); bad != std::string_view::npos) {
    return Bad(local, fmt::format("{} cannot be part of a fax number (write FAX=+1-555-1234 "
                                  "or the number alone)",
                                  ShownChar(text, bad)));
  }
  int digits = 0;
  bool extension = false;
  for (const char c : text) {
    if (IsDigit(c)) {
      ++digits;
      *out += c;
    } else if (c == ' ' || c == '\t') {
      // readers' spaces inside a quoted local part: dropped
    } else if (extension && (c == '*' || c == '#')) {
      *out += c;
    } else if (extension) {
      return Bad(local,
                 fmt::format("after 'E' only the extension's digits may follow, not '{}'", c));
    } else if (c == '+') {
      if (!out->empty()) return Bad(local, "a '+' may only stand at the start of the number");
      *out += c;
    } else if (c == '-' || c == '.') {
      if (!out->empty() && out->back() != '-' && out->back() != '+') *out += '-';
    } else if (c == '*' || c == '#') {
      *out += c;
    } else if (c == 'P' || c == 'p') {
      *out += 'P';
    } else {  // 'E' or 'e'
      if (digits == 0) return Bad(local, "the extension marker 'E' must follow the number");
      if (!out->empty() && out->back() == '-') out->pop_back();
      extension = true;
      *out += 'E';
    }
  }
  if (digits == 0) {
    return Bad(local, selector ? "no fax number after FAX=" : "there is no fax number in it");
  }
  if (digits > kMaxDigits) {
    return Bad(local, fmt::format("a fax number has at most {} digits; this one has {}", kMaxDigits,
                                  digits));
  }
  if (!out->empty() && out->back() == '-') out->pop_back();
  if (!out->empty() && out->back() == 'E') return Bad(local, "no extension digits after 'E'");
  return Status::Ok();
}

bool IsOptionNameChar(char c) {
  return IsDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
}

Status ParseOption(std::string_view local, std::string_view option, FaxAddress* out) {
  const size_t eq = option.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Bad(local, fmt::format("the option \"{}\" after the number is not KEY=VALUE",
                                  QuoteInput(option, 40)));
  }
  const std::string key = Upper(option.substr(0, eq));
  for (char c : key) {
    if (!IsOptionNameChar(c)) {
      return Bad(local, fmt::format("the option name \"{}\" may only hold letters, digits, '-' "
                                    "and '_'",
                                    QuoteInput(key, 40)));
    }
  }
  const std::string_view value = option.substr(eq + 1);
  if (key == "FAX") return Bad(local, "it names a fax number twice (FAX= may come only once)");
  if (key == "T33S") {
    if (!out->sub_address.empty()) return Bad(local, "the option T33S is given twice");
    if (value.empty()) return Bad(local, "no sub-address after /T33S=");
    for (char c : value)
      if (!IsDigit(c)) return Bad(local, "the sub-address after /T33S= must be digits");
    if (value.size() > kMaxSubAddress) {
      return Bad(local, fmt::format("the sub-address after /T33S= has more than {} digits",
                                    kMaxSubAddress));
    }
    out->sub_address = std::string(value);
    return Status::Ok();
  }
  if (!out->options.emplace(key, std::string(value)).second) {
    return Bad(local, fmt::format("the option {} is given twice", key));
  }
  return Status::Ok();
}

}  // namespace

Result<FaxAddress> ParseFaxLocalPart(std::string_view local) {
  for (char c : local) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) return Bad(local, "it has a control character");
  }
  std::string_view s = local;
  if (!s.empty() && s.front() == '/') s.remove_prefix(1);  // RFC 2304 "/FAX=.../"
  if (!s.empty() && s.back() == '/') s.remove_suffix(1);
  const std::vector<std::string_view> segments = SplitSlashes(s);
  std::string_view number = segments.front();
  bool selector = false;
  if (const size_t eq = number.find('='); eq != std::string_view::npos) {
    const std::string key = Upper(number.substr(0, eq));
    if (key != "FAX") {
      for (size_t k = 1; k < segments.size(); ++k) {
        if (Upper(segments[k].substr(0, 4)) == "FAX=") {
          return Bad(local, "the fax number must come first, as in FAX=+1-555-1234/T33S=12");
        }
      }
      return Bad(local, fmt::format("\"{}=\" is not a fax service selector; write FAX=<number>",
                                    QuoteInput(number.substr(0, eq), 20)));
    }
    number.remove_prefix(eq + 1);
    selector = true;
  }
  FaxAddress out;
  FG_RETURN_IF_ERROR(ParseNumber(local, number, selector, &out.number));
  for (size_t k = 1; k < segments.size(); ++k) {
    if (segments[k].empty()) continue;  // "FAX=123//T33S=4": an empty option says nothing
    FG_RETURN_IF_ERROR(ParseOption(local, segments[k], &out));
  }
  return out;
}

}  // namespace faxgate::mail
