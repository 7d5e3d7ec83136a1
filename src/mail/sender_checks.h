// Sender verification for mail to fax (reference/mail.md 9): SPF with libspf2 and DKIM with
// libopendkim. Both use DNS or, for closed networks and tests, records given here.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace faxgate::mail {

enum class SpfVerdict { kNone, kNeutral, kPass, kFail, kSoftFail, kTempError, kPermError };
std::string_view ToString(SpfVerdict v);  // RFC 7208 2.6 names: "pass", "softfail", ...

struct SpfOptions {
  // Domain -> "v=spf1 ...". When not empty these TXT records are used INSTEAD of DNS (closed
  // networks, tests); then "a", "mx", "ptr", "exists" and "include" of names not listed here
  // find nothing.
  std::map<std::string, std::string> local_records;
};

// Evaluates RFC 7208 check_host() for a connecting client.
// Unlike libspf2's own entry point, a client on loopback gets no free pass: with a relay such as
// Postfix in front of faxgate every mail would otherwise pass for every domain. Loopback is
// judged by the records like any other address.
// Thread-safe: queries run one at a time. With DNS a query blocks for its lookups, so call it
// off the event loop.
class SpfChecker {
 public:
  explicit SpfChecker(SpfOptions options);
  ~SpfChecker();
  SpfChecker(const SpfChecker&) = delete;
  SpfChecker& operator=(const SpfChecker&) = delete;

  // client_ip: IPv4 or IPv6 text (an IPv4-mapped IPv6 address counts as the IPv4 one).
  // mail_from: the MAIL FROM address without brackets; when empty (the null sender) the HELO
  // name is checked as "postmaster@helo" (RFC 7208 2.4). kNone when there is nothing to check:
  // no domain, an address literal as HELO, or a client address that does not parse.
  SpfVerdict Check(std::string_view client_ip, std::string_view helo, std::string_view mail_from);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct DkimOptions {
  // An opendkim DKIM_QUERY_FILE: one line per key, "selector._domainkey.domain v=DKIM1; k=rsa;
  // p=..." (closed networks, tests). Empty: keys come from DNS, blocking the caller.
  std::filesystem::path key_file;
};

struct DkimVerdict {
  bool pass = false;
  std::string domain;  // d= of the passing signature (lower case), preferring one aligned with From
  std::string reason;  // why there is no pass, in plain words; empty on a pass
};

// Verifies the DKIM-Signature header fields of a raw RFC 5322 message (CRLF or LF line ends).
// A signature counts as a pass only when it verifies and also covers what a fax is made of:
// the From, To and Subject fields the message has (the numbers live there) and the whole body
// (no l= shorter than the body, which would let anyone append an attachment).
DkimVerdict VerifyDkim(std::string_view raw_message, const DkimOptions& options);

// True when `from_domain` equals the DKIM d= domain or is a subdomain of it (relaxed
// alignment, ignoring ASCII case and a trailing dot).
bool DkimAligned(std::string_view from_domain, std::string_view dkim_domain);

}  // namespace faxgate::mail
