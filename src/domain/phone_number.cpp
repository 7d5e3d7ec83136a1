// The dial plan: numbers as users write them (REQUIREMENTS S4/S5) to E.164, a dial string, a
// call class and a display form.
//
// The forms, after spaces, tabs, dots and parentheses are dropped:
//   +CCNNN...          E.164; dashes are ignored. "(0)" is the trunk prefix some write after the
//                      country code ("+44 (0)20 ...") and is dropped.
//   C-A-N              country-area-number; A = 0: no area code; 0-0-N: internal number N.
//   A-N                area-number in the local country; A may carry the long-distance prefix.
//   D                  one group: international prefix + E.164, long-distance prefix + national
//                      number, or a subscriber number in the local area.
// Any of them may end in an extension: the separator (or "ext."), then DTMF digits.
#include "domain/phone_number.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace faxgate {
namespace {

constexpr size_t kMaxE164Digits = 15;       // ITU-T E.164: country code + national number
constexpr size_t kMaxWrittenDigits = 30;    // E.164 plus prefixes; more is not a number at all
constexpr size_t kMinSubscriberDigits = 3;  // shorter is a typo, not a fax line
constexpr size_t kMaxExtensionChars = 10;
constexpr size_t kMaxQuotedChars = 40;  // error messages quote at most this much input

// ITU-T E.164 country codes are prefix-free: 1 and 7 stand alone, these two-digit codes are
// whole, and every other code has three digits.
constexpr int kTwoDigitCountryCodes[] = {20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46,
                                         47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63,
                                         64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Characters that only make a number easier to read, wherever they stand.
bool IsFiller(char c) { return c == ' ' || c == '\t' || c == '.'; }
bool IsParen(char c) { return c == '(' || c == ')'; }

template <typename Pred>
std::string Without(std::string_view s, Pred drop) {
  std::string out;
  for (char c : s)
    if (!drop(c)) out += c;
  return out;
}

// "+44 (0)20": the "(0)" is the trunk prefix, dialled only from inside that country. Dropped
// only where digits follow, so a lone "(0)" part still means "no area code".
std::string DropTrunkZero(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.substr(i, 3) == "(0)" && i + 3 < s.size() && IsDigit(s[i + 3])) {
      i += 2;
      continue;
    }
    out += s[i];
  }
  return out;
}

// Removes prefix when something follows it; a bare prefix is left for the caller to judge.
std::string_view StripPrefix(std::string_view s, std::string_view prefix) {
  if (!prefix.empty() && s.size() > prefix.size() && s.starts_with(prefix))
    s.remove_prefix(prefix.size());
  return s;
}

// Length of the valid UTF-8 sequence s starts with, or 0. Follows the RFC 3629 table, so
// overlong forms and surrogates are invalid, as JSON encoders judge them.
size_t Utf8SequenceLength(std::string_view s) {
  auto byte = [s](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < len || byte(1) < lo || byte(1) > hi) return 0;
  for (size_t i = 2; i < len; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  return len;
}

// Text from the input as an error message may show it. The message travels in JSON and mail,
// which need valid text: control bytes and broken UTF-8 become \xNN, long input is cut short.
std::string Printable(std::string_view s) {
  std::string out;
  size_t i = 0;
  for (size_t shown = 0; i < s.size() && shown < kMaxQuotedChars; ++shown) {
    const auto b = static_cast<unsigned char>(s[i]);
    const size_t len = Utf8SequenceLength(s.substr(i));
    if (len == 0 || b < 0x20 || b == 0x7F) {
      out += fmt::format("\\x{:02X}", b);
      i += 1;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  if (i < s.size()) out += "...";
  return out;
}

// Number of leading digits of an E.164 number that are its country code; 0 if none can be.
size_t CountryCodeLength(std::string_view digits) {
  if (digits.empty() || digits[0] == '0') return 0;
  if (digits[0] == '1' || digits[0] == '7') return 1;
  if (digits.size() < 2) return 2;  // too short either way; the caller says so
  const int two = (digits[0] - '0') * 10 + (digits[1] - '0');
  return std::ranges::find(kTwoDigitCountryCodes, two) != std::end(kTwoDigitCountryCodes) ? 2 : 3;
}

// How the dial plan will call a number, before the checks all forms share.
struct Route {
  CallClass call_class = CallClass::kLocal;
  std::string country;     // empty for internal numbers
  std::string area;        // empty when there is none or it is not known
  std::string subscriber;  // the rest; for internal numbers the extension
  std::string dial;
};

// Marks where the extension starts: the plan's separator, in either case for a letter, or
// "ext"/"ext." as the display form writes it, so a displayed number can be pasted back.
struct ExtensionMarker {
  size_t pos = 0;
  size_t len = 0;
};

class NumberParser {
 public:
  NumberParser(std::string_view input, const DialPlan& plan) : input_(input), plan_(plan) {}

  Result<PhoneNumber> Parse() const;

 private:
  Error Refuse(std::string_view why) const;
  std::string Separator() const {
    // fmt rather than "'" + std::string: g++ 12 -O3 warns falsely (-Wrestrict) on the latter.
    return fmt::format("'{}'", Printable(std::string_view(&plan_.extension_separator, 1)));
  }

  Status SplitExtension(std::string_view* number, std::string* extension) const;
  size_t MarkerLengthAt(size_t pos) const;
  Result<std::string> ParseExtension(std::string_view text) const;
  Status CheckCharacters(std::string_view text) const;

  Result<Route> ParseNumber(std::string_view text) const;
  Result<Route> ParsePlusForm(std::string_view text) const;
  Result<Route> ParseSegments(std::string_view text) const;
  Result<Route> ParseE164(std::string_view digits, std::string_view lead) const;
  Result<Route> ParseOneGroup(std::string_view digits) const;
  Result<Route> ParseAreaNumber(std::string_view area, std::string_view number) const;
  Result<Route> ParseCountryAreaNumber(std::string_view country, std::string_view area,
                                       std::string_view number) const;

  Route Local(std::string_view area, std::string_view number) const;
  Route National(std::string_view national) const;
  Route International(std::string_view country, std::string_view area,
                      std::string_view number) const;

  Status CheckRoute(const Route& route) const;
  Status CheckDialable(const Route& route) const;
  PhoneNumber ToPhoneNumber(const Route& route, const std::string& extension) const;

  std::string_view input_;
  const DialPlan& plan_;
};

Error NumberParser::Refuse(std::string_view why) const {
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("\"{}\" is not a fax number: {}", Printable(input_), why));
}

Result<PhoneNumber> NumberParser::Parse() const {
  if (std::all_of(input_.begin(), input_.end(), IsFiller)) return Refuse("it is empty");
  std::string_view number;
  std::string extension;
  FG_RETURN_IF_ERROR(SplitExtension(&number, &extension));
  if (!extension.empty() && std::all_of(number.begin(), number.end(), IsFiller))
    return Refuse(fmt::format("no number comes before the extension separator {}", Separator()));
  FG_RETURN_IF_ERROR(CheckCharacters(number));
  FG_ASSIGN_OR_RETURN(Route route, ParseNumber(number));
  if (route.call_class == CallClass::kInternal && !extension.empty())
    return Refuse("an internal number cannot have an extension");
  FG_RETURN_IF_ERROR(CheckRoute(route));
  return ToPhoneNumber(route, extension);
}

size_t NumberParser::MarkerLengthAt(size_t pos) const {
  std::string_view rest = input_.substr(pos);
  if (rest.size() >= 3 && Lower(rest[0]) == 'e' && Lower(rest[1]) == 'x' && Lower(rest[2]) == 't')
    return rest.size() > 3 && rest[3] == '.' ? 4 : 3;
  const char sep = plan_.extension_separator;
  return rest[0] == sep || (IsLetter(sep) && Lower(rest[0]) == Lower(sep)) ? 1 : 0;
}

Status NumberParser::SplitExtension(std::string_view* number, std::string* extension) const {
  std::vector<ExtensionMarker> markers;
  for (size_t pos = 0; pos < input_.size() && markers.size() < 2; ++pos) {
    const size_t len = MarkerLengthAt(pos);
    if (len == 0) continue;
    markers.push_back({pos, len});
    pos += len - 1;
  }
  if (markers.empty()) {
    *number = input_;
    return Status::Ok();
  }
  if (markers.size() > 1)
    return Refuse(fmt::format("it has more than one extension separator {}", Separator()));
  *number = input_.substr(0, markers[0].pos);
  FG_ASSIGN_OR_RETURN(*extension, ParseExtension(input_.substr(markers[0].pos + markers[0].len)));
  return Status::Ok();
}

// The extension is dialled as DTMF after the call connects, so '*' and '#' are fine there.
Result<std::string> NumberParser::ParseExtension(std::string_view text) const {
  std::string extension;
  for (char c : text) {
    if (IsFiller(c) || IsParen(c) || c == '-') continue;
    if (!IsDigit(c) && c != '*' && c != '#') {
      return Refuse(
          fmt::format("the extension after {} may only contain digits, '*' and '#'", Separator()));
    }
    extension += c;
  }
  if (extension.empty())
    return Refuse(fmt::format("nothing follows the extension separator {}", Separator()));
  if (extension.size() > kMaxExtensionChars) {
    return Refuse(fmt::format("the extension has {} characters; at most {} are allowed",
                              extension.size(), kMaxExtensionChars));
  }
  return extension;
}

Status NumberParser::CheckCharacters(std::string_view text) const {
  for (char c : text) {
    if (!IsDigit(c) && !IsFiller(c) && !IsParen(c) && c != '-' && c != '+') {
      return Refuse(
          fmt::format("only digits, spaces, dashes, '+' and the extension separator {} may be used",
                      Separator()));
    }
  }
  if (std::count(text.begin(), text.end(), '+') > 1) return Refuse("it has more than one '+'");
  const auto first =
      std::find_if(text.begin(), text.end(), [](char c) { return !IsFiller(c) && !IsParen(c); });
  if (text.find('+') != std::string_view::npos && (first == text.end() || *first != '+'))
    return Refuse("a '+' may only stand at the start");
  const size_t digits = std::count_if(text.begin(), text.end(), IsDigit);
  if (digits > kMaxWrittenDigits) {
    return Refuse(
        fmt::format("it has {} digits; a phone number has at most {}", digits, kMaxE164Digits));
  }
  return Status::Ok();
}

Result<Route> NumberParser::ParseNumber(std::string_view text) const {
  const std::string cleaned = Without(text, IsFiller);
  if (cleaned.find('+') != std::string::npos) return ParsePlusForm(cleaned);
  return ParseSegments(cleaned);
}

// "+" numbers are E.164 already: dashes and parentheses only group the digits.
Result<Route> NumberParser::ParsePlusForm(std::string_view text) const {
  const std::string grouped = Without(text, [](char c) { return c == '+' || c == '-'; });
  return ParseE164(Without(DropTrunkZero(grouped), IsParen), "'+'");
}

Result<Route> NumberParser::ParseSegments(std::string_view text) const {
  const size_t dashes = std::count(text.begin(), text.end(), '-');
  if (dashes > 2) {
    return Refuse(fmt::format(
        "it has {} parts separated by dashes; at most three (country-area-number) are allowed",
        dashes + 1));
  }
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t dash = text.find('-', start);
    std::string part(text.substr(start, dash - start));
    if (dashes == 2) part = DropTrunkZero(part);  // only a number with a country code has one
    parts.push_back(Without(part, IsParen));
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  if (parts.size() == 1 && parts[0].empty()) return Refuse("it has no digits");
  for (const auto& part : parts)
    if (part.empty()) return Refuse("a dash must stand between two groups of digits");
  if (parts.size() == 1) return ParseOneGroup(parts[0]);
  if (parts.size() == 2) return ParseAreaNumber(parts[0], parts[1]);
  return ParseCountryAreaNumber(parts[0], parts[1], parts[2]);
}

// digits: country code and national number; lead: what came before them, for messages.
Result<Route> NumberParser::ParseE164(std::string_view digits, std::string_view lead) const {
  if (digits.empty()) return Refuse(fmt::format("no country code follows {}", lead));
  if (digits.size() > kMaxE164Digits) {
    return Refuse(fmt::format("it has {} digits after {}; a phone number has at most {}",
                              digits.size(), lead, kMaxE164Digits));
  }
  const size_t cc_len = CountryCodeLength(digits);
  if (cc_len == 0) return Refuse("no country code starts with 0");
  if (digits.size() < cc_len) return Refuse(fmt::format("{} is not a whole country code", digits));
  if (digits.size() == cc_len)
    return Refuse(fmt::format("no number follows the country code {}", digits));
  const std::string_view country = digits.substr(0, cc_len);
  const std::string_view national = digits.substr(cc_len);
  if (country != plan_.country_code) return International(country, "", national);
  // "+86 0755 ...": the long-distance prefix is never part of a national number.
  return National(StripPrefix(national, plan_.long_distance_prefix));
}

Result<Route> NumberParser::ParseOneGroup(std::string_view digits) const {
  const std::string& ip = plan_.international_prefix;
  const std::string& ld = plan_.long_distance_prefix;
  if (!ip.empty() && digits.starts_with(ip))
    return ParseE164(digits.substr(ip.size()), fmt::format("the international prefix {}", ip));
  if (!ld.empty() && digits.starts_with(ld)) return National(digits.substr(ld.size()));
  return Local(plan_.area_code, digits);
}

// In the local country. "0" says there is no area code, as in S5's "852-0-999999". Otherwise the
// class comes from the digits the exchange will see, as for "+" numbers; the area as written
// is kept for display.
Result<Route> NumberParser::ParseAreaNumber(std::string_view area, std::string_view number) const {
  if (area == "0") return National(number);
  area = StripPrefix(area, plan_.long_distance_prefix);  // "0755-83235170"
  Route route = National(fmt::format("{}{}", area, number));
  if (route.call_class == CallClass::kDomestic) {
    route.area = area;
    route.subscriber = number;
  }
  return route;
}

Result<Route> NumberParser::ParseCountryAreaNumber(std::string_view country, std::string_view area,
                                                   std::string_view number) const {
  if (country == "0") {
    if (area != "0")
      return Refuse("country code 0 is only for internal numbers, written 0-0-number");
    if (number.size() > kMaxE164Digits) {
      return Refuse(fmt::format("the internal number has {} digits; at most {} are allowed",
                                number.size(), kMaxE164Digits));
    }
    return Route{CallClass::kInternal, "", "", std::string(number), std::string(number)};
  }
  country = StripPrefix(country, plan_.international_prefix);  // "0086-755-83235170"
  if (CountryCodeLength(country) != country.size())
    return Refuse(fmt::format("{} is not a country code", country));
  if (country == plan_.country_code) return ParseAreaNumber(area, number);
  return International(country, area == "0" ? "" : area, number);
}

Route NumberParser::Local(std::string_view area, std::string_view number) const {
  return Route{CallClass::kLocal, plan_.country_code, std::string(area), std::string(number),
               std::string(number)};
}

// A number in the local country without an area code written apart: local if it starts with
// ours (the area is then known for display), otherwise domestic.
Route NumberParser::National(std::string_view national) const {
  if (national.starts_with(plan_.area_code))
    return Local(plan_.area_code, national.substr(plan_.area_code.size()));
  return Route{CallClass::kDomestic, plan_.country_code, "", std::string(national),
               plan_.long_distance_prefix + std::string(national)};
}

Route NumberParser::International(std::string_view country, std::string_view area,
                                  std::string_view number) const {
  return Route{CallClass::kInternational, std::string(country), std::string(area),
               std::string(number),
               fmt::format("{}{}{}{}", plan_.international_prefix, country, area, number)};
}

Status NumberParser::CheckRoute(const Route& route) const {
  if (route.call_class == CallClass::kInternal) return Status::Ok();
  if (route.subscriber.size() < kMinSubscriberDigits) {
    return Refuse(fmt::format("the subscriber number '{}' is shorter than {} digits",
                              route.subscriber, kMinSubscriberDigits));
  }
  const size_t digits = route.country.size() + route.area.size() + route.subscriber.size();
  if (digits > kMaxE164Digits) {
    return Refuse(
        fmt::format("it has {} digits with the country code; a phone number has at most {}", digits,
                    kMaxE164Digits));
  }
  return CheckDialable(route);
}

// What follows the prefix the plan dials must not start with a prefix itself, or the exchange
// would place a different call than the class says: "755-00852999" would go abroad on a user
// who may only call locally.
Status NumberParser::CheckDialable(const Route& route) const {
  if (route.call_class == CallClass::kInternational) return Status::Ok();
  std::string_view rest = route.dial;
  if (route.call_class == CallClass::kDomestic)
    rest.remove_prefix(plan_.long_distance_prefix.size());
  const std::pair<std::string_view, std::string_view> prefixes[] = {
      {plan_.international_prefix, "international"}, {plan_.long_distance_prefix, "long-distance"}};
  for (const auto& [prefix, kind] : prefixes) {
    if (!prefix.empty() && rest.starts_with(prefix)) {
      return Refuse(fmt::format(
          "{} starts with the {} prefix {}; write the number without it, or as +country", rest,
          kind, prefix));
    }
  }
  return Status::Ok();
}

PhoneNumber NumberParser::ToPhoneNumber(const Route& route, const std::string& extension) const {
  PhoneNumber number;
  number.input = std::string(input_);
  number.call_class = route.call_class;
  number.dial_string = route.dial;
  number.extension = extension;
  if (route.call_class == CallClass::kInternal) {
    number.canonical = route.subscriber;
    number.display = "internal " + route.subscriber;
    return number;
  }
  number.canonical = fmt::format("+{}{}{}", route.country, route.area, route.subscriber);
  number.display = route.area.empty()
                       ? fmt::format("+{} {}", route.country, route.subscriber)
                       : fmt::format("+{} {} {}", route.country, route.area, route.subscriber);
  if (!extension.empty()) number.display += " ext. " + extension;
  return number;
}

bool HasRight(const CallRights& rights, CallClass call_class) {
  switch (call_class) {
    case CallClass::kInternal:
      return true;  // stays on this server; costs nothing
    case CallClass::kLocal:
      return rights.local;
    case CallClass::kDomestic:
      return rights.domestic;
    case CallClass::kInternational:
      return rights.international;
  }
  return false;
}

}  // namespace

Result<PhoneNumber> ParsePhoneNumber(std::string_view input, const DialPlan& plan) {
  return NumberParser(input, plan).Parse();
}

Status CheckCallRights(const PhoneNumber& number, const CallRights& rights) {
  if (HasRight(rights, number.call_class)) return Status::Ok();
  return MakeError(ErrorCode::kPermissionDenied,
                   fmt::format("you may not send faxes to {}: {} numbers are not allowed for your "
                               "account",
                               number.display, ToString(number.call_class)));
}

}  // namespace faxgate
