// OffRamp recipients: the local part of FAX=+1-555-1234@host (RFC 3192, obsoleting RFC 2304),
// read leniently, as real MTAs and fax products write it (reference/mail.md 2).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace faxgate::mail {

struct FaxAddress {
  // As written, for faxgate's dial plan: "+86-755-83235170", "9-555-8354", "8001",
  // "64802994E801". '.' separators become '-', spaces are dropped, 'e' and 'p' are upper-cased.
  std::string number;
  std::string sub_address;  // from /T33S= (the T.30 SUB frame), digits only
  // Every other /KEY=VALUE after the number, keys upper-cased, values as written: FaxFinder's
  // COVER-PAGE-ENABLED, FAX-PRIORITY, INLINE-COMMENTS, RECEIPT, ATTN; eFax's TO, FR, CO, CP.
  std::map<std::string, std::string> options;
};

// Reads the local part of a recipient on one of our fax domains. Interpret it only when the
// domain is ours: RFC 3192 1 leaves the local part to the MTA named on the right-hand side.
//
//   ["/"] ["FAX="] number *("/" KEY "=" VALUE) ["/"]      "FAX=" in any case
//
// The number holds digits, a leading '+', the separators '-' and '.', '*', '#', 'P' (pause)
// and at most one 'E' followed by the extension's digits ('*' and '#' allowed there too); at
// most 40 digits in all (OKI). Refused, with a message that says what is wrong: an empty
// number ("FAX=" alone), letters and other characters, too many digits, another service
// selector ("TEL="), options that are not KEY=VALUE or come twice, a non-digit sub-address.
Result<FaxAddress> ParseFaxLocalPart(std::string_view local_part);

}  // namespace faxgate::mail
