// Mail addresses as SMTP paths and header mailboxes carry them (RFC 5321/5322), split into
// local part and domain with the limits servers enforce.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace faxgate::mail {

struct MailAddress {
  std::string local_part;  // quotes removed: "FAX=+1 555"@x gives FAX=+1 555
  std::string domain;      // lower case
  std::string display_name;
  std::string address() const { return local_part + "@" + domain; }
};

// Accepts "a@b", "<a@b>", "Name <a@b>", "\"张三\" <a@b>" and quoted local parts. Limits: local part
// 64 octets, domain 255, path 256 (RFC 5321 4.5.3.1). The error names the input.
Result<MailAddress> ParseMailAddress(std::string_view text);

// True when `domain` is one of `domains`, ignoring case.
bool DomainMatches(std::string_view domain, const std::vector<std::string>& domains);

}  // namespace faxgate::mail
