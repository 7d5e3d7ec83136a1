#include "mail/xtext.h"

#include <fmt/format.h>

namespace faxgate::mail {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

// RFC 3461 4: xchar is '!'..'~' except '+' and '='.
bool IsXchar(unsigned char c) { return c >= '!' && c <= '~' && c != '+' && c != '='; }

int UpperHexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string EncodeXtext(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (IsXchar(c)) {
      out += static_cast<char>(c);
    } else {
      out += '+';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

Result<std::string> DecodeXtext(std::string_view xtext) {
  std::string out;
  out.reserve(xtext.size());
  for (size_t i = 0; i < xtext.size(); ++i) {
    const auto c = static_cast<unsigned char>(xtext[i]);
    if (c == '+') {
      const int high = i + 2 < xtext.size() ? UpperHexValue(xtext[i + 1]) : -1;
      const int low = i + 2 < xtext.size() ? UpperHexValue(xtext[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("xtext: '+' at position {} is not followed by two "
                                     "upper-case hex digits",
                                     i + 1));
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (IsXchar(c)) {
      out += static_cast<char>(c);
    } else {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("xtext: byte 0x{:02X} at position {} must be written as +XX",
                                   c, i + 1));
    }
  }
  return out;
}

}  // namespace faxgate::mail
