// Mail addresses as SMTP paths and header mailboxes carry them (RFC 5321, RFC 5322, RFC 6531),
// split into local part and domain, with the limits servers enforce.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace faxgate::mail {

struct MailAddress {
  std::string local_part;    // quotes and \-escapes removed: "FAX=+1 555"@x gives FAX=+1 555
  std::string domain;        // ASCII letters in lower case; "[192.0.2.1]" for address literals
  std::string display_name;  // "张三" from "\"张三\" <a@b>" or "a@b (张三)"; may be empty
  // "local@domain", for comparing and showing. Not for the wire: a local part that needed
  // quotes is not quoted again.
  std::string address() const { return local_part + "@" + domain; }
};

// Reads "a@b", "<a@b>", "Name <a@b>", "\"张三\" <a@b>", "a@b (Name)", a quoted local part
// ("\"FAX=+1 555\"@b") and a source route ("<@relay:a@b>", ignored as RFC 5321 asks). UTF-8 is
// allowed in the local part and domain (SMTPUTF8). Leading, trailing and doubled dots in an
// unquoted local part are accepted, since real mailers send them.
// Limits (RFC 5321 4.5.3.1): local part 64 octets as written, domain 255, path 256 with its
// angle brackets. An error names the input and what is wrong with it.
Result<MailAddress> ParseMailAddress(std::string_view text);

// True when `domain` is one of `domains`, ignoring ASCII case. An empty domain matches nothing.
bool DomainMatches(std::string_view domain, const std::vector<std::string>& domains);

}  // namespace faxgate::mail
