// Text files come from mail attachments and uploads: any bytes may arrive. Checks what the
// text renderer relies on: the result is valid UTF-8 with LF line ends and no control
// characters but LF and form feed, the charset and language are among the documented ones,
// and a refusal says the file does not look like text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "document/text_decode.h"
#include "fuzz_check.h"

namespace {

constexpr std::string_view kCharsets[] = {
    "UTF-8", "UTF-16LE",  "UTF-16BE", "UTF-32LE",    "UTF-32BE",     "GB18030",
    "Big5",  "Shift_JIS", "EUC-KR",   "ISO-2022-JP", "windows-1252", "ISO-8859-1",
};
constexpr std::string_view kLanguages[] = {"", "zh-cn", "zh-tw", "ja", "ko"};

template <typename List>
bool OneOf(std::string_view s, const List& list) {
  for (std::string_view item : list)
    if (s == item) return true;
  return false;
}

// Strict UTF-8 check, independent of the decoder's own.
bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? b : b & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp < 0x20 && cp != '\n' && cp != '\f') return false;
    if (cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return false;
    i += len;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto text = faxgate::DecodeText(input, "fuzz.txt");
  if (!text.ok()) {
    FUZZ_CHECK(text.error().code == faxgate::ErrorCode::kInvalidArgument);
    FUZZ_CHECK(text.error().message == "fuzz.txt does not look like text");
    return 0;
  }
  FUZZ_CHECK(IsValidUtf8(text->utf8));
  FUZZ_CHECK(text->utf8.find('\r') == std::string::npos);
  FUZZ_CHECK(text->utf8.find('\t') == std::string::npos);
  FUZZ_CHECK(OneOf(text->charset, kCharsets));
  FUZZ_CHECK(OneOf(text->language, kLanguages));
  // Decoding is deterministic.
  auto again = faxgate::DecodeText(input, "fuzz.txt");
  FUZZ_CHECK(again.ok() && again->utf8 == text->utf8 && again->charset == text->charset);
  return 0;
}
