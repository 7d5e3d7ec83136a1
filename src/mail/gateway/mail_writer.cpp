#include "mail/gateway/mail_writer.h"

#include <fmt/format.h>

#include "mail/gateway/mail_envelope.h"

namespace faxgate::mail {

Result<QueuedMail> WriteMail(MailToWrite mail, Spool& spool, const std::string& hostname) {
  QueuedMail q;
  q.kind = mail.kind;
  q.fax_id = mail.fax_id;
  q.envid = NewEnvid(mail.kind, mail.fax_id.value_or(0));
  q.mail_from = mail.envelope_from;
  q.recipients = mail.recipients;
  q.ret = mail.ret;
  q.subject = mail.message.subject;
  OutgoingMessage& m = mail.message;
  m.message_id = fmt::format("{}@{}", q.envid, hostname);
  m.extra_headers.emplace_back("X-Faxgate-Job", q.envid);
  if (mail.auto_reply) m.extra_headers.emplace_back("Auto-Submitted", "auto-replied");
  if (m.to.empty()) {
    for (const QueuedMailRecipient& r : q.recipients) m.to.push_back(r.address);
  }
  FG_ASSIGN_OR_RETURN(q.message_hash, spool.Put(BuildMessage(m, /*seven_bit=*/true)));
  return q;
}

}  // namespace faxgate::mail
