// The read receipt (RFC 8098 MDN) a mail-submitted fax owes a sender whose mail asked for one
// (Disposition-Notification-To): sent once every fax of the submission has ended, as Cisco's
// off-ramp does. "processed" when every fax went out, "failed" when any did not, "deleted" when
// they were all cancelled. Sent from the null sender, so that it never bounces back.
#pragma once

#include <string>
#include <vector>

#include "base/config.h"
#include "base/result.h"
#include "domain/job.h"
#include "domain/mail_records.h"
#include "store/spool.h"

namespace faxgate::mail {

// The MDN's disposition type for a submission whose faxes have all ended.
std::string ReadReceiptDisposition(const std::vector<Job>& jobs);

// The receipt for `origin`, whose faxes are `jobs` (all ended), written to the spool and ready
// to be committed with Store::EnqueueMail. `language` is "zh-CN" or anything else for English.
Result<QueuedMail> WriteReadReceipt(const std::vector<Job>& jobs, const SubmissionOrigin& origin,
                                    const std::string& language, const MailConfig& config,
                                    Spool& spool);

}  // namespace faxgate::mail
