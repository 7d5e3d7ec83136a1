#include "mail/gateway/read_receipt.h"

#include <algorithm>

#include <fmt/format.h>

#include "mail/gateway/mail_writer.h"
#include "mail/gateway/onramp.h"
#include "mail/mime_writer.h"

namespace faxgate::mail {
namespace {

std::string JobLine(const Job& job, bool chinese) {
  const std::string to = job.recipient_name.empty()
                             ? job.number.display
                             : fmt::format("{} ({})", job.number.display, job.recipient_name);
  if (job.state == JobState::kSucceeded) {
    return chinese ? fmt::format("  {}：已发送，{} 页", to, job.pages_sent)
                   : fmt::format("  {}: sent, {} page(s)", to, job.pages_sent);
  }
  if (job.state == JobState::kCancelled) {
    return chinese ? fmt::format("  {}：已取消", to) : fmt::format("  {}: cancelled", to);
  }
  return chinese ? fmt::format("  {}：发送失败（{}）", to, job.status_text)
                 : fmt::format("  {}: not sent ({})", to, job.status_text);
}

}  // namespace

std::string ReadReceiptDisposition(const std::vector<Job>& jobs) {
  auto is = [&](JobState s) {
    return std::all_of(jobs.begin(), jobs.end(), [&](const Job& j) { return j.state == s; });
  };
  if (!jobs.empty() && is(JobState::kSucceeded)) return "processed";
  if (!jobs.empty() && is(JobState::kCancelled)) return "deleted";
  return "failed";
}

Result<QueuedMail> WriteReadReceipt(const std::vector<Job>& jobs, const SubmissionOrigin& origin,
                                    const std::string& language, const MailConfig& config,
                                    Spool& spool) {
  const bool chinese = language == "zh-CN";
  const std::string disposition = ReadReceiptDisposition(jobs);
  std::string text;
  if (disposition == "processed") {
    text = chinese ? fmt::format("您的邮件“{}”已作为传真发出：\n", origin.mail_subject)
                   : fmt::format("Your mail \"{}\" was faxed:\n", origin.mail_subject);
  } else if (disposition == "deleted") {
    text = chinese ? fmt::format("您的邮件“{}”的传真已取消：\n", origin.mail_subject)
                   : fmt::format("The faxes of your mail \"{}\" were cancelled:\n",
                                 origin.mail_subject);
  } else {
    text = chinese ? fmt::format("您的邮件“{}”未能全部作为传真发出：\n", origin.mail_subject)
                   : fmt::format("Your mail \"{}\" could not be faxed to every number:\n",
                                 origin.mail_subject);
  }
  for (const Job& job : jobs) text += JobLine(job, chinese) + "\n";

  MdnRequest mdn;
  mdn.reporting_ua = fmt::format("{}; faxgate", config.hostname);
  mdn.final_recipient = origin.mail_recipient;
  mdn.original_message_id = origin.message_id;
  mdn.disposition_type = disposition;
  mdn.human_text = text;

  MailToWrite w;
  w.kind = "mdn";
  if (!jobs.empty()) w.fax_id = jobs.front().id;
  w.envelope_from = "";  // RFC 8098: a notification is sent from the null sender
  w.ret = "";
  w.recipients.push_back({origin.mdn_to, "", "", ""});
  OutgoingMessage envelope;
  envelope.from_name = "faxgate";
  envelope.from_address = Postmaster(config);
  envelope.subject =
      chinese ? fmt::format("回执（{}）：{}", disposition, origin.mail_subject)
              : fmt::format("Disposition notification ({}): {}", disposition, origin.mail_subject);
  w.message = BuildMdn(envelope, mdn);
  return WriteMail(std::move(w), spool, config.hostname);
}

}  // namespace faxgate::mail
