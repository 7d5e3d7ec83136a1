// Test support for the SMTP client: a scripted SMTP server on 127.0.0.1 (plain blocking
// sockets on a thread of its own, one connection) that records what it receives, and a
// capture of the "smtp" log.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "mail/smtp_client.h"

namespace faxgate::mail::testing {

struct FakeSmtpScript {
  std::string banner = "220 fake.test ESMTP";  // "" sends nothing at all
  std::vector<std::string> extensions = {"PIPELINING", "SIZE 10000000", "8BITMIME", "DSN",
                                         "ENHANCEDSTATUSCODES"};
  bool refuse_ehlo = false;  // "502 5.5.2 Error: command not recognized"
  std::string auth_reply = "235 2.7.0 Authentication successful";
  std::string mail_reply = "250 2.1.0 Ok";
  std::map<std::string, std::string> rcpt_replies;  // by address; others "250 2.1.5 Ok"
  std::string message_reply = "250 2.0.0 Ok: queued as 4711";
  enum class Cut {
    kNever,
    kInMessage,     // reset the connection after the first bytes of the message
    kAfterMessage,  // close after the whole message, without an answer
  } cut = Cut::kNever;
};

class FakeSmtpServer {
 public:
  explicit FakeSmtpServer(FakeSmtpScript script);
  ~FakeSmtpServer();

  uint16_t port() const { return port_; }
  // Waits until the conversation is over (the client closed); then the records below hold.
  void Wait();
  // Stops taking connections (a client that never came), then waits.
  void Stop();

  bool connected() const { return connected_; }
  // Every line the client sent outside the message, in order.
  std::vector<std::string> commands() const;
  // The commands answered together: with PIPELINING offered, MAIL and RCPT are answered only
  // once DATA has come, so a client that waits for their answers never gets one.
  const std::vector<std::vector<std::string>>& batches() const { return batches_; }
  // The message as it came over the wire (dot-stuffed), without the final "." line.
  const std::string& message() const { return message_; }
  // user and password from AUTH PLAIN or LOGIN, decoded.
  const std::string& auth_user() const { return auth_user_; }
  const std::string& auth_password() const { return auth_password_; }

 private:
  void Serve();
  bool Converse(int fd);
  bool ReadLine(int fd, std::string* line);
  bool ReadMessage(int fd);

  FakeSmtpScript script_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::string in_;
  bool connected_ = false;
  std::vector<std::vector<std::string>> batches_;
  std::string message_;
  std::string auth_user_, auth_password_;
};

// The SMTP client against a server: sends and runs an io_context until the outcome is in.
SmtpOutcome SendMail(const SmtpRelay& relay, OutgoingMail mail);
// A relay at 127.0.0.1:port, opportunistic TLS, short timeout.
SmtpRelay LocalRelay(uint16_t port);

// Real Postfix + Dovecot on loopback from scripts/mailenv, in a root of its own under /tmp. Its
// certificate names mail.fax.test and IP 127.0.0.1, so that the client can check it.
class PostfixEnvironment {
 public:
  static bool Installed();

  PostfixEnvironment();
  ~PostfixEnvironment();  // Stop()

  // setup, the certificate, start; another port base when one is taken. The error carries the
  // scripts' output.
  Status Start();
  // scripts/mailenv/stop: kills the PIDs start recorded and waits for the ports; removes the
  // root.
  void Stop();

  uint16_t relay_port() const { return static_cast<uint16_t>(base_ + 25); }
  uint16_t submission_port() const { return static_cast<uint16_t>(base_ + 87); }
  std::string ca_file() const { return (root_ / "cert.pem").string(); }
  // The first mail in user@fax.test's Maildir containing `needle`, waiting up to `patience`
  // for Postfix and Dovecot to deliver it; "" when none came.
  std::string WaitForMail(const std::string& user, const std::string& needle,
                          std::chrono::seconds patience) const;

 private:
  Status Run(const std::string& command) const;

  std::filesystem::path root_;
  int base_ = 0;
  bool started_ = false;
};

// Collects what the "smtp" category logs, down to trace, while it lives.
class SmtpLogCapture {
 public:
  SmtpLogCapture();
  ~SmtpLogCapture();
  std::string text() const;

 private:
  class Sink;
  std::shared_ptr<Sink> sink_;
  int old_level_;
};

}  // namespace faxgate::mail::testing
