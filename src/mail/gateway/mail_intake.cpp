#include "mail/gateway/mail_intake.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "base/files.h"
#include "base/log.h"
#include "base/time_format.h"
#include "mail/delivery_report.h"
#include "mail/gateway/mail_writer.h"
#include "mail/gateway/onramp.h"
#include "mail/mail_address.h"

namespace faxgate::mail {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
    return std::tolower(x) == std::tolower(y);
  });
}

}  // namespace

std::string MailIntake::MessageKey(std::string_view channel, const ParsedMail& mail,
                                   std::string_view raw) {
  if (!mail.message_id.empty()) return fmt::format("{}:{}", channel, mail.message_id);
  return fmt::format("{}:sha256:{}", channel, Sha256Hex(raw));
}

Result<User> MailIntake::RegisteredSender(const std::string& address) {
  auto user = store_.FindUserByEmail(address);
  if (!user.ok()) {
    return MakeError(ErrorCode::kPermissionDenied,
                     fmt::format("the sender {} is not registered for fax by mail", address));
  }
  if (user->disabled || !user->fax_by_email) {
    return MakeError(
        ErrorCode::kPermissionDenied,
        fmt::format("the user {} ({}) may not send faxes by mail", user->name, address));
  }
  return std::move(*user);
}

Result<std::vector<Job>> MailIntake::Submit(const MailFaxRequest& r, const ParsedMail& mail) {
  const SystemSettings s = settings_.Get();
  SendRequest send;
  for (const MailRecipient& rcpt : r.recipients) {
    send.to.push_back(rcpt.number);
    send.recipient_names.push_back(rcpt.name);
  }
  send.subject = mail.subject;
  const bool body =
      !mail.body_text.empty() && mail.body_text.find_first_not_of(" \t\r\n") != std::string::npos;
  // A mail with only text is a letter to fax: its text is the page, whatever the setting says
  // about bodies that come with documents (a fax cannot be a cover sheet alone).
  const bool text_only = mail.attachments.empty();
  if (body && (s.mail_body == "page" || (text_only && s.mail_body == "cover"))) {
    send.files.push_back({"message.txt", mail.body_text});
  } else if (body && s.mail_body == "cover") {
    send.cover_comments = mail.body_text;
    if (r.sender.cover.empty()) send.cover = "plain";
  }
  for (const MailAttachment& a : mail.attachments) {
    if (static_cast<int64_t>(a.bytes.size()) > s.max_attachment_bytes) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("the attachment {} has {} bytes; the limit is {}", a.file_name,
                                   a.bytes.size(), s.max_attachment_bytes));
    }
    send.files.push_back({a.file_name.empty() ? "attachment" : a.file_name, a.bytes});
  }
  if (send.files.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the mail has nothing to fax: attach the documents (PDF, Word, Excel, "
                     "images, text)");
  }
  send.origin.channel = r.channel;
  send.origin.message_key = r.message_key;
  send.origin.message_id = mail.message_id;
  send.origin.reply_to = r.reply_to;
  send.origin.mail_subject = r.mail_subject;
  send.origin.mail_recipient = r.mail_recipient;
  // A read receipt goes only to the verified sender: an MDN address of a stranger's choosing
  // would make faxgate a source of backscatter (reference/mail.md section 4).
  if (!mail.disposition_notification_to.empty() && !mail.is_report) {
    auto asked = ParseMailAddress(mail.disposition_notification_to);
    if (asked.ok() && EqualsIgnoringCase(asked->address(), r.reply_to)) {
      send.origin.mdn_to = r.reply_to;
    } else {
      log::Get("mail")->info(
          "mail {} asks for a read receipt to {}, which is not its verified sender {}; none "
          "will be sent",
          mail.message_id, mail.disposition_notification_to, r.reply_to);
    }
  }
  FG_ASSIGN_OR_RETURN(std::vector<Job> jobs, faxes_.Send(r.sender, send));
  std::string ids;
  for (const Job& j : jobs) ids += (ids.empty() ? "" : ", ") + std::to_string(j.id);
  log::Get("mail")->info("mail from {} ({}): fax job(s) {} for user {}", r.reply_to,
                         mail.message_id, ids, r.sender.name);
  return jobs;
}

Status MailIntake::Refuse(const ParsedMail& mail, const std::string& message_key,
                          const std::string& to, const std::string& reason) {
  log::Get("mail")->warn("mail {} from {} refused: {}", mail.message_id, mail.from_address, reason);
  MailEffects fx;
  fx.seen_message_key = message_key;
  fx.seen_outcome = fmt::format("refused: {}", reason);
  std::vector<QueuedMail> reply;
  if (!mail.is_report && !to.empty()) {
    const SystemSettings s = settings_.Get();
    std::string language = s.default_language;
    if (auto user = store_.FindUserByEmail(to); user.ok() && !user->language.empty())
      language = user->language;
    TemplateValues v;
    v.fields = {
        {"MAIL_SUBJECT", mail.subject}, {"REASON", reason}, {"FROM", to}, {"DATE_TIME", mail.date}};
    RenderedMail text = templates_.Render("mail_rejected", language, v);
    MailToWrite w;
    w.kind = "reply";
    w.envelope_from = "";  // a reply about a refused mail must never bounce back and forth
    w.auto_reply = true;
    w.recipients.push_back({to, "", "", ""});
    w.ret = "";
    w.message.from_name = "faxgate";
    w.message.from_address = Postmaster(config_);
    w.message.subject = text.subject;
    w.message.text_body = text.body;
    if (!mail.message_id.empty()) {
      w.message.in_reply_to = mail.message_id;
      w.message.references = fmt::format("<{}>", mail.message_id);
    }
    FG_ASSIGN_OR_RETURN(QueuedMail q, WriteMail(std::move(w), spool_, config_.hostname));
    reply.push_back(std::move(q));
  }
  (void)store_.AppendEvent({0, clock_.Now(), "warn", "mail", fmt::format("mail from {}", to),
                            fmt::format("refused: {}", reason)});
  return store_.EnqueueMail(reply, fx);
}

bool MailIntake::TakeReport(std::string_view raw) {
  std::optional<DeliveryReport> report = ReadDeliveryReport(raw);
  if (!report) return false;
  auto logger = log::Get("mail");
  std::string envid = report->envelope_id;
  if (envid.empty()) envid = report->faxgate_job;
  if (envid.empty() && !report->original_message_id.empty()) {
    envid = report->original_message_id.substr(0, report->original_message_id.find('@'));
  }
  auto mail = store_.FindMailByEnvid(envid);
  if (!mail.ok()) {
    logger->info("a delivery report about '{}' matches no mail of ours; ignored", envid);
    return true;
  }
  for (const ReportRecipient& rr : report->recipients) {
    for (QueuedMailRecipient& q : mail->recipients) {
      if (q.address != rr.original_recipient && q.address != rr.final_recipient) continue;
      q.outcome = report->kind == DeliveryReport::Kind::kDisposition
                      ? fmt::format("read receipt: {}", report->disposition)
                      : fmt::format("{} ({}){}", rr.action, rr.status,
                                    rr.diagnostic.empty() ? "" : ": " + rr.diagnostic);
      logger->info("mail {} about fax {} to {}: {}", mail->id, mail->fax_id.value_or(0), q.address,
                   q.outcome);
      if (rr.action == "failed") {
        (void)store_.AppendEvent({0, clock_.Now(), "error", "mail",
                                  fmt::format("mail {}", mail->id),
                                  fmt::format("mail about fax {} could not be delivered to {}: {}",
                                              mail->fax_id.value_or(0), q.address, q.outcome)});
      }
    }
  }
  if (report->kind == DeliveryReport::Kind::kDisposition) {
    for (QueuedMailRecipient& q : mail->recipients)
      if (q.outcome.empty()) q.outcome = fmt::format("read receipt: {}", report->disposition);
  }
  if (Status s = store_.UpdateQueuedMail(*mail); !s.ok())
    logger->error("mail {}: cannot record its delivery report: {}", mail->id, s.error().message);
  return true;
}

}  // namespace faxgate::mail
