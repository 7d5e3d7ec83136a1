// The mail face, wired: the OffRamp SMTP listener, the shared-mailbox poller, OnRamp mails of
// received faxes, result mails of finished jobs and the outgoing mail queue. The store says what
// is left to do (receptions and jobs not mailed yet, mail due), so a sweep every few seconds and
// after every change picks it up, also after a crash. Runs on the control thread.
#pragma once

#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/clock.h"
#include "base/config.h"
#include "service/fax_service.h"
#include "service/settings_service.h"
#include "service/user_service.h"
#include "store/spool.h"
#include "store/store.h"

namespace faxgate::mail {

class MailTemplates;
class OutgoingMailQueue;
class OnRamp;
class ResultMailer;
class MailIntake;
class OffRamp;
class SmtpServer;
class MailboxPoller;

class MailGateway {
 public:
  MailGateway(boost::asio::io_context& io, const MailConfig& config, Store& store, Spool& spool,
              FaxService& faxes, UserService& users, SettingsService& settings, const Clock& clock);
  ~MailGateway();

  // Opens the SMTP listener (if configured) and starts the sweeps and the poller.
  Status Start();
  // Looks for work now (a fax ended, a mail server changed).
  void Kick();
  // The relay was added or changed: mail waiting for a later try goes now.
  void RelayChanged();
  void Stop();

  uint16_t smtp_port() const { return smtp_port_; }
  MailTemplates& templates() { return *templates_; }
  MailboxPoller& poller() { return *poller_; }

 private:
  void Sweep();
  void Arm();

  boost::asio::io_context& io_;
  const MailConfig& config_;
  Store& store_;
  const Clock& clock_;
  std::unique_ptr<MailTemplates> templates_;
  std::unique_ptr<OutgoingMailQueue> queue_;
  std::unique_ptr<OnRamp> onramp_;
  std::unique_ptr<ResultMailer> results_;
  std::unique_ptr<MailIntake> intake_;
  std::unique_ptr<OffRamp> offramp_;
  std::unique_ptr<SmtpServer> smtp_;
  std::unique_ptr<MailboxPoller> poller_;
  boost::asio::steady_timer timer_;
  uint16_t smtp_port_ = 0;
  bool stopped_ = false;
};

}  // namespace faxgate::mail
