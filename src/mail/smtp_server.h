// The OffRamp SMTP listener (RFC 5321; PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES,
// STARTTLS, DSN, SMTPUTF8, AUTH PLAIN/LOGIN). It runs on the control io_context; a slow or
// hostile client never blocks the others. What a mail means is the handler's business.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "base/result.h"

namespace faxgate::mail {

struct SmtpReply {
  int code = 250;
  std::string enhanced;  // "5.1.1"
  std::string text;
};

struct SmtpPeer {
  std::string client_ip;
  uint16_t client_port = 0;
  std::string helo;
  bool tls = false;
  std::optional<std::string> auth_user;  // the faxgate user who authenticated
};

struct SmtpRecipientParams {
  std::string address;
  std::string notify;  // DSN NOTIFY
  std::string orcpt;
};

struct SmtpEnvelope {
  std::string mail_from;  // "" for <>
  std::string ret, envid;
  int64_t declared_size = 0;
  std::string body;                             // BODY=7BIT|8BITMIME
  std::vector<SmtpRecipientParams> recipients;  // the accepted ones
};

class SmtpHandler {
 public:
  virtual ~SmtpHandler() = default;
  // AUTH: calls done once, on any thread.
  virtual void Authenticate(const std::string& user, const std::string& password,
                            std::function<void(bool)> done) = 0;
  virtual SmtpReply OnMailFrom(const SmtpPeer& peer, const SmtpEnvelope& envelope) = 0;
  virtual SmtpReply OnRcptTo(const SmtpPeer& peer, const SmtpEnvelope& envelope,
                             const SmtpRecipientParams& rcpt) = 0;
  // The message, dot-stuffing undone, CRLF line ends. Calls done once, on any thread, and only
  // when the mail is safe: the final 250 promises the sender's MTA that nothing will be lost.
  virtual void OnMessage(const SmtpPeer& peer, const SmtpEnvelope& envelope, std::string message,
                         std::function<void(SmtpReply)> done) = 0;
};

struct SmtpServerOptions {
  std::string hostname = "localhost";
  int64_t max_message_bytes = 25 << 20;
  int max_recipients = 100;
  std::chrono::seconds timeout{300};  // RFC 5321 4.5.3.2: at least 5 minutes
  int max_connections = 200;
  int max_errors = 10;                             // bad commands before 421
  std::shared_ptr<boost::asio::ssl::context> tls;  // null: no STARTTLS
  bool auth_requires_tls = true;                   // AUTH offered only after STARTTLS
};

class SmtpServer {
 public:
  SmtpServer(boost::asio::io_context& io, SmtpHandler& handler, SmtpServerOptions options);
  ~SmtpServer();

  // Port 0 takes any free port. SO_REUSEADDR only, never SO_REUSEPORT.
  Result<uint16_t> Listen(const std::string& host, uint16_t port);
  void Stop();
  size_t active_sessions() const;

  struct Shared;  // what sessions share with the server (options, handler, live sessions)

 private:
  void Accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace faxgate::mail
