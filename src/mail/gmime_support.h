// Private to the mail module: GMime set up once, GObjects owned by unique_ptr, and the parser
// options every reader uses (lenient RFC 2047/2231, undeclared 8-bit text tried as UTF-8 then
// GB18030).
#pragma once

#include <gmime/gmime.h>

#include <memory>
#include <string>
#include <string_view>

namespace faxgate::mail::gmime {

void Init();  // thread-safe, once

struct ObjectUnref {
  void operator()(void* p) const {
    if (p) g_object_unref(p);
  }
};
template <typename T>
using Ptr = std::unique_ptr<T, ObjectUnref>;

GMimeParserOptions* ParserOptions();  // shared, immutable after creation
// The bytes a part's content decodes to (base64, quoted-printable, uuencode undone).
std::string DecodedContent(GMimePart* part);
// The whole object as it goes on the wire, CRLF line ends.
std::string WireText(GMimeObject* object);

}  // namespace faxgate::mail::gmime
