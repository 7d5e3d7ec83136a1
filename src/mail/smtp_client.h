// Our ESMTP client (RFC 5321) for the mail faxgate writes: received faxes (OnRamp) and
// notifications. STARTTLS or implicit TLS with certificate checks, AUTH PLAIN/LOGIN,
// PIPELINING, SIZE, 8BITMIME, DSN (RET, ENVID, NOTIFY, ORCPT), enhanced status codes. Fully
// asynchronous on the control thread's io_context: nothing blocks it, names are resolved
// asynchronously. Every outcome says in words what happened, naming the server and the command
// it answered.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace faxgate::mail {

struct SmtpRelay {
  std::string host;
  uint16_t port = 25;
  // "starttls": STARTTLS when the server offers it; "required": STARTTLS or fail; "implicit":
  // TLS from the first byte (SMTPS, port 465); "none": never TLS.
  std::string tls = "starttls";
  bool verify_certificate = true;  // against ca_file, else the system's CAs, and the host name
  std::string ca_file;             // PEM, for private servers
  // AUTH PLAIN or LOGIN (whichever the server offers, PLAIN first) when user is set. The
  // password is never sent without TLS unless tls is "none".
  std::string user, password;
  std::string helo_name = "localhost";  // our FQDN, for EHLO/HELO
  std::chrono::seconds timeout{60};     // per reply; the answer to the message waits 10 min
};

struct OutgoingRecipient {
  std::string address;
  std::string notify;  // DSN NOTIFY: "" (none), "NEVER", or a list such as "SUCCESS,FAILURE,DELAY"
  std::string orcpt;   // DSN ORCPT: the original address, sent as rfc822;<xtext>; "" for none
};

struct OutgoingMail {
  std::string mail_from;  // envelope sender; "" is the null sender <>
  std::vector<OutgoingRecipient> recipients;
  std::string ret;    // DSN RET: "", "HDRS" or "FULL"
  std::string envid;  // DSN ENVID, our correlation id (sent xtext-encoded); "" for none
  std::string data;   // the message with CRLF line ends, not dot-stuffed (the client does that)
};
// The DSN parameters are sent only to a server that offers DSN, and silently left out otherwise.

struct RecipientResult {
  std::string address;
  int code = 0;  // the server's answer for this recipient; 0 when the connection was lost
  std::string enhanced;
  std::string text;
  // The server took the message for this recipient: RCPT and the message were both accepted.
  // When the message failed after RCPT, code and text are those of that failure.
  bool accepted = false;
};

struct SmtpOutcome {
  enum class Kind {
    kDelivered,  // the server took the message for every recipient
    kPartly,     // it took it for some and refused others (see recipients)
    kTemporary,  // try again later: 4xx, connection refused, lost or timed out
    kPermanent,  // 5xx, or a message this server cannot take (8-bit, size)
    kConfig,     // the relay settings need attention: AUTH or TLS required or failed
  } kind = Kind::kTemporary;
  int code = 0;  // the deciding reply; 0 when no reply decided
  std::string enhanced;
  std::string text;
  std::string failed_command;  // "connect", "EHLO", "STARTTLS", "AUTH PLAIN", "RCPT TO:<x>",
                               // "DATA", ...; "" when delivered (never shows credentials)
  // One line in the user's terms, e.g. "mail.example.com:25 refused the message: 552 5.3.4
  // message too big (answer to DATA)".
  std::string summary;
  std::vector<RecipientResult> recipients;  // those the server answered RCPT for, in order
  std::string server_banner;                // the text of the server's greeting
};

class SmtpClientSession;

// Cancels one mail on its way: the connection is closed at once and its `done` is not called.
// Does nothing once `done` has run. Call on the io_context's thread.
class SmtpSendHandle {
 public:
  SmtpSendHandle() = default;
  void Cancel();

 private:
  friend class SmtpClient;
  explicit SmtpSendHandle(std::weak_ptr<SmtpClientSession> session);
  std::weak_ptr<SmtpClientSession> session_;
};

// Sends mails, each on a connection of its own. Use on the io_context's thread.
class SmtpClient {
 public:
  explicit SmtpClient(boost::asio::io_context& io);
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;
  // Cancels the mails still on their way (their `done` is not called).
  ~SmtpClient();

  // Sends one mail. `done` is called exactly once, later, on the io_context's thread, unless
  // the mail is cancelled (the handle, the client's destruction) or the io_context stops.
  SmtpSendHandle Send(const SmtpRelay& relay, OutgoingMail mail,
                      std::function<void(SmtpOutcome)> done);

 private:
  boost::asio::io_context& io_;
  std::vector<std::weak_ptr<SmtpClientSession>> sending_;
};

}  // namespace faxgate::mail
