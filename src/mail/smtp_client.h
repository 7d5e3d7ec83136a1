// Our ESMTP client for the mail faxgate writes (RFC 5321; STARTTLS, AUTH PLAIN/LOGIN,
// PIPELINING, SIZE, 8BITMIME, DSN RET/ENVID/NOTIFY/ORCPT, enhanced status codes), fully
// asynchronous on the control io_context. Every outcome says what happened in words, naming the
// server and the command that was answered.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace faxgate::mail {

struct SmtpRelay {
  std::string host;
  uint16_t port = 25;
  std::string tls = "starttls";  // "starttls" (when offered), "required", "implicit", "none"
  bool verify_certificate = true;
  std::string ca_file;
  std::string user, password;  // AUTH when set
  std::string helo_name = "localhost";
  std::chrono::seconds timeout{60};  // per reply; the end of DATA waits 10 minutes
};

struct OutgoingRecipient {
  std::string address;
  std::string notify;  // "" (no parameter), "NEVER", "SUCCESS,FAILURE,DELAY"
  std::string orcpt;   // address for ORCPT=rfc822;...
};

struct OutgoingMail {
  std::string mail_from;  // "" is the null sender
  std::vector<OutgoingRecipient> recipients;
  std::string ret;    // "", "HDRS", "FULL"
  std::string envid;  // "" for none
  std::string data;   // CRLF line ends, not dot-stuffed
};

struct RecipientResult {
  std::string address;
  int code = 0;
  std::string enhanced;
  std::string text;
  bool accepted = false;
};

struct SmtpOutcome {
  enum class Kind { kDelivered, kPartly, kTemporary, kPermanent, kConfig } kind = Kind::kTemporary;
  int code = 0;
  std::string enhanced;
  std::string text;
  std::string failed_command;  // "connect", "STARTTLS", "RCPT TO:<x>", "DATA", ...
  std::string summary;         // one line in the user's terms
  std::vector<RecipientResult> recipients;
};

class SmtpClient {
 public:
  explicit SmtpClient(boost::asio::io_context& io) : io_(io) {}
  // `done` is called once, on the io_context's thread.
  void Send(const SmtpRelay& relay, OutgoingMail mail, std::function<void(SmtpOutcome)> done);

 private:
  boost::asio::io_context& io_;
};

// RFC 3461 xtext for ENVID and ORCPT: bytes outside '!'..'~', '+' and '=' as +XX.
std::string EncodeXtext(std::string_view text);

}  // namespace faxgate::mail
