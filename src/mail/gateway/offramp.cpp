#include "mail/gateway/offramp.h"

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "base/log.h"
#include "mail/fax_address.h"
#include "mail/mail_address.h"
#include "mail/mime_reader.h"

namespace faxgate::mail {
namespace {

SmtpReply Ok(std::string text) { return {250, "2.0.0", std::move(text)}; }

SpfOptions SpfFrom(const MailConfig& c) {
  SpfOptions o;
  o.local_records = c.spf_records;
  return o;
}

}  // namespace

OffRamp::OffRamp(boost::asio::io_context& io, MailIntake& intake, UserService& users, Store& store,
                 SettingsService& settings, const MailConfig& config)
    : io_(io),
      intake_(intake),
      users_(users),
      store_(store),
      settings_(settings),
      config_(config),
      spf_(SpfFrom(config)) {}

OffRamp::~OffRamp() { password_checks_.join(); }

void OffRamp::Authenticate(const std::string& user, const std::string& password,
                           std::function<void(bool)> done) {
  boost::asio::post(password_checks_, [this, user, password, done = std::move(done)]() mutable {
    const bool ok = users_.AuthenticatePassword(user, password).ok();
    boost::asio::post(io_, [ok, done = std::move(done)] { done(ok); });
  });
}

bool OffRamp::IsOurDomain(const std::string& domain) const {
  if (config_.fax_domains.empty()) {
    return DomainMatches(domain, {config_.hostname, "localhost"});
  }
  return DomainMatches(domain, config_.fax_domains);
}

Result<User> OffRamp::Sender(const SmtpPeer& peer, const SmtpEnvelope& envelope) {
  if (peer.auth_user) {
    auto user = store_.FindUserByName(*peer.auth_user);
    if (!user.ok() || user->disabled || !user->fax_by_email) {
      return MakeError(ErrorCode::kPermissionDenied,
                       fmt::format("the user {} may not send faxes by mail", *peer.auth_user));
    }
    return std::move(*user);
  }
  return intake_.RegisteredSender(envelope.mail_from);
}

SmtpReply OffRamp::OnMailFrom(const SmtpPeer& peer, const SmtpEnvelope& envelope) {
  if (envelope.mail_from.empty()) return Ok("sender ok (delivery report)");
  if (envelope.declared_size > config_.max_message_bytes) {
    return {552, "5.3.4",
            fmt::format("the message is larger than the {} bytes faxgate accepts",
                        config_.max_message_bytes)};
  }
  auto sender = Sender(peer, envelope);
  if (!sender.ok()) {
    log::Get("mail")->warn("SMTP from {}: sender {} refused: {}", peer.client_ip,
                           envelope.mail_from, sender.error().message);
    return {550, "5.7.1",
            sender.error().message + "; authenticate (SMTP AUTH) or use a registered address"};
  }
  if (!peer.auth_user && settings_.Get().mail_require_spf) {
    SpfVerdict v = spf_.Check(peer.client_ip, peer.helo, envelope.mail_from);
    if (v != SpfVerdict::kPass) {
      log::Get("mail")->warn("SMTP from {}: sender {} refused: SPF {}", peer.client_ip,
                             envelope.mail_from, ToString(v));
      return {550, "5.7.23",
              fmt::format("SPF check of {} for {} gave '{}'; faxgate requires 'pass'",
                          envelope.mail_from, peer.client_ip, ToString(v))};
    }
  }
  return Ok("sender ok");
}

SmtpReply OffRamp::OnRcptTo(const SmtpPeer& peer, const SmtpEnvelope& envelope,
                            const SmtpRecipientParams& rcpt) {
  auto address = ParseMailAddress(rcpt.address);
  if (!address.ok()) return {501, "5.1.3", address.error().message};
  if (!IsOurDomain(address->domain)) {
    return {550, "5.7.1",
            fmt::format("faxgate does not relay mail to {}; it takes mail for its fax domains",
                        address->domain)};
  }
  if (envelope.mail_from.empty()) return Ok("recipient ok (delivery report)");
  auto fax = ParseFaxLocalPart(address->local_part);
  if (!fax.ok()) return {550, "5.1.3", fax.error().message};
  auto sender = Sender(peer, envelope);
  if (!sender.ok()) return {550, "5.7.1", sender.error().message};
  auto number = ParsePhoneNumber(fax->number, settings_.Get().dial_plan());
  if (!number.ok()) return {550, "5.1.1", number.error().message};
  if (Status allowed = CheckCallRights(*number, sender->rights); !allowed.ok()) {
    return {550, "5.7.1", allowed.error().message};
  }
  return Ok(fmt::format("fax to {} ok", number->display));
}

void OffRamp::OnMessage(const SmtpPeer& peer, const SmtpEnvelope& envelope, std::string message,
                        std::function<void(SmtpReply)> done) {
  done(Deliver(peer, envelope, message));
}

SmtpReply OffRamp::Deliver(const SmtpPeer& peer, const SmtpEnvelope& envelope,
                           const std::string& raw) {
  auto logger = log::Get("mail");
  if (envelope.mail_from.empty()) {
    if (!intake_.TakeReport(raw)) logger->info("mail from <> that is not a report; dropped");
    return Ok("report taken");
  }
  MimeLimits limits;
  limits.max_bytes = static_cast<size_t>(config_.max_message_bytes);
  auto mail = ParseMail(raw, limits);
  if (!mail.ok()) return {554, "5.6.0", mail.error().message};
  auto sender = Sender(peer, envelope);
  if (!sender.ok()) return {550, "5.7.1", sender.error().message};
  // The header From is what the user sees; without SMTP AUTH it must be the same user's too.
  if (!peer.auth_user) {
    auto from_user = store_.FindUserByEmail(mail->from_address);
    if (!from_user.ok() || from_user->id != sender->id) {
      return {550, "5.7.1",
              fmt::format("the From address {} does not belong to the sender {}",
                          mail->from_address, envelope.mail_from)};
    }
    if (settings_.Get().mail_require_dkim) {
      DkimOptions o;
      o.key_file = config_.dkim_keys;
      DkimVerdict v = VerifyDkim(raw, o);
      auto from = ParseMailAddress(mail->from_address);
      if (!v.pass || !from.ok() || !DkimAligned(from->domain, v.domain)) {
        return {550, "5.7.20",
                fmt::format("the mail carries no valid DKIM signature for {}: {}",
                            mail->from_address, v.pass ? "signed by " + v.domain : v.reason)};
      }
    }
  }
  MailFaxRequest request;
  request.sender = *sender;
  request.reply_to = envelope.mail_from;
  request.channel = "smtp";
  // An MTA that lost our 250 sends the same Message-ID again; a mail without one is taken as
  // new each time (two identical mails may well be meant as two faxes).
  if (!mail->message_id.empty()) request.message_key = MailIntake::MessageKey("smtp", *mail, raw);
  request.mail_subject = mail->subject;
  if (!envelope.recipients.empty()) request.mail_recipient = envelope.recipients[0].address;
  for (const SmtpRecipientParams& rcpt : envelope.recipients) {
    auto address = ParseMailAddress(rcpt.address);
    if (!address.ok()) continue;
    auto fax = ParseFaxLocalPart(address->local_part);
    if (!fax.ok()) continue;
    std::string name;
    if (auto attn = fax->options.find("ATTN"); attn != fax->options.end()) name = attn->second;
    for (char& c : name)
      if (c == '_') c = ' ';
    request.recipients.push_back({fax->number, name});
  }
  auto jobs = intake_.Submit(request, *mail);
  if (!jobs.ok()) {
    if (jobs.error().code == ErrorCode::kAlreadyExists) return Ok("already accepted before");
    if (jobs.error().code == ErrorCode::kIo || jobs.error().code == ErrorCode::kUnavailable ||
        jobs.error().code == ErrorCode::kInternal) {
      return {451, "4.3.0", "faxgate cannot store the mail now; try again later"};
    }
    return {554, "5.6.0", jobs.error().message};
  }
  std::string ids;
  for (const Job& j : *jobs) ids += (ids.empty() ? "" : ", ") + std::to_string(j.id);
  logger->info("SMTP from {}: mail from {} accepted as fax job(s) {}", peer.client_ip,
               envelope.mail_from, ids);
  return Ok(fmt::format("accepted as fax job(s) {}", ids));
}

}  // namespace faxgate::mail
