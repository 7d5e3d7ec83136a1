// Private to the SMTP client: one mail's conversation with the relay (RFC 5321 3.3), as a chain
// of callbacks on the io_context's thread:
//   Connect -> greeting -> EHLO (HELO when refused) -> STARTTLS -> EHLO -> AUTH
//   -> MAIL, RCPT..., DATA (one write with PIPELINING) -> message -> QUIT.
// Each step either goes on to the next or ends the conversation with an SmtpOutcome.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "mail/smtp_client.h"
#include "mail/smtp_client_envelope.h"
#include "mail/smtp_reply.h"

namespace faxgate::mail {

class SmtpClientTransport;

class SmtpClientSession : public std::enable_shared_from_this<SmtpClientSession> {
 public:
  SmtpClientSession(boost::asio::io_context& io, SmtpRelay relay, OutgoingMail mail,
                    std::function<void(SmtpOutcome)> done);
  ~SmtpClientSession();

  // Begins from a fresh handler, so that `done` never runs inside SmtpClient::Send.
  void Start();
  void Cancel();

 private:
  using Next = std::function<void(ServerReply)>;

  // The steps, in the order they happen.
  void Begin();
  void Connect();
  void ReadGreeting();
  void Ehlo();
  void Helo();
  void AfterHello();
  void StartTls();
  void Handshake(std::string_view command, std::function<void()> then);
  void Authenticate();
  void AuthLogin();
  void OnAuthReply(const ServerReply& reply, const std::string& command);
  void BeginTransaction();
  void EnvelopeStep(size_t index);
  void OnEnvelopeReply(size_t index, ServerReply reply);
  void RecordRecipient(size_t index, const ServerReply& reply);
  void AfterData(const ServerReply& reply);
  void AbandonData(const ServerReply& data_reply, std::function<void()> then);
  void SendMessage();
  void OnMessageReply(const ServerReply& reply);

  // One command and its reply; a lost connection ends the conversation with `stage` named
  // ("at RCPT TO") and the command in failed_command.
  void Exchange(const std::string& command, std::string stage, Next next);
  // The same for a command carrying credentials: the trace shows `shown`, the outcome `failed`.
  void ExchangeSecret(const std::string& command, std::string_view shown, std::string failed,
                      std::string stage, Next next);
  // The next reply, for a command already written.
  void Await(std::string failed, std::string stage, std::chrono::seconds timeout, Next next);
  void Trace(std::string_view line) const;

  // Outcomes.
  SmtpOutcome Refused(const ServerReply& reply, std::string command, std::string_view what) const;
  SmtpOutcome Lost(std::string command, std::string_view stage,
                   const boost::system::error_code& ec) const;
  SmtpOutcome Ours(SmtpOutcome::Kind kind, std::string command, std::string summary) const;
  SmtpOutcome RecipientsRefused() const;
  SmtpOutcome Taken(const ServerReply& reply) const;
  void Finish(SmtpOutcome outcome, bool quit);
  void Report(SmtpOutcome outcome);

  boost::asio::io_context& io_;
  const SmtpRelay relay_;
  const OutgoingMail mail_;
  std::function<void(SmtpOutcome)> done_;
  const std::string name_;  // "host:port", in every summary and trace line
  std::shared_ptr<SmtpClientTransport> transport_;
  std::optional<boost::asio::ssl::context> tls_context_;
  std::string banner_;
  EhloExtensions extensions_;
  bool starttls_refused_ = false;
  WireMessage message_;
  bool pipelining_ = false;
  std::vector<std::string> commands_;  // MAIL, RCPT..., DATA
  ServerReply mail_reply_;
  std::vector<RecipientResult> recipients_;
  size_t accepted_ = 0;
  bool ending_ = false;    // Finish ran: QUIT may still be on its way
  bool finished_ = false;  // reported or cancelled: nothing more happens
};

}  // namespace faxgate::mail
