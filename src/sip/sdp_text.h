// Small helpers shared by the SDP parser, the offer/answer code and the T.38 attributes (private
// to src/sip).
// SDP is ASCII with case-insensitive tokens in practice ("UDPTL", "t38faxversion"), so these
// compare and parse without locale.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sip/sdp.h"

namespace faxgate::sdp_text {

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  return true;
}

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

// Splits on runs of blanks; peers are not consistent about single spaces.
inline std::vector<std::string_view> SplitWords(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsBlank(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !IsBlank(s[i])) ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

// A decimal number of digits only (no sign, no blanks) not above `max`.
inline std::optional<uint64_t> ParseDecimal(std::string_view s, uint64_t max) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value > max) return std::nullopt;
  return value;
}

inline std::optional<int> ParseInt(std::string_view s, int max) {
  auto value = ParseDecimal(s, static_cast<uint64_t>(max));
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

// Text from a peer, made safe to put in an error message or a log line: control and non-ASCII
// bytes shown as '?', cut after `limit` characters.
inline std::string Printable(std::string_view s, size_t limit = 40) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < limit; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
  }
  if (s.size() > limit) out += "...";
  return out;
}

// The same, in quotes: "m= port 'x' is not a number".
inline std::string Quote(std::string_view s, size_t limit = 40) {
  return "'" + Printable(s, limit) + "'";
}

// a=<name>:<value> and a=<name>.
inline SdpAttribute Attribute(std::string name, std::string value) {
  return {std::move(name), std::move(value), true};
}
inline SdpAttribute Flag(std::string name) { return {std::move(name), "", false}; }

}  // namespace faxgate::sdp_text
