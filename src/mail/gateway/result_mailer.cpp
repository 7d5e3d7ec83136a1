#include "mail/gateway/result_mailer.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/log.h"
#include "base/time_format.h"
#include "mail/gateway/mail_envelope.h"
#include "mail/gateway/mail_writer.h"
#include "mail/gateway/onramp.h"
#include "mail/gateway/read_receipt.h"

namespace faxgate::mail {
namespace {

std::vector<std::vector<std::string>> AttemptTable(const std::vector<Attempt>& attempts,
                                                   bool chinese) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back(chinese ? std::vector<std::string>{"#", "时间", "结果", "页数", "对方标识"}
                         : std::vector<std::string>{"#", "Time", "Result", "Pages", "Remote"});
  for (const Attempt& a : attempts) {
    rows.push_back({std::to_string(a.number), FormatLocalDateTime(a.started_at),
                    a.reason.empty() ? std::string(ToString(a.result)) : a.reason,
                    std::to_string(a.first_page + a.pages_sent), a.remote_ident});
  }
  return rows;
}

std::string HtmlEscaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The result text as HTML with the first page shown under it: the thumbnail is seen without
// opening an attachment. The text keeps its layout (the attempt table is aligned in columns).
std::string HtmlWithThumbnail(std::string_view text, std::string_view content_id) {
  return fmt::format(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n"
      "<pre style=\"font-family:monospace\">{}</pre>\n"
      "<p><img src=\"cid:{}\" alt=\"page 1\" style=\"border:1px solid #888\"></p>\n"
      "</body></html>\n",
      HtmlEscaped(text), content_id);
}

}  // namespace

int ResultMailer::MailFinishedJobs() {
  auto jobs = store_.ListJobsToNotify(20);
  if (!jobs.ok()) {
    log::Get("mail")->error("cannot list finished jobs: {}", jobs.error().message);
    return 0;
  }
  int n = 0;
  for (const Job& job : *jobs) {
    if (Status s = MailOne(job); !s.ok()) {
      log::Get("mail")->error("job {} to {}: cannot write its result mail: {}", job.id,
                              job.number.display, s.error().message);
      continue;
    }
    ++n;
  }
  return n;
}

Status ResultMailer::MailOne(const Job& job) {
  MailEffects done;
  done.notified_job = job.id;
  std::vector<QueuedMail> mails;
  FG_ASSIGN_OR_RETURN(SubmissionOrigin origin, store_.GetSubmissionOrigin(job.group_id));
  FG_ASSIGN_OR_RETURN(User owner, store_.GetUser(job.owner_id));
  const std::string language =
      owner.language.empty() ? settings_.Get().default_language : owner.language;
  if (job.state != JobState::kCancelled) {  // who cancelled knows
    FG_ASSIGN_OR_RETURN(std::optional<QueuedMail> result,
                        WriteResult(job, origin, owner, language));
    if (result) mails.push_back(std::move(*result));
  }
  if (!origin.mdn_to.empty() && !origin.mdn_sent) {
    JobFilter filter;
    filter.group_id = job.group_id;
    filter.limit = 1000;
    FG_ASSIGN_OR_RETURN(std::vector<Job> group, store_.ListJobs(filter));
    std::reverse(group.begin(), group.end());  // in the order the mail named the numbers
    if (std::all_of(group.begin(), group.end(), [](const Job& j) { return IsFinal(j.state); })) {
      FG_ASSIGN_OR_RETURN(QueuedMail receipt,
                          WriteReadReceipt(group, origin, language, config_, spool_));
      log::Get("mail")->info("mail {} from {}: read receipt ({}) queued", origin.message_id,
                             origin.mdn_to, ReadReceiptDisposition(group));
      mails.push_back(std::move(receipt));
      done.mdn_sent_for = job.group_id;
    }
  }
  return store_.EnqueueMail(mails, done);
}

Result<std::optional<QueuedMail>> ResultMailer::WriteResult(const Job& job,
                                                            const SubmissionOrigin& origin,
                                                            const User& owner,
                                                            const std::string& language) {
  const bool succeeded = job.state == JobState::kSucceeded;
  const bool by_mail = !origin.reply_to.empty();
  const std::string to = by_mail ? origin.reply_to : owner.email;
  if (to.empty() || (succeeded && !by_mail && !owner.notify_on_success)) {
    return std::optional<QueuedMail>();
  }
  const SystemSettings s = settings_.Get();
  FG_ASSIGN_OR_RETURN(std::vector<Attempt> attempts, store_.ListAttempts(job.id));

  TemplateValues v;
  v.fields = {{"SUBJECT", job.subject},
              {"TO", job.recipient_name.empty()
                         ? job.number.display
                         : fmt::format("{} ({})", job.number.display, job.recipient_name)},
              {"FROM", owner.full_name.empty() ? owner.name : owner.full_name},
              {"MAIL_SUBJECT", origin.mail_subject},
              {"DATE_TIME", FormatLocalDateTime(job.finished_at)},
              {"STATUS", job.status_text},
              {"PAGES", fmt::format("{}/{}", job.pages_sent, job.pages_total)},
              {"JOB", std::to_string(job.id)}};
  v.records_header_and_rows = AttemptTable(attempts, language == "zh-CN");
  RenderedMail text = templates_.Render(succeeded ? "fax_sent" : "fax_failed", language, v);

  MailToWrite w;
  w.kind = "result";
  w.fax_id = job.id;
  w.envelope_from = Postmaster(config_);
  w.recipients.push_back({to, NotifyParameter("failure"), to, ""});
  OutgoingMessage& m = w.message;
  m.from_name = "faxgate";
  m.from_address = Postmaster(config_);
  m.subject = text.subject;
  m.text_body = text.body;
  if (by_mail && !origin.message_id.empty()) {
    m.in_reply_to = origin.message_id;
    m.references = fmt::format("<{}>", origin.message_id);
  }
  if (s.mail_result_thumbnail && !job.document.empty()) {
    User viewer;
    viewer.role = Role::kSysAdmin;
    if (auto png = faxes_.File(viewer, job.id, "png", 400); png.ok()) {
      OutgoingAttachment a;
      a.file_name = png->file_name;
      a.content_type = "image/png";
      a.bytes = std::move(png->bytes);
      a.content_id = fmt::format("page1.{}@{}", job.id, config_.hostname);
      a.inline_disposition = true;
      m.html_body = HtmlWithThumbnail(m.text_body, a.content_id);
      m.attachments.push_back(std::move(a));
    }
  }
  FG_ASSIGN_OR_RETURN(QueuedMail mail, WriteMail(std::move(w), spool_, config_.hostname));
  log::Get("mail")->info("job {} to {} {}: result mail queued to {}", job.id, job.number.display,
                         succeeded ? "succeeded" : "failed", to);
  return std::optional<QueuedMail>(std::move(mail));
}

}  // namespace faxgate::mail
