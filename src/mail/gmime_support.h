// Private to the mail module: GMime set up once, GObjects owned by unique_ptr, the parser
// options every reader uses, and the charset rules of reference/mail.md §6.2 (everything labelled
// GB2312 read as GB18030, Big5 as Big5-HKSCS, undeclared 8-bit text tried as UTF-8 then GB18030).
#pragma once

#include <gmime/gmime.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "mail/mime_reader.h"

namespace faxgate::mail::gmime {

void Init();  // thread-safe, once; every function here calls it

struct ObjectUnref {
  void operator()(void* p) const {
    if (p) g_object_unref(p);
  }
};
template <typename T>
using Ptr = std::unique_ptr<T, ObjectUnref>;

struct FormatOptionsFree {
  void operator()(GMimeFormatOptions* p) const { g_mime_format_options_free(p); }
};
using FormatOptionsPtr = std::unique_ptr<GMimeFormatOptions, FormatOptionsFree>;

struct GFree {
  void operator()(void* p) const { g_free(p); }
};
using CharPtr = std::unique_ptr<char, GFree>;

// Lenient RFC 2047 and parameter decoding (Outlook's encoded words in quoted file names),
// undeclared 8-bit header text tried as UTF-8, then GB18030. Shared and never changed.
GMimeParserOptions* ParserOptions();

// The message GMime makes of `raw`, after checking what would be costly before GMime builds it:
// the size and the number of parts (each part costs GMime far more memory than its bytes). An
// error for input over the limits, or that is not a mail (no header field at all).
Result<Ptr<GMimeMessage>> ParseMessage(std::string_view raw, const MimeLimits& limits);

// At most how many parts GMime can make of `raw`: the lines "--<boundary>" for the boundaries
// the text declares. Exact enough to refuse a flood of parts; stops counting past `enough`.
size_t BoundaryLineCount(std::string_view raw, size_t enough);

// The bytes a part's content decodes to (base64, quoted-printable, uuencode undone).
std::string DecodedContent(GMimePart* part);
// The whole object as it goes on the wire, CRLF line ends.
std::string WireText(GMimeObject* object);

// The iconv name faxgate decodes a declared charset with: the GB2312 family (gb2312,
// gb_2312-80, euc-cn, x-gbk, gbk, cp936, ...) as GB18030, Big5 as BIG5-HKSCS, others as GMime
// names them ("latin1" -> "iso-8859-1"). Empty for an empty label.
std::string IconvCharset(std::string_view declared);
// Text in `declared` charset as UTF-8: strictly in the declared charset, else as UTF-8, else as
// GB18030, else the declared (or UTF-8) reading with U+FFFD for what cannot be read. NULs dropped.
std::string ToUtf8(std::string_view bytes, std::string_view declared);
// `text` with invalid UTF-8 replaced by U+FFFD and NULs dropped.
std::string ValidUtf8(std::string_view text);
// A raw header value with the GB2312-family charset labels of its RFC 2047 encoded words and
// RFC 2231 parameters changed to GB18030, so GMime decodes them as we decode bodies (GMime alone
// reads them as GBK, which lacks GB18030's four-byte characters).
std::string WithGb18030Labels(std::string_view raw_header_value);

}  // namespace faxgate::mail::gmime
