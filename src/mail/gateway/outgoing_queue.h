// The outgoing mail queue: every mail faxgate writes is committed to the store first, then
// handed to the configured relay by our SMTP client. A relay that is down or refuses for now
// delays mail and loses none: it is retried with back-off (1 min doubling to 1 h) until the
// queue lifetime ends. Runs on the control thread.
#pragma once

#include <memory>
#include <set>

#include <boost/asio/io_context.hpp>

#include "base/clock.h"
#include "base/config.h"
#include "store/spool.h"
#include "store/store.h"

namespace faxgate::mail {

class SmtpClient;
struct SmtpOutcome;

class OutgoingMailQueue {
 public:
  OutgoingMailQueue(boost::asio::io_context& io, Store& store, Spool& spool,
                    const MailConfig& config, const Clock& clock);
  ~OutgoingMailQueue();

  // Hands every due mail not already on its way to the relay.
  void SendDue();
  // Stops taking mail; mails on their way finish or are retried at the next start.
  void Stop();
  size_t in_flight() const { return in_flight_.size(); }

 private:
  void Deliver(QueuedMail mail, const MailServer& relay);
  void Settle(QueuedMail mail, const MailServer& relay, const SmtpOutcome& outcome);
  void RetryLater(QueuedMail& mail, const std::string& why);

  Store& store_;
  Spool& spool_;
  const MailConfig& config_;
  const Clock& clock_;
  std::unique_ptr<SmtpClient> client_;
  std::set<int64_t> in_flight_;
  bool stopped_ = false;
};

}  // namespace faxgate::mail
