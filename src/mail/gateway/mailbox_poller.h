// The shared mailbox (REQUIREMENTS S5, AOFAX style): every enabled POP3/IMAP server in the
// mail server settings is polled at the mail check interval (60-600 s), and IMAP folders are
// also watched with IDLE so that a new mail is taken at once. Each message is fetched on a
// worker thread, handled on the control thread (sender verified, subject parsed, jobs
// committed or a reply queued), and only then deleted from the mailbox. The store remembers
// every handled mail by Message-ID, so a crash between commit and delete sends nothing twice.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "base/config.h"
#include "mail/gateway/mail_intake.h"
#include "service/settings_service.h"
#include "service/user_service.h"

namespace faxgate::mail {

class ImapIdleWatcher;

class MailboxPoller {
 public:
  MailboxPoller(boost::asio::io_context& io, Store& store, MailIntake& intake, UserService& users,
                SettingsService& settings, const MailConfig& config);
  ~MailboxPoller();

  void Start();
  // Polls every mailbox now (the servers' settings are read again).
  void PollNow();
  void Stop();

  // What a fetched message became; exposed for tests.
  enum class Outcome { kSubmitted, kRefused, kDuplicate, kRetryLater };
  Outcome Handle(const MailServer& server, const std::string& raw);

 private:
  void Arm();
  void Poll(const MailServer& server);
  void Watch(const std::vector<MailServer>& servers);
  Result<User> VerifySender(const ParsedMail& mail, const std::string& password_in_subject,
                            const MailServer& server, std::string_view raw);

  boost::asio::io_context& io_;
  Store& store_;
  MailIntake& intake_;
  UserService& users_;
  SettingsService& settings_;
  const MailConfig& config_;
  boost::asio::steady_timer timer_;
  boost::asio::thread_pool fetchers_{1};
  std::map<std::string, std::unique_ptr<ImapIdleWatcher>> watchers_;  // by server name
  std::atomic<bool> stopped_{false};
  std::atomic<bool> polling_{false};
  std::atomic<bool> poll_again_{false};
};

}  // namespace faxgate::mail
