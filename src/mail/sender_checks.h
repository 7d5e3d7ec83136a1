// Sender verification for mail to fax (reference/mail.md 9): SPF with libspf2 and DKIM with
// libopendkim. Both use DNS, or for closed networks and tests, records given here.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace faxgate::mail {

enum class SpfVerdict { kNone, kNeutral, kPass, kFail, kSoftFail, kTempError, kPermError };
std::string_view ToString(SpfVerdict v);

struct SpfOptions {
  std::map<std::string, std::string> local_records;  // domain -> "v=spf1 ..."; set: no DNS
};

// Thread-safe (one query at a time). With DNS, a query blocks for the lookups.
class SpfChecker {
 public:
  explicit SpfChecker(SpfOptions options);
  ~SpfChecker();
  SpfVerdict Check(std::string_view client_ip, std::string_view helo, std::string_view mail_from);

 private:
  struct Impl;
  std::mutex mutex_;
  std::unique_ptr<Impl> impl_;
};

struct DkimOptions {
  std::filesystem::path
      key_file;  // opendkim DKIM_QUERY_FILE ("sel._domainkey.d  v=DKIM1; ..."); empty: DNS
};

struct DkimVerdict {
  bool pass = false;
  std::string domain;  // d= of the signature that passed
  std::string reason;
};

DkimVerdict VerifyDkim(std::string_view raw_message, const DkimOptions& options);
// Relaxed alignment: the From domain is the signing domain or below it.
bool DkimAligned(std::string_view from_domain, std::string_view dkim_domain);

}  // namespace faxgate::mail
