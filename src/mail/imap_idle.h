// Watches an IMAP folder with IDLE (RFC 2177) so that a mail in the shared mailbox is taken at
// once instead of at the next poll: STARTTLS/TLS, LOGIN, SELECT, IDLE; "* n EXISTS" wakes the
// caller. IDLE is re-issued every 29 minutes; errors reconnect with back-off (5 s doubling to
// 5 min). A server without IDLE is reported once and left to polling. Runs on an io_context.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "mail/mailbox_client.h"

namespace faxgate::mail {

class ImapIdleWatcher {
 public:
  ImapIdleWatcher(boost::asio::io_context& io, MailboxServer server,
                  std::function<void()> on_new_mail,
                  std::function<void(const std::string&)> on_error);
  ~ImapIdleWatcher();

  void Start();
  void Stop();
  void set_reidle_interval(std::chrono::seconds s);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace faxgate::mail
