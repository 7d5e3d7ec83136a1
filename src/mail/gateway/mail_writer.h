// Turns a message faxgate composed into a queued mail: gives it its correlation id (ENVID,
// Message-ID and X-Faxgate-Job), writes its text to the spool and fills in the queue record.
// The caller commits the record with Store::EnqueueMail together with what it settles.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "domain/mail_records.h"
#include "mail/mime_writer.h"
#include "store/spool.h"

namespace faxgate::mail {

struct MailToWrite {
  std::string kind;  // "onramp", "result", "reply"
  std::optional<int64_t> fax_id;
  std::string envelope_from;  // "" is the null sender (replies to mail we refuse)
  std::vector<QueuedMailRecipient> recipients;
  std::string ret = "HDRS";  // nobody wants the fax image bounced back
  bool auto_reply = false;   // marks the mail Auto-Submitted so that it is never answered
  OutgoingMessage message;   // From, To, Subject, text and attachments; ids are filled in here
};

Result<QueuedMail> WriteMail(MailToWrite mail, Spool& spool, const std::string& hostname);

}  // namespace faxgate::mail
