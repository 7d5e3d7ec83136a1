// UTF-8 helpers shared by the mail text grammars (addresses, FAX= local parts, subjects,
// templates). Private to src/mail.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace faxgate::mail {

// Length of the valid UTF-8 sequence `s` starts with, or 0 when it does not start with one.
// Follows the RFC 3629 table: overlong forms, surrogates and bytes past U+10FFFF are invalid.
size_t Utf8SequenceLength(std::string_view s);

bool IsValidUtf8(std::string_view s);

// The code point at s[*i], advancing *i past it. A byte that starts no valid sequence is
// returned as itself (0x80..0xFF) and counts as one character, so broken text still advances.
char32_t NextCodePoint(std::string_view s, size_t* i);

// Input as an error message may quote it. Messages travel in SMTP replies, JSON and mail, so
// control bytes and broken UTF-8 become \xNN (a CR LF can never end a reply early) and text
// longer than `max_chars` characters is cut with "...".
std::string QuoteInput(std::string_view s, size_t max_chars = 80);

}  // namespace faxgate::mail
