// Watches an IMAP folder with IDLE (RFC 2177) so that a mail in the shared mailbox is taken at
// once, not at the next poll. Connects, secures the session (STARTTLS or implicit TLS, as the
// MailboxServer says), logs in, SELECTs the folder and IDLEs; on_new_mail() then runs whenever
// the server reports that the folder grew (* n EXISTS), and once right after SELECT when the
// folder is not empty. The watcher only says "look now": fetching stays with MailboxClient.
//
// IDLE is re-issued every 29 minutes (RFC 2177: servers may drop a client idle for 30); the
// server must answer that within the timeout, which also finds dead connections. After an
// error the watcher calls on_error(text) and reconnects after 5 s, doubling up to 5 min. A
// server without IDLE gets on_error("... does not support IDLE") once and no more attempts:
// the caller polls instead.
//
// Runs on `io` (faxgate's control io_context): the callbacks run there, and Start(), Stop() and
// set_reidle_interval() must be called there too (or while `io` is not running).
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
  // Stops.
  ~ImapIdleWatcher();
  ImapIdleWatcher(const ImapIdleWatcher&) = delete;
  ImapIdleWatcher& operator=(const ImapIdleWatcher&) = delete;

  void Start();
  // Closes the connection at once, without waiting for the server; no callback runs after it.
  void Stop();
  // For tests; applies from the next IDLE on. Default 29 minutes.
  void set_reidle_interval(std::chrono::seconds s);

 private:
  class Session;
  std::shared_ptr<Session> session_;
};

}  // namespace faxgate::mail
