// Private to the SMTP server: one client connection, run as a coroutine.
#pragma once

#include <memory>
#include <set>

#include <boost/asio/steady_timer.hpp>

#include "mail/smtp_server.h"
#include "mail/smtp_stream.h"

namespace faxgate::mail {

class SmtpSession;

struct SmtpServer::Shared {
  SmtpHandler* handler = nullptr;
  SmtpServerOptions options;
  std::set<SmtpSession*> sessions;
  bool stopped = false;
};

class SmtpSession : public std::enable_shared_from_this<SmtpSession> {
 public:
  SmtpSession(asio::ip::tcp::socket socket, std::shared_ptr<SmtpServer::Shared> shared);
  // Runs the conversation to its end on the socket's io_context.
  void Start();
  // Closes the connection (server stopping).
  void Close();

 private:
  asio::awaitable<void> Run();
  // By value: the strings live in the coroutine frame, not in the caller's temporaries.
  asio::awaitable<bool> Reply(int code, std::string enhanced, std::string text);
  asio::awaitable<bool> Reply(const SmtpReply& r) { return Reply(r.code, r.enhanced, r.text); }
  asio::awaitable<bool> Ehlo(const std::string& name, bool extended);
  asio::awaitable<bool> StartTls();
  asio::awaitable<bool> Auth(const std::string& argument);
  asio::awaitable<bool> Mail(const struct SmtpCommand& c);
  asio::awaitable<bool> Rcpt(const struct SmtpCommand& c);
  asio::awaitable<bool> Data();
  void ArmTimeout();
  void ResetTransaction();
  bool AuthOffered() const;

  SmtpStream stream_;
  std::shared_ptr<SmtpServer::Shared> shared_;
  asio::steady_timer deadline_;
  SmtpPeer peer_;
  SmtpEnvelope envelope_;
  bool have_helo_ = false;
  bool have_mail_ = false;
  bool timed_out_ = false;
  int errors_ = 0;
  int last_code_ = 0;
  std::string log_name_;
};

}  // namespace faxgate::mail
