// Private to the SMTP server: one client's conversation (RFC 5321 with PIPELINING, SIZE,
// 8BITMIME, ENHANCEDSTATUSCODES, STARTTLS, DSN, SMTPUTF8 and AUTH PLAIN/LOGIN), driven by the
// bytes its SmtpConnection delivers. Runs on the io_context's thread.
//
// Commands are taken in order from what the client sent (pipelined ones included) and answered
// as they are taken. While the handler decides (AUTH credentials, a message's commit) nothing
// more is read, and the rest of a pipelined batch waits in the buffer.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "mail/smtp_command.h"
#include "mail/smtp_connection.h"
#include "mail/smtp_data_reader.h"
#include "mail/smtp_server.h"

namespace faxgate::mail {

class SmtpSession;

// What a server's sessions share with it. Outlives the SmtpServer while sessions remain.
struct SmtpServerState {
  SmtpServerState(boost::asio::io_context& io, SmtpHandler& handler, SmtpServerOptions options)
      : handler(handler), options(std::move(options)), acceptor(io), accept_retry(io) {}

  SmtpHandler& handler;
  const SmtpServerOptions options;
  boost::asio::ip::tcp::acceptor acceptor;
  boost::asio::steady_timer accept_retry;  // after a failed accept (out of file descriptors)
  std::set<SmtpSession*> sessions;         // each session adds and removes itself
  bool stopped = false;                    // the handler is not called any more
};

class SmtpSession : public std::enable_shared_from_this<SmtpSession> {
 public:
  SmtpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<SmtpServerState> server);
  ~SmtpSession();

  // Greets the client and serves it until QUIT, an error limit, a timeout or Stop().
  void Start();
  // Closes the connection at once; a handler's late answer is dropped.
  void Stop();

 private:
  // The RFC 5321 states that matter here. A transaction (MAIL, RCPT, DATA) is tracked by
  // in_transaction_ inside kCommand.
  enum class State {
    kCommand,       // reading command lines
    kAuthResponse,  // reading the client's answer to a 334 challenge
    kData,          // reading the message after 354
    kWaiting,       // the handler is deciding; nothing is read
    kTlsHandshake,  // after 220 to STARTTLS
    kClosed,
  };
  enum class AuthStep { kPlain, kLoginUser, kLoginPassword };

  void ReadMore();
  void OnRead(const boost::system::error_code& ec, std::string_view bytes);
  // Works through the buffered input until it is used up or the session must wait.
  void Process();
  std::optional<std::string> TakeLine(bool* too_long);

  void Execute(std::string_view line);
  void Hello(const SmtpCommand& c);
  void Mail(const SmtpCommand& c);
  void Rcpt(const SmtpCommand& c);
  void Data();
  void StartTls();
  void Auth(const SmtpCommand& c);
  void AuthResponse(std::string_view line);
  void Verify(std::string user, std::string password);
  void EndOfData();

  // Runs `then` on the session's thread once the handler has called the function returned.
  // Waits for the handler: the function returned may be called from any thread, once; it runs
  // `then` on the session's thread. The session stays alive meanwhile.
  template <typename T>
  std::function<void(T)> Wait(void (SmtpSession::*then)(T));
  void OnAuthenticated(bool ok);
  void OnMessageDone(SmtpReply reply);
  void OnTlsStarted(bool ok);

  // Reply() counts syntax, sequence and authentication errors towards max_errors.
  void Reply(int code, std::string_view enhanced, std::string_view text);
  void Reply(const SmtpReply& r) { Reply(r.code, r.enhanced, r.text); }
  void Send(int code, std::string_view enhanced, std::string_view text);
  void SendLines(int code, const std::vector<std::string>& lines);
  void Close(int code, std::string_view enhanced, std::string_view text);
  void ResetTransaction();
  bool AuthOffered() const;

  std::shared_ptr<SmtpServerState> server_;
  const SmtpServerOptions& options_;
  const std::shared_ptr<spdlog::logger> log_;  // category "smtp"
  boost::asio::any_io_executor executor_;
  std::shared_ptr<SmtpConnection> connection_;
  std::shared_ptr<SmtpSession> self_while_waiting_;  // held while the handler decides
  std::string who_;                                  // "127.0.0.1:5555" for the log

  State state_ = State::kCommand;
  std::string input_;  // bytes received and not yet used, from input_pos_
  size_t input_pos_ = 0;
  bool overlong_ = false;  // dropping a command line that is too long, up to its end
  int errors_ = 0;
  int messages_ = 0;

  SmtpPeer peer_;
  bool greeted_ = false;  // EHLO or HELO since the start or STARTTLS
  bool in_transaction_ = false;
  bool mail_refused_ = false;  // the handler refused the last MAIL
  bool rcpt_tried_ = false;
  bool smtputf8_ = false;
  SmtpEnvelope envelope_;
  std::unique_ptr<SmtpDataReader> data_;
  AuthStep auth_step_ = AuthStep::kPlain;
  std::string auth_user_;  // AUTH LOGIN's user while its password is asked
};

}  // namespace faxgate::mail
