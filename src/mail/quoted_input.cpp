#include "mail/quoted_input.h"

#include <fmt/format.h>

namespace faxgate::mail {

size_t Utf8SequenceLength(std::string_view s) {
  if (s.empty()) return 0;
  auto byte = [s](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < len || byte(1) < lo || byte(1) > hi) return 0;
  for (size_t i = 2; i < len; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  return len;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t len = Utf8SequenceLength(s.substr(i));
    if (len == 0) return false;
    i += len;
  }
  return true;
}

char32_t NextCodePoint(std::string_view s, size_t* i) {
  const size_t len = Utf8SequenceLength(s.substr(*i));
  const auto b0 = static_cast<unsigned char>(s[*i]);
  if (len <= 1) {
    *i += 1;
    return b0;
  }
  char32_t cp = b0 & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += len;
  return cp;
}

std::string QuoteInput(std::string_view s, size_t max_chars) {
  std::string out;
  size_t i = 0;
  for (size_t shown = 0; i < s.size() && shown < max_chars; ++shown) {
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

}  // namespace faxgate::mail
