#include "mail/gateway/onramp.h"

#include <fmt/format.h>

#include "base/log.h"
#include "base/time_format.h"
#include "mail/gateway/mail_envelope.h"
#include "mail/gateway/mail_writer.h"

namespace faxgate::mail {
namespace {

User SystemViewer() {
  User u;
  u.name = "mail";
  u.role = Role::kSysAdmin;
  return u;
}

std::string Duration(int64_t ms) {
  const int64_t s = ms / 1000;
  return s >= 60 ? fmt::format("{} min {} s", s / 60, s % 60) : fmt::format("{} s", s);
}

}  // namespace

std::string Postmaster(const MailConfig& config) {
  return config.postmaster.empty() ? fmt::format("postmaster@{}", config.hostname)
                                   : config.postmaster;
}

int OnRamp::MailEndedReceptions() {
  auto faxes = store_.ListInboundToMail(20);
  if (!faxes.ok()) {
    log::Get("mail")->error("cannot list received faxes to mail: {}", faxes.error().message);
    return 0;
  }
  int mailed = 0;
  for (const InboundFax& fax : *faxes) {
    if (Status s = MailOne(fax); !s.ok()) {
      log::Get("mail")->error("fax {} from {}: cannot write its mail: {}", fax.id,
                              fax.caller_number.empty() ? "unknown caller" : fax.caller_number,
                              s.error().message);
      continue;
    }
    ++mailed;
  }
  return mailed;
}

std::string OnRamp::Subject(const InboundFax& fax) const {
  std::string subject = config_.subject;
  const std::string caller = fax.caller_number.empty() ? "unknown" : fax.caller_number;
  if (config_.subject_append == "calling" || config_.subject_append == "both")
    subject += fmt::format(" from {}", caller);
  if (config_.subject_append == "called" || config_.subject_append == "both")
    subject += fmt::format(" to {}", fax.called_number);
  return subject;
}

Result<QueuedMail> OnRamp::Compose(const InboundFax& fax, const std::vector<std::string>& to,
                                   const std::vector<std::string>& formats, const std::string& dsn,
                                   bool mdn, const std::string& language) {
  MailToWrite w;
  w.kind = "onramp";
  w.fax_id = fax.id;
  w.envelope_from = ExpandMailFrom(config_.mail_from, fax.caller_number, fax.called_number,
                                   config_.hostname, Postmaster(config_));
  const std::string notify = NotifyParameter(dsn);
  for (const std::string& address : to) w.recipients.push_back({address, notify, address, ""});
  OutgoingMessage& m = w.message;
  m.from_name = "faxgate";
  m.from_address = w.envelope_from;
  m.subject = Subject(fax);
  if (mdn) {
    const std::string receipt =
        config_.return_receipt_to.empty() ? w.envelope_from : config_.return_receipt_to;
    m.extra_headers.emplace_back("Disposition-Notification-To", fmt::format("<{}>", receipt));
  }
  TemplateValues v;
  v.fields = {{"SUBJECT", m.subject},
              {"CALLER", fax.caller_number.empty() ? "-" : fax.caller_number},
              {"REMOTE_IDENT", fax.remote_ident.empty() ? "-" : fax.remote_ident},
              {"CALLED", fax.called_number},
              {"PAGES", std::to_string(fax.pages)},
              {"DATE_TIME", FormatLocalDateTime(fax.started_at)},
              {"DURATION", Duration(fax.duration_ms)},
              {"BIT_RATE", std::to_string(fax.bit_rate)},
              {"DATA_FORMAT", fax.compression},
              {"ECM", fax.ecm ? "yes" : "no"},
              {"LINE", fax.trunk},
              {"JOB", std::to_string(fax.id)},
              {"STATUS", fax.reason}};
  RenderedMail text = templates_.Render("fax_received", language, v);
  m.text_body = text.body;
  if (!text.subject.empty()) m.subject = text.subject;
  const User viewer = SystemViewer();
  for (const std::string& format : formats) {
    FG_ASSIGN_OR_RETURN(FaxFile file, faxes_.File(viewer, fax.id, format));
    OutgoingAttachment a;
    a.file_name = file.file_name;
    a.content_type = file.content_type;
    if (format != "pdf") a.content_type_params["application"] = "faxbw";  // RFC 3302
    a.bytes = std::move(file.bytes);
    m.attachments.push_back(std::move(a));
  }
  return WriteMail(std::move(w), spool_, config_.hostname);
}

Status OnRamp::MailOne(const InboundFax& fax) {
  MailEffects done;
  done.mailed_inbound = fax.id;
  if (fax.pages == 0 || fax.document.empty()) return store_.EnqueueMail({}, done);
  const SystemSettings s = settings_.Get();
  std::vector<QueuedMail> mails;
  std::string language = s.default_language;
  std::vector<std::string> owner_addresses;
  if (fax.owner_id) {
    FG_ASSIGN_OR_RETURN(User owner, store_.GetUser(*fax.owner_id));
    if (!owner.language.empty()) language = owner.language;
    if (!owner.email.empty()) owner_addresses.push_back(owner.email);
    for (const std::string& e : owner.other_emails)
      if (!e.empty()) owner_addresses.push_back(e);
  }
  bool owner_wanted = config_.routes.empty();
  for (const MailRoute& route : config_.routes) {
    bool matches = false;
    for (const std::string& p : route.dids) matches |= NumberPatternMatches(p, fax.called_number);
    if (!matches) continue;
    owner_wanted |= route.owner_too;
    const std::string target = ExpandRouteTarget(route.to, fax.caller_number, fax.called_number);
    if (target.empty()) continue;
    FG_ASSIGN_OR_RETURN(QueuedMail m,
                        Compose(fax, {target}, route.formats, route.dsn, route.mdn, language));
    mails.push_back(std::move(m));
  }
  if (owner_wanted && !owner_addresses.empty()) {
    FG_ASSIGN_OR_RETURN(QueuedMail m, Compose(fax, owner_addresses, config_.formats, config_.dsn,
                                              !config_.return_receipt_to.empty(), language));
    mails.push_back(std::move(m));
  }
  FG_RETURN_IF_ERROR(store_.EnqueueMail(mails, done));
  for (const QueuedMail& m : mails) {
    std::string to;
    for (const auto& r : m.recipients) to += (to.empty() ? "" : ", ") + r.address;
    log::Get("mail")->info("fax {} from {} ({} pages): mail queued to {}", fax.id,
                           fax.caller_number.empty() ? "unknown caller" : fax.caller_number,
                           fax.pages, to);
  }
  return Status::Ok();
}

}  // namespace faxgate::mail
