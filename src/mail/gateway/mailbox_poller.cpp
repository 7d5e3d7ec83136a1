#include "mail/gateway/mailbox_poller.h"

#include <future>

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "base/log.h"
#include "mail/authentication_results.h"
#include "mail/imap_idle.h"
#include "mail/mail_address.h"
#include "mail/mailbox_client.h"
#include "mail/sender_checks.h"
#include "mail/subject_recipients.h"

namespace faxgate::mail {
namespace {

MailboxServer ToMailbox(const MailServer& s) {
  MailboxServer m;
  m.protocol = s.protocol;
  m.host = s.host;
  m.port = static_cast<uint16_t>(s.port);
  m.tls = s.tls;
  m.verify_certificate = s.verify_certificate;
  m.ca_file = s.ca_file;
  m.user = s.user;
  m.password = s.password;
  m.folder = s.folder.empty() ? "INBOX" : s.folder;
  return m;
}

std::vector<MailServer> Mailboxes(Store& store) {
  std::vector<MailServer> out;
  if (auto servers = store.ListMailServers(); servers.ok()) {
    for (const MailServer& s : *servers)
      if (s.enabled && (s.protocol == "pop3" || s.protocol == "imap")) out.push_back(s);
  }
  return out;
}

}  // namespace

MailboxPoller::MailboxPoller(boost::asio::io_context& io, Store& store, MailIntake& intake,
                             UserService& users, SettingsService& settings,
                             const MailConfig& config)
    : io_(io),
      store_(store),
      intake_(intake),
      users_(users),
      settings_(settings),
      config_(config),
      timer_(io) {}

MailboxPoller::~MailboxPoller() {
  Stop();
  fetchers_.join();
}

void MailboxPoller::Start() {
  PollNow();
  Arm();
}

void MailboxPoller::Stop() {
  stopped_ = true;
  timer_.cancel();
  for (auto& [name, w] : watchers_) w->Stop();
  watchers_.clear();
}

void MailboxPoller::Arm() {
  if (stopped_) return;
  timer_.expires_after(std::chrono::seconds(settings_.Get().mail_check_interval_s));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    PollNow();
    Arm();
  });
}

void MailboxPoller::PollNow() {
  if (stopped_) return;
  if (polling_.exchange(true)) {
    poll_again_ = true;  // a poll is running: take what arrived meanwhile right after it
    return;
  }
  std::vector<MailServer> servers = Mailboxes(store_);
  Watch(servers);
  boost::asio::post(fetchers_, [this, servers] {
    for (const MailServer& s : servers) {
      if (stopped_) break;
      Poll(s);
    }
    boost::asio::post(io_, [this] {
      polling_ = false;
      if (poll_again_.exchange(false)) PollNow();
    });
  });
}

void MailboxPoller::Watch(const std::vector<MailServer>& servers) {
  for (const MailServer& s : servers) {
    if (s.protocol != "imap" || watchers_.count(s.name)) continue;
    auto watcher = std::make_unique<ImapIdleWatcher>(
        io_, ToMailbox(s), [this] { PollNow(); },
        [name = s.name](const std::string& why) {
          log::Get("mail")->warn("mailbox {}: IDLE: {}", name, why);
        });
    watcher->Start();
    watchers_[s.name] = std::move(watcher);
  }
}

// On the fetcher thread: list, fetch, let the control thread handle, then delete.
void MailboxPoller::Poll(const MailServer& server) {
  auto logger = log::Get("mail");
  MailboxClient client(ToMailbox(server));
  auto entries = client.List();
  if (!entries.ok()) {
    logger->warn("mailbox {}: {}", server.name, entries.error().message);
    return;
  }
  if (!entries->empty()) logger->debug("mailbox {}: {} message(s)", server.name, entries->size());
  for (const MailboxEntry& e : *entries) {
    if (stopped_) return;
    auto raw = client.Fetch(e.uid);
    if (!raw.ok()) {
      logger->warn("mailbox {}: message {}: {}", server.name, e.uid, raw.error().message);
      continue;
    }
    auto handled = std::make_shared<std::promise<Outcome>>();
    std::future<Outcome> outcome = handled->get_future();
    boost::asio::post(io_, [this, server, raw = std::move(*raw), handled] {
      handled->set_value(Handle(server, raw));
    });
    // The control thread may be stopping; never wait for it forever.
    while (outcome.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready) {
      if (stopped_ || io_.stopped()) return;
    }
    if (outcome.get() == Outcome::kRetryLater) continue;
    if (Status s = client.Delete(e.uid); !s.ok()) {
      logger->warn("mailbox {}: message {} handled but not deleted: {}", server.name, e.uid,
                   s.error().message);
    }
  }
}

Result<User> MailboxPoller::VerifySender(const ParsedMail& mail,
                                         const std::string& password_in_subject,
                                         const MailServer& server, std::string_view raw) {
  FG_ASSIGN_OR_RETURN(User user, intake_.RegisteredSender(mail.from_address));
  const SystemSettings s = settings_.Get();
  if (s.mail_password_auth) {
    if (password_in_subject.empty()) {
      return MakeError(ErrorCode::kPermissionDenied,
                       "the subject must end with ':' and your faxgate password");
    }
    if (!users_.AuthenticatePassword(user.name, password_in_subject).ok()) {
      return MakeError(ErrorCode::kPermissionDenied,
                       "the password at the end of the subject is wrong");
    }
  }
  if (s.mail_require_dkim) {
    DkimOptions o;
    o.key_file = config_.dkim_keys;
    DkimVerdict v = VerifyDkim(raw, o);
    auto from = ParseMailAddress(mail.from_address);
    if (!v.pass || !from.ok() || !DkimAligned(from->domain, v.domain)) {
      return MakeError(ErrorCode::kPermissionDenied,
                       fmt::format("the mail carries no valid DKIM signature for {} ({})",
                                   mail.from_address, v.pass ? "signed by " + v.domain : v.reason));
    }
  }
  if (s.mail_require_spf) {
    // The poller never sees the sending server, so SPF is the verdict the mailbox's own server
    // recorded, and it must be for the From domain (or its parent).
    std::vector<std::string> trusted = config_.trusted_authserv_ids;
    if (trusted.empty()) trusted.push_back(server.host);
    SpfFromHeaders spf = SpfFromAuthenticationResults(mail.authentication_results, trusted);
    auto from = ParseMailAddress(mail.from_address);
    if (!spf.pass || !from.ok() || !DkimAligned(from->domain, spf.domain)) {
      return MakeError(ErrorCode::kPermissionDenied,
                       fmt::format("the mail from {} did not pass SPF ({})", mail.from_address,
                                   spf.pass ? "checked for " + spf.domain : spf.reason));
    }
  }
  return user;
}

MailboxPoller::Outcome MailboxPoller::Handle(const MailServer& server, const std::string& raw) {
  auto mail = ParseMail(raw);
  const std::string channel = fmt::format("mailbox:{}", server.name);
  if (!mail.ok()) {
    ParsedMail empty;
    const std::string key = MailIntake::MessageKey(channel, empty, raw);
    if (auto seen = store_.MailSeen(key); seen.ok() && *seen) return Outcome::kDuplicate;
    return intake_.Refuse(empty, key, "", mail.error().message).ok() ? Outcome::kRefused
                                                                     : Outcome::kRetryLater;
  }
  const std::string key = MailIntake::MessageKey(channel, *mail, raw);
  auto seen = store_.MailSeen(key);
  if (!seen.ok()) return Outcome::kRetryLater;
  if (*seen) return Outcome::kDuplicate;
  if (mail->is_report) {
    intake_.TakeReport(raw);
    return intake_.Refuse(*mail, key, "", "a delivery report").ok() ? Outcome::kRefused
                                                                    : Outcome::kRetryLater;
  }
  auto subject = ParseSubjectRecipients(mail->subject);
  // Whatever happens next, the password is never echoed or logged.
  mail->subject = RedactSubjectPassword(mail->subject);
  auto refuse = [&](const std::string& reason) {
    return intake_.Refuse(*mail, key, mail->from_address, reason).ok() ? Outcome::kRefused
                                                                       : Outcome::kRetryLater;
  };
  const std::string password = subject.ok() && subject->password ? *subject->password : "";
  auto user = VerifySender(*mail, password, server, raw);
  if (!user.ok()) return refuse(user.error().message);
  if (!subject.ok()) return refuse(subject.error().message);
  MailFaxRequest request;
  request.sender = *user;
  request.reply_to = mail->from_address;
  request.channel = "mailbox";
  request.message_key = key;
  request.mail_subject = mail->subject;
  request.mail_recipient = server.user.find('@') != std::string::npos
                               ? server.user
                               : (mail->to.empty() ? server.user : mail->to[0]);
  for (const SubjectRecipient& r : subject->recipients) {
    std::string name = r.name;
    if (!r.second_name.empty()) name += (name.empty() ? "" : " / ") + r.second_name;
    request.recipients.push_back({r.number, name});
  }
  auto jobs = intake_.Submit(request, *mail);
  if (jobs.ok()) return Outcome::kSubmitted;
  switch (jobs.error().code) {
    case ErrorCode::kAlreadyExists:
      return Outcome::kDuplicate;
    case ErrorCode::kIo:
    case ErrorCode::kUnavailable:
    case ErrorCode::kInternal:
      log::Get("mail")->error("mailbox {}: mail {} kept for the next poll: {}", server.name,
                              mail->message_id, jobs.error().message);
      return Outcome::kRetryLater;
    default:
      return refuse(jobs.error().message);
  }
}

}  // namespace faxgate::mail
