// Authentication-Results (RFC 8601): what a receiving mail server found when it checked a mail's
// sender (SPF, DKIM, DMARC). The shared-mailbox poller cannot check SPF itself, since it never
// sees the sending server's address; it takes the verdict the mailbox's own server wrote, and
// only from a server it trusts: anyone can write such a header into a mail they send.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faxgate::mail {

struct AuthMethodResult {
  std::string method;  // "spf", "dkim", "dmarc" (lower case)
  std::string result;  // "pass", "fail", "softfail", "none", ... (lower case)
  std::string reason;  // reason=, if given
  // "smtp.mailfrom" -> "alice@example.com", "header.d" -> "example.com" (ptype in lower case)
  std::map<std::string, std::string> properties;
};

struct AuthenticationResults {
  std::string authserv_id;  // the server that wrote it: "mx.example.com" (lower case)
  std::vector<AuthMethodResult> results;
};

// One header's value, comments dropped. Nothing when it has no authserv-id.
std::optional<AuthenticationResults> ParseAuthenticationResults(std::string_view value);

struct SpfFromHeaders {
  bool pass = false;
  std::string domain;  // the domain SPF was checked for (smtp.mailfrom's, or smtp.helo)
  std::string reason;  // for a refusal: "spf=softfail at mx.example.com", "no ... from ..."
};

// The SPF verdict of the first header (from the top) written by one of `trusted` servers
// (authserv-ids, ASCII case ignored), one header value per line of `headers`. Headers that
// others wrote are ignored.
SpfFromHeaders SpfFromAuthenticationResults(std::string_view headers,
                                            const std::vector<std::string>& trusted);

}  // namespace faxgate::mail
