// OffRamp recipients (RFC 3192, obsoleting RFC 2304): the local part of FAX=+1-555-1234@host,
// leniently, as real MTAs and fax products write it.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace faxgate::mail {

struct FaxAddress {
  // As written for faxgate's dial plan: "+86-755-83235170", "9-555-8354", "64802994E801"
  // ('.' separators become '-', spaces are dropped).
  std::string number;
  std::string sub_address;                     // from /T33S= (T.30 SUB)
  std::map<std::string, std::string> options;  // other /KEY=VALUE, keys upper case (ATTN, ...)
};

// "FAX=+1-555-1234", "fax=5551234/T33S=12", "/FAX=123/", and the plain-number form used with a
// fax domain: "8001", "+8675583235170". Digits, '+', '-', '.', '*', '#', 'P' (pause), and 'E'
// before extension digits; at most 40 digits. An empty number ("FAX=") or any other character
// is refused with a message that says what is wrong.
Result<FaxAddress> ParseFaxLocalPart(std::string_view local_part);

}  // namespace faxgate::mail
