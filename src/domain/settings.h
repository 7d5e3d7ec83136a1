// System parameters (REQUIREMENTS S4 "system parameters") with their defaults. Stored as
// key/value text in the store so a portal admin can change them at run time.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "domain/phone_number.h"

namespace faxgate {

struct SystemSettings {
  // Dial plan
  std::string country_code = "86";
  std::string area_code = "755";
  std::string long_distance_prefix = "0";
  std::string international_prefix = "00";
  char extension_separator = 'E';
  int extension_wait_s = 3;  // wait after connect before dialling the extension
  // Retries
  int retry_interval_s = 300;   // wait after a failed try (protocol error, hang-up)
  int retry_busy_s = 180;       // wait after busy
  int retry_no_answer_s = 300;  // wait after no answer / not a fax
  int max_tries = 3;            // attempts that reached a fax machine
  int max_dials = 12;           // calls placed, whatever the outcome
  int kill_time_s = 3 * 3600;   // a job gives up this long after its send time
  // Fax
  std::string local_ident = "faxgate";  // TSI/CSI, at most 20 characters
  std::string page_header;  // spandsp's own ASCII header line; empty: none (prefer tag_line)
  // Drawn by faxgate at the top of every sent page (HylaFAX TagLineFormat codes; '|' separates
  // fields spread over the width); empty: no tag line.
  std::string tag_line = "From %%l|%c|Page %%P of %%T";
  std::string fax_number;  // the server's own fax number, shown by %%n in the tag line
  // How documents become pages unless a job says otherwise (document/page_format.h names).
  std::string default_resolution = "fine";
  std::string default_paper = "a4";
  std::string halftone = "cluster";
  int max_receive_pages = 200;
  std::string unknown_did = "refuse";  // "refuse", or a user name whose inbox takes them
  // Mail and portal (used by later modules; kept here so all parameters live in one place)
  int mail_check_interval_s = 300;  // 60..600
  int64_t max_attachment_bytes = 20 * 1024 * 1024;
  bool mail_sender_auth = true;
  bool mail_password_auth = false;  // "number:password" at the end of a mailbox subject
  // A mail sender must also pass SPF (OffRamp listener) / carry an aligned DKIM signature.
  bool mail_require_spf = false;
  bool mail_require_dkim = false;
  std::string mail_body = "cover";  // a mailed fax's body text: "cover" comments, "page", "ignore"
  bool mail_result_thumbnail = true;    // result mails show the first page as a picture
  std::string default_language = "en";  // "en" or "zh-CN": mails to users who chose none
  std::string printer;

  DialPlan dial_plan() const;
};

// Every parameter's key, as the store and the API name it.
std::map<std::string, std::string> ToKeyValues(const SystemSettings& s);
// Applies stored values over the defaults; an unknown key or a bad value is an error naming it.
Result<SystemSettings> FromKeyValues(const std::map<std::string, std::string>& kv);

}  // namespace faxgate
