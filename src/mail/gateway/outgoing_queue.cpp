#include "mail/gateway/outgoing_queue.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/files.h"
#include "base/log.h"
#include "mail/smtp_client.h"

namespace faxgate::mail {
namespace {

constexpr int kMaxInFlight = 8;  // mails handed to the relay at once
constexpr int kBatch = 32;

// retry_s (a minute), then twice as long each time, up to an hour between tries.
std::chrono::seconds Backoff(int attempts, int first_s) {
  const int shift = std::clamp(attempts - 1, 0, 12);
  return std::min(std::chrono::seconds(int64_t{first_s} << shift), std::chrono::seconds(3600));
}

std::optional<MailServer> FindRelay(Store& store) {
  auto servers = store.ListMailServers();
  if (!servers.ok()) return std::nullopt;
  for (const MailServer& s : *servers)
    if (s.enabled && s.protocol == "smtp") return s;
  return std::nullopt;
}

SmtpRelay ToRelay(const MailServer& s, const MailConfig& config) {
  SmtpRelay r;
  r.host = s.host;
  r.port = static_cast<uint16_t>(s.port != 0 ? s.port : (s.tls == "implicit" ? 465 : 25));
  r.tls = s.tls == "starttls" ? "starttls" : s.tls;
  r.verify_certificate = s.verify_certificate;
  r.ca_file = s.ca_file;
  r.user = s.user;
  r.password = s.password;
  r.helo_name = config.hostname;
  return r;
}

std::string Describe(const QueuedMail& m) {
  std::string to;
  for (const auto& r : m.recipients) to += (to.empty() ? "" : ", ") + r.address;
  return fmt::format("mail {} ({}) to {}", m.id, m.kind, to);
}

}  // namespace

OutgoingMailQueue::OutgoingMailQueue(boost::asio::io_context& io, Store& store, Spool& spool,
                                     const MailConfig& config, const Clock& clock)
    : store_(store),
      spool_(spool),
      config_(config),
      clock_(clock),
      client_(std::make_unique<SmtpClient>(io)) {}

OutgoingMailQueue::~OutgoingMailQueue() = default;

void OutgoingMailQueue::Stop() { stopped_ = true; }

void OutgoingMailQueue::SendDue() {
  if (stopped_ || in_flight_.size() >= kMaxInFlight) return;
  auto due = store_.ListDueMail(clock_.Now(), kBatch);
  if (!due.ok()) {
    log::Get("mail")->error("cannot read the outgoing mail queue: {}", due.error().message);
    return;
  }
  if (due->empty()) return;
  std::optional<MailServer> relay = FindRelay(store_);
  for (QueuedMail& m : *due) {
    if (in_flight_.count(m.id)) continue;
    if (in_flight_.size() >= kMaxInFlight) break;
    if (!relay) {
      RetryLater(m, "no SMTP server is configured for outgoing mail (add one under mail servers)");
      continue;
    }
    Deliver(std::move(m), *relay);
  }
}

void OutgoingMailQueue::Deliver(QueuedMail mail, const MailServer& relay) {
  auto data = ReadFile(spool_.PathOf(mail.message_hash));
  if (!data.ok()) {
    mail.state = QueuedMailState::kFailed;
    mail.last_result =
        fmt::format("the message text is missing from the spool: {}", data.error().message);
    log::Get("mail")->error("{}: {}", Describe(mail), mail.last_result);
    (void)store_.UpdateQueuedMail(mail);
    return;
  }
  OutgoingMail out;
  out.mail_from = mail.mail_from;
  out.ret = mail.ret;
  out.envid = mail.envid;
  out.data = std::move(*data);
  for (const QueuedMailRecipient& r : mail.recipients) {
    if (!r.outcome.empty() && r.outcome.rfind("accepted", 0) == 0) continue;  // sent before
    out.recipients.push_back({r.address, r.notify, r.orcpt});
  }
  in_flight_.insert(mail.id);
  const int64_t id = mail.id;
  log::Get("mail")->debug("{}: handing to {}:{}", Describe(mail), relay.host, relay.port);
  client_->Send(ToRelay(relay, config_), std::move(out),
                [this, id, mail = std::move(mail), relay](SmtpOutcome outcome) mutable {
                  in_flight_.erase(id);
                  Settle(std::move(mail), relay, outcome);
                  // Keep the relay busy: the next due mail goes now, not at the next sweep.
                  SendDue();
                });
}

void OutgoingMailQueue::Settle(QueuedMail mail, const MailServer& relay,
                               const SmtpOutcome& outcome) {
  ++mail.attempts;
  for (const RecipientResult& r : outcome.recipients) {
    for (QueuedMailRecipient& q : mail.recipients) {
      if (q.address != r.address) continue;
      q.outcome = r.accepted ? fmt::format("accepted by {} ({} {})", relay.host, r.code, r.enhanced)
                             : fmt::format("refused by {}: {} {} {}", relay.host, r.code,
                                           r.enhanced, r.text);
    }
  }
  mail.last_result = outcome.summary;
  auto logger = log::Get("mail");
  switch (outcome.kind) {
    case SmtpOutcome::Kind::kDelivered:
    case SmtpOutcome::Kind::kPartly:
      mail.state = QueuedMailState::kSent;
      mail.sent_at = clock_.Now();
      logger->info("{}: {}", Describe(mail), outcome.summary);
      break;
    case SmtpOutcome::Kind::kPermanent:
      mail.state = QueuedMailState::kFailed;
      logger->error("{}: given up: {}", Describe(mail), outcome.summary);
      (void)store_.AppendEvent(
          {0, clock_.Now(), "error", "mail", fmt::format("mail {}", mail.id),
           fmt::format("{} was refused: {}", Describe(mail), outcome.summary)});
      break;
    case SmtpOutcome::Kind::kTemporary:
    case SmtpOutcome::Kind::kConfig:
      if (outcome.kind == SmtpOutcome::Kind::kConfig) {
        (void)store_.AppendEvent(
            {0, clock_.Now(), "error", "mail", "mail relay",
             fmt::format("the mail relay {} needs attention: {}", relay.name, outcome.summary)});
      }
      RetryLater(mail, outcome.summary);
      return;
  }
  if (Status s = store_.UpdateQueuedMail(mail); !s.ok())
    logger->error("{}: cannot record the outcome: {}", Describe(mail), s.error().message);
}

void OutgoingMailQueue::RetryLater(QueuedMail& mail, const std::string& why) {
  auto logger = log::Get("mail");
  mail.last_result = why;
  const TimePoint now = clock_.Now();
  if (now - mail.created_at >= std::chrono::hours(config_.queue_lifetime_h)) {
    mail.state = QueuedMailState::kFailed;
    logger->error("{}: given up after {} h in the queue: {}", Describe(mail),
                  config_.queue_lifetime_h, why);
  } else {
    mail.next_try_at = now + Backoff(std::max(mail.attempts, 1), config_.retry_s);
    logger->warn(
        "{}: not sent ({}); next try at {}", Describe(mail), why,
        std::chrono::duration_cast<std::chrono::seconds>(mail.next_try_at - now).count() > 0
            ? fmt::format(
                  "+{} s",
                  std::chrono::duration_cast<std::chrono::seconds>(mail.next_try_at - now).count())
            : "once");
  }
  if (Status s = store_.UpdateQueuedMail(mail); !s.ok())
    logger->error("{}: cannot record the retry: {}", Describe(mail), s.error().message);
}

}  // namespace faxgate::mail
