#include "mail/subject_recipients.h"

#include <cctype>

#include <fmt/format.h>

namespace faxgate::mail {
namespace {

constexpr size_t kMaxRecipients = 100;

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Full-width separators typed with a Chinese input method become ASCII ones.
std::string Normalise(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    std::string_view rest = s.substr(i);
    if (rest.substr(0, 3) == "\xEF\xBC\x9B" || rest.substr(0, 3) == "\xEF\xBC\x8C") {  // ； ，
      out += ';';
      i += 2;
    } else if (rest.substr(0, 3) == "\xEF\xBC\x9A") {  // ：
      out += ':';
      i += 2;
    } else if (rest.substr(0, 3) == "\xEF\xBC\x8F") {  // ／
      out += '/';
      i += 2;
    } else if (s[i] == ',') {
      out += ';';
    } else {
      out += s[i];
    }
  }
  return out;
}

Error Bad(std::string why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("the subject cannot be read: {}. Write the recipients as "
                               "86-755-83235170/Name; 83235180/Name",
                               why));
}

bool IsNumberChar(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == ' ' ||
         c == 'E' || c == 'e';
}

}  // namespace

Result<ParsedSubject> ParseSubjectRecipients(std::string_view subject_utf8) {
  std::string s = Normalise(subject_utf8);
  ParsedSubject out;
  if (const size_t colon = s.rfind(':'); colon != std::string::npos) {
    std::string password = Trim(std::string_view(s).substr(colon + 1));
    if (password.empty()) return Bad("there is nothing after ':' where the password goes");
    out.password = password;
    s.resize(colon);
  }
  size_t start = 0;
  int index = 0;
  while (start <= s.size()) {
    size_t end = s.find(';', start);
    if (end == std::string::npos) end = s.size();
    std::string part = Trim(std::string_view(s).substr(start, end - start));
    start = end + 1;
    if (part.empty()) continue;
    ++index;
    SubjectRecipient r;
    std::string numbers = part.substr(0, part.find('/'));
    std::string names = numbers.size() < part.size() ? part.substr(numbers.size() + 1) : "";
    if (const size_t bar = numbers.find('|'); bar != std::string::npos) {
      r.account = Trim(std::string_view(numbers).substr(bar + 1));
      numbers.resize(bar);
      if (r.account.empty()) return Bad(fmt::format("recipient {} has '|' but no account", index));
    }
    if (const size_t bar = names.find('|'); bar != std::string::npos) {
      r.second_name = Trim(std::string_view(names).substr(bar + 1));
      names.resize(bar);
    }
    r.name = Trim(names);
    r.number = Trim(numbers);
    if (r.number.empty())
      return Bad(fmt::format("recipient {} (\"{}\") has no fax number", index, part));
    bool digit = false;
    for (char c : r.number) {
      if (!IsNumberChar(c)) {
        return Bad(fmt::format("recipient {}: \"{}\" is not a fax number", index, r.number));
      }
      digit |= std::isdigit(static_cast<unsigned char>(c)) != 0;
    }
    if (!digit) return Bad(fmt::format("recipient {}: \"{}\" has no digits", index, r.number));
    out.recipients.push_back(std::move(r));
    if (out.recipients.size() > kMaxRecipients) {
      return Bad(fmt::format("more than {} recipients", kMaxRecipients));
    }
  }
  if (out.recipients.empty()) return Bad("it names no recipients");
  return out;
}

std::string RedactSubjectPassword(std::string_view subject_utf8) {
  std::string s = Normalise(subject_utf8);
  const size_t colon = s.rfind(':');
  if (colon == std::string::npos) return std::string(subject_utf8);
  // Find the same position in the original: cut at its last ':' or '：'.
  std::string original(subject_utf8);
  const size_t ascii = original.rfind(':');
  const size_t wide = original.rfind("\xEF\xBC\x9A");
  size_t cut = ascii;
  if (wide != std::string::npos && (ascii == std::string::npos || wide > ascii)) cut = wide;
  return original.substr(0, cut) + ":****";
}

bool SecretEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

}  // namespace faxgate::mail
