// Plain-text files as users send them: UTF-8, UTF-16 from Windows Notepad, GBK from Chinese
// Windows, Big5, Shift_JIS, EUC-KR or Latin-1. DecodeText finds out which and hands back
// clean UTF-8 that the text renderer can lay out.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace faxgate {

struct DecodedText {
  // Normalised text: LF line ends, tabs expanded to 8 columns (CJK characters count two),
  // no control characters except LF and form feed (FF, a page break).
  std::string utf8;
  // What the bytes were: "UTF-8", "UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE", "GB18030",
  // "Big5", "Shift_JIS", "EUC-KR", "ISO-2022-JP", "windows-1252" or "ISO-8859-1".
  std::string charset;
  // The language the CJK content is in, so the renderer picks the right glyph variants:
  // "zh-cn", "zh-tw", "ja", "ko", or "" when there is no CJK text.
  std::string language;
};

// Detects the encoding of `bytes` and converts them. Detection, in order: byte order marks;
// UTF-16 without one (from its NUL byte pattern); valid UTF-8; the East Asian legacy encodings
// GB18030 (which includes GBK and GB2312), Big5, Shift_JIS and EUC-KR, each checked strictly
// and scored by how common the characters it yields are (ties go to GB18030); finally
// windows-1252. Bytes that are not text (NUL bytes, many control characters) are an error
// "<display_name> does not look like text".
Result<DecodedText> DecodeText(std::string_view bytes, std::string_view display_name);

}  // namespace faxgate
