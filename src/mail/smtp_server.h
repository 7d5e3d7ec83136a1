// The OffRamp SMTP listener: RFC 5321 with PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES,
// STARTTLS, DSN, SMTPUTF8 and AUTH PLAIN/LOGIN. It runs on the control thread's io_context
// next to HTTP, so it never blocks: a slow or hostile client costs a socket and a timer, not the
// others' service. What a mail means (which fax numbers, which user) is the handler's business.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>  // for handlers that answer from another thread
#include <boost/asio/ssl/context.hpp>

#include "base/result.h"

namespace faxgate::mail {

// An SMTP answer, e.g. {550, "5.1.1", "no such fax number 12x"}.
struct SmtpReply {
  int code = 250;
  std::string enhanced;  // RFC 3463 status code, "" for none
  std::string text;      // one line; CR and LF are replaced by spaces on the wire
};

struct SmtpPeer {
  std::string client_ip;
  uint16_t client_port = 0;
  std::string helo;  // the name given with EHLO or HELO
  bool tls = false;
  std::optional<std::string> auth_user;  // the faxgate user who authenticated, if any
};

struct SmtpRecipientParams {
  std::string address;  // as in RCPT TO:<...>
  std::string notify;   // DSN NOTIFY=, upper case ("SUCCESS,FAILURE"), "" if not given
  std::string orcpt;    // DSN ORCPT=, xtext decoded ("rfc822;alice@example.com")
};

struct SmtpEnvelope {
  std::string mail_from;                        // "" for <>
  std::string ret;                              // DSN RET=: "FULL", "HDRS" or ""
  std::string envid;                            // DSN ENVID=, xtext decoded
  int64_t declared_size = 0;                    // MAIL SIZE=, 0 if not given
  std::string body;                             // BODY=: "7BIT", "8BITMIME" or ""
  std::vector<SmtpRecipientParams> recipients;  // the accepted ones
};

// What the OffRamp does with mail. Called on the io_context's thread.
class SmtpHandler {
 public:
  virtual ~SmtpHandler() = default;
  // AUTH PLAIN or LOGIN: checks the credentials (may take a while: argon2). Calls done(true or
  // false) once, from any thread.
  virtual void Authenticate(const std::string& user, const std::string& password,
                            std::function<void(bool)> done) = 0;
  // envelope.mail_from and the MAIL parameters are set. A 2xx opens the transaction.
  virtual SmtpReply OnMailFrom(const SmtpPeer& peer, const SmtpEnvelope& envelope) = 0;
  // One recipient; the envelope has those accepted so far. A 2xx accepts it; 550 "5.1.1" or
  // 553 refuse it now rather than bounce later.
  virtual SmtpReply OnRcptTo(const SmtpPeer& peer, const SmtpEnvelope& envelope,
                             const SmtpRecipientParams& rcpt) = 0;
  // The whole message, dot-stuffing undone, CRLF line ends. Calls done(reply) once, from any
  // thread, and only when the mail is safe: the final 250 promises the sending MTA that nothing
  // will be lost. done must be called before the io_context is destroyed.
  virtual void OnMessage(const SmtpPeer& peer, const SmtpEnvelope& envelope, std::string message,
                         std::function<void(SmtpReply)> done) = 0;
};

struct SmtpServerOptions {
  std::string hostname = "localhost";    // in the greeting and the EHLO reply
  int64_t max_message_bytes = 25 << 20;  // SIZE; 552 on a larger MAIL SIZE= or message
  int max_recipients = 100;              // per mail; 452 beyond (RFC 5321 asks for 100 at least)
  std::chrono::seconds timeout{300};     // a client silent this long gets 421 (RFC 5321 4.5.3.2)
  int max_connections = 200;             // more get 421
  int max_errors = 10;                   // syntax, sequence and AUTH errors before 421
  std::shared_ptr<boost::asio::ssl::context> tls;  // null: no STARTTLS
  bool auth_requires_tls = true;                   // AUTH offered only after STARTTLS
};

struct SmtpServerState;

// Call everything on the io_context's thread.
class SmtpServer {
 public:
  SmtpServer(boost::asio::io_context& io, SmtpHandler& handler, SmtpServerOptions options);
  ~SmtpServer();  // Stop()s
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  // Starts accepting on an IP address; port 0 takes any free port, which is returned.
  // SO_REUSEADDR only, never SO_REUSEPORT: a second faxgate cannot share the port.
  Result<uint16_t> Listen(const std::string& host, uint16_t port);
  // Closes the listener and every session, at once. A mail not yet answered with 250 is the
  // sending MTA's to retry; a handler's late done() is ignored.
  void Stop();
  size_t active_sessions() const;

 private:
  std::shared_ptr<SmtpServerState> state_;
};

}  // namespace faxgate::mail
