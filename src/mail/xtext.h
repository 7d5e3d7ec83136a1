// RFC 3461 section 4 "xtext", the encoding of the DSN parameters ENVID and ORCPT on the SMTP
// wire: every byte outside '!'..'~', and '+' and '=', is written as '+' and two upper-case hex
// digits. EncodeXtext is what our client sends; DecodeXtext reads xtext strictly (the SMTP
// server's command parser is lenient on purpose and has its own).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace faxgate::mail {

std::string EncodeXtext(std::string_view text);

// Fails on a byte outside '!'..'~', a raw '=', or a '+' not followed by two upper-case hex
// digits; the message names the offending position.
Result<std::string> DecodeXtext(std::string_view xtext);

}  // namespace faxgate::mail
