#include "mail/smtp_session.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <limits>

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "base/log.h"
#include "mail/smtp_sasl.h"

namespace faxgate::mail {

namespace asio = boost::asio;

namespace {

// Client bytes as they may go into a log line: no control characters, not too long.
std::string Printable(std::string_view s) {
  std::string out(s.substr(0, 200));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  if (s.size() > 200) out += "...";
  return out;
}

// "AUTH PLAIN dGVzdA==" -> "AUTH PLAIN ****": credentials never reach the log.
std::string MaskAuth(std::string_view line) {
  const size_t second = line.find(' ', line.find(' ') + 1);
  if (second == std::string_view::npos) return Printable(line);
  return Printable(line.substr(0, second)) + " ****";
}

bool HasNonAscii(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

bool StartsWithAuth(std::string_view line) {
  if (line.size() < 5) return false;
  std::string head(line.substr(0, 5));
  for (char& c : head) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return head == "AUTH ";
}

std::string Endpoint(const asio::ip::tcp::endpoint& e) {
  return e.address().is_v6() ? fmt::format("[{}]:{}", e.address().to_string(), e.port())
                             : fmt::format("{}:{}", e.address().to_string(), e.port());
}

}  // namespace

template <typename T>
std::function<void(T)> SmtpSession::Wait(void (SmtpSession::*then)(T)) {
  self_while_waiting_ = shared_from_this();
  auto called = std::make_shared<std::atomic<bool>>(false);
  // Holds the session weakly: Stop() ends it even if the handler never answers.
  return [weak = weak_from_this(), executor = executor_, then, called](T value) {
    if (called->exchange(true)) return;  // once
    asio::post(executor, [weak, then, value = std::move(value)]() mutable {
      if (auto self = weak.lock()) ((*self).*then)(std::move(value));
    });
  };
}

SmtpSession::SmtpSession(asio::ip::tcp::socket socket, std::shared_ptr<SmtpServerState> server)
    : server_(std::move(server)),
      options_(server_->options),
      log_(log::Get("smtp")),
      executor_(socket.get_executor()) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (!ec) {
    peer_.client_ip = remote.address().to_string();
    peer_.client_port = remote.port();
    who_ = Endpoint(remote);
  } else {
    who_ = "an unknown client";
  }
  connection_ = std::make_shared<SmtpConnection>(std::move(socket), options_.timeout);
  server_->sessions.insert(this);
}

SmtpSession::~SmtpSession() { server_->sessions.erase(this); }

void SmtpSession::Start() {
  log_->debug("SMTP from {}: connected", who_);
  Send(220, "", fmt::format("{} ESMTP faxgate", options_.hostname));
  ReadMore();
}

void SmtpSession::Stop() {
  auto keep = shared_from_this();  // Abort() drops the connection's hold on us
  state_ = State::kClosed;
  connection_->Abort();
  self_while_waiting_.reset();
}

void SmtpSession::ReadMore() {
  connection_->Read(
      [self = shared_from_this()](const boost::system::error_code& ec, std::string_view bytes) {
        self->OnRead(ec, bytes);
      });
}

void SmtpSession::OnRead(const boost::system::error_code& ec, std::string_view bytes) {
  if (state_ == State::kClosed) return;
  if (ec == asio::error::timed_out) {
    log_->debug("SMTP from {}: idle for {} s, closing", who_, options_.timeout.count());
    Close(421, "4.4.2", fmt::format("{} timeout; closing", options_.hostname));
    return;
  }
  if (ec) {
    log_->debug("SMTP from {}: the client closed the connection{}", who_,
                state_ == State::kData ? " in the middle of a message" : "");
    state_ = State::kClosed;
    connection_->Abort();
    return;
  }
  input_.append(bytes);
  Process();
}

void SmtpSession::Process() {
  auto keep = shared_from_this();
  while (true) {
    if (state_ == State::kData) {
      input_pos_ += data_->Consume(std::string_view(input_).substr(input_pos_));
      if (!data_->done()) break;  // everything used, the message goes on
      EndOfData();
      continue;
    }
    if (state_ != State::kCommand && state_ != State::kAuthResponse) break;
    bool too_long = false;
    const std::optional<std::string> line = TakeLine(&too_long);
    if (!line) break;
    if (too_long) {
      log_->trace("{} C: <a line too long>", who_);
      state_ = State::kCommand;  // also ends an AUTH exchange
      Reply(500, "5.5.6", "command line too long");
    } else if (state_ == State::kCommand) {
      Execute(*line);
    } else {
      AuthResponse(*line);
    }
  }
  if (input_pos_ == input_.size()) {
    input_.clear();
    input_pos_ = 0;
  } else if (input_pos_ > 16 * 1024) {
    input_.erase(0, input_pos_);
    input_pos_ = 0;
  }
  if (state_ == State::kCommand || state_ == State::kAuthResponse || state_ == State::kData) {
    ReadMore();
  }
}

std::optional<std::string> SmtpSession::TakeLine(bool* too_long) {
  // The longest line any command may have (AUTH); ParseSmtpCommand applies each verb's limit.
  constexpr size_t kMax = kSmtpAuthLineMax;
  const size_t lf = input_.find('\n', input_pos_);
  if (lf == std::string::npos) {
    if (input_.size() - input_pos_ > kMax + 1) {
      overlong_ = true;  // drop it now, answer at its end
      input_pos_ = input_.size();
    }
    return std::nullopt;
  }
  std::string line = input_.substr(input_pos_, lf - input_pos_);
  input_pos_ = lf + 1;
  if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF, or a bare LF
  *too_long = overlong_ || line.size() > kMax;
  overlong_ = false;
  return line;
}

void SmtpSession::Execute(std::string_view line) {
  if (log_->should_log(spdlog::level::trace)) {
    log_->trace("{} C: {}", who_, StartsWithAuth(line) ? MaskAuth(line) : Printable(line));
  }
  const ParsedSmtpCommand parsed = ParseSmtpCommand(line);
  if (!parsed.ok()) {
    const SmtpSyntaxError& e = parsed.error();
    Reply(e.code, e.enhanced, e.message);
    return;
  }
  const SmtpCommand& c = *parsed;
  const std::string& v = c.verb;
  if (v == "EHLO" || v == "HELO") {
    Hello(c);
  } else if (v == "MAIL") {
    Mail(c);
  } else if (v == "RCPT") {
    Rcpt(c);
  } else if (v == "DATA") {
    Data();
  } else if (v == "RSET") {
    ResetTransaction();
    Reply(250, "2.0.0", "ok");
  } else if (v == "NOOP") {
    Reply(250, "2.0.0", "ok");
  } else if (v == "QUIT") {
    Close(221, "2.0.0", fmt::format("{} closing", options_.hostname));
  } else if (v == "STARTTLS") {
    StartTls();
  } else if (v == "AUTH") {
    Auth(c);
  } else if (v == "VRFY") {
    Reply(252, "2.5.0", "cannot verify addresses; send the mail and see");
  } else if (v == "EXPN") {
    Reply(502, "5.5.1", "EXPN is not available");
  } else {  // HELP
    Reply(214, "2.0.0", "this is faxgate: send mail to FAX=<number>@<this host>");
  }
}

void SmtpSession::Hello(const SmtpCommand& c) {
  ResetTransaction();
  greeted_ = true;
  peer_.helo = c.argument;
  if (c.verb == "HELO") {
    Reply(250, "", options_.hostname);
    return;
  }
  std::vector<std::string> lines = {
      fmt::format("{} greets {}", options_.hostname, Printable(c.argument)),
      "PIPELINING",
      fmt::format("SIZE {}", options_.max_message_bytes),
      "8BITMIME",
      "ENHANCEDSTATUSCODES",
  };
  lines.push_back("DSN");
  lines.push_back("SMTPUTF8");
  if (options_.tls && !peer_.tls) lines.push_back("STARTTLS");
  if (AuthOffered()) lines.push_back("AUTH PLAIN LOGIN");
  SendLines(250, lines);
}

void SmtpSession::Mail(const SmtpCommand& c) {
  if (!greeted_) return Reply(503, "5.5.1", "say EHLO first");
  if (in_transaction_) return Reply(503, "5.5.1", "a mail is already under way; RSET first");
  mail_refused_ = true;  // until the handler says otherwise
  const bool utf8 = c.params.count("SMTPUTF8") > 0;
  // RFC 6531 3.5: a non-ASCII address comes with SMTPUTF8 or not at all.
  if (!utf8 && HasNonAscii(c.path)) {
    return Reply(553, "5.6.7", "a non-ASCII address needs MAIL FROM:<...> SMTPUTF8");
  }
  SmtpEnvelope e;
  e.mail_from = c.path;
  if (auto it = c.params.find("SIZE"); it != c.params.end()) {
    const std::string& s = it->second;  // digits, checked by the parser
    if (std::from_chars(s.data(), s.data() + s.size(), e.declared_size).ec != std::errc()) {
      e.declared_size = std::numeric_limits<int64_t>::max();  // more digits than int64_t
    }
    if (e.declared_size > options_.max_message_bytes) {
      log_->debug("SMTP from {}: MAIL FROM:<{}> SIZE={}: too large", who_, Printable(c.path), s);
      return Reply(552, "5.3.4",
                   fmt::format("the message is larger than the {} octets this server takes",
                               options_.max_message_bytes));
    }
  }
  if (auto it = c.params.find("RET"); it != c.params.end()) e.ret = it->second;
  if (auto it = c.params.find("ENVID"); it != c.params.end()) e.envid = it->second;
  if (auto it = c.params.find("BODY"); it != c.params.end()) e.body = it->second;
  const SmtpReply r = server_->handler.OnMailFrom(peer_, e);
  log_->debug("SMTP from {}: MAIL FROM:<{}>: {} {}", who_, Printable(c.path), r.code,
              Printable(r.text));
  mail_refused_ = r.code / 100 != 2;
  if (!mail_refused_) {
    envelope_ = std::move(e);
    in_transaction_ = true;
    smtputf8_ = utf8;
  }
  Reply(r);
}

// After a refused MAIL a pipelining client's RCPTs and DATA get 503 (RFC 2920 3.1); they are
// not its errors, and counting them would turn the refusal into a 421 "try again".
void SmtpSession::Rcpt(const SmtpCommand& c) {
  if (!in_transaction_ && mail_refused_) return Send(503, "5.5.1", "say MAIL FROM first");
  if (!in_transaction_) return Reply(503, "5.5.1", "say MAIL FROM first");
  rcpt_tried_ = true;
  if (static_cast<int>(envelope_.recipients.size()) >= options_.max_recipients) {
    return Reply(452, "4.5.3", "too many recipients; send the others in another mail");
  }
  if (!smtputf8_ && HasNonAscii(c.path)) {
    return Reply(553, "5.6.7", "a non-ASCII address needs MAIL FROM:<...> SMTPUTF8");
  }
  SmtpRecipientParams rcpt;
  rcpt.address = c.path;
  if (auto it = c.params.find("NOTIFY"); it != c.params.end()) rcpt.notify = it->second;
  if (auto it = c.params.find("ORCPT"); it != c.params.end()) rcpt.orcpt = it->second;
  const SmtpReply r = server_->handler.OnRcptTo(peer_, envelope_, rcpt);
  log_->debug("SMTP from {}: RCPT TO:<{}>: {} {}", who_, Printable(c.path), r.code,
              Printable(r.text));
  if (r.code / 100 == 2) envelope_.recipients.push_back(std::move(rcpt));
  Reply(r);
}

void SmtpSession::Data() {
  if (!in_transaction_ && mail_refused_) return Send(503, "5.5.1", "say MAIL FROM first");
  if (!in_transaction_) return Reply(503, "5.5.1", "say MAIL FROM first");
  if (!rcpt_tried_) return Reply(503, "5.5.1", "say RCPT TO first");
  // RFC 2920 3.1: after pipelined RCPTs that were all refused, DATA gets 554.
  if (envelope_.recipients.empty()) return Reply(554, "5.5.1", "no valid recipients");
  data_ = std::make_unique<SmtpDataReader>(options_.max_message_bytes);
  state_ = State::kData;
  Send(354, "", "end the message with a line holding only \".\"");
}

void SmtpSession::EndOfData() {
  const int64_t size = data_->size();
  log_->trace("{} C: <message of {} octets>", who_, size);
  if (data_->too_big()) {
    log_->debug("SMTP from {}: message from <{}> of {} octets is too large", who_,
                Printable(envelope_.mail_from), size);
    ResetTransaction();
    state_ = State::kCommand;
    return Reply(552, "5.3.4",
                 fmt::format("the message is larger than the {} octets this server takes",
                             options_.max_message_bytes));
  }
  std::string message = data_->TakeMessage();
  data_.reset();
  state_ = State::kWaiting;
  server_->handler.OnMessage(peer_, envelope_, std::move(message),
                             Wait(&SmtpSession::OnMessageDone));
}

void SmtpSession::OnMessageDone(SmtpReply reply) {
  auto keep = std::move(self_while_waiting_);
  if (state_ != State::kWaiting) return;  // stopped meanwhile
  log_->debug("SMTP from {}: message from <{}> for {} recipient(s): {} {} {}", who_,
              Printable(envelope_.mail_from), envelope_.recipients.size(), reply.code,
              reply.enhanced, Printable(reply.text));
  if (reply.code / 100 == 2) ++messages_;
  ResetTransaction();
  state_ = State::kCommand;
  Reply(reply);
  Process();  // pipelined commands after the message, or read on
}

void SmtpSession::StartTls() {
  if (!options_.tls) return Reply(502, "5.5.1", "STARTTLS is not available");
  if (peer_.tls) return Reply(503, "5.5.1", "TLS is already active");
  Send(220, "2.0.0", "ready to start TLS");
  // The STARTTLS command injection (CVE-2011-0411 and kin): what the client sent in clear after
  // STARTTLS must never run as if it had come through TLS.
  input_.clear();
  input_pos_ = 0;
  overlong_ = false;
  state_ = State::kTlsHandshake;
  connection_->StartTls(*options_.tls,
                        [self = shared_from_this()](bool ok) { self->OnTlsStarted(ok); });
}

void SmtpSession::OnTlsStarted(bool ok) {
  if (state_ != State::kTlsHandshake) return;
  if (!ok) {
    log_->debug("SMTP from {}: the TLS handshake failed", who_);
    state_ = State::kClosed;
    connection_->Abort();
    return;
  }
  log_->debug("SMTP from {}: TLS started", who_);
  // RFC 3207 4.2: forget everything learned in clear; the client starts again with EHLO.
  peer_.tls = true;
  peer_.helo.clear();
  peer_.auth_user.reset();
  greeted_ = false;
  ResetTransaction();
  state_ = State::kCommand;
  ReadMore();
}

bool SmtpSession::AuthOffered() const { return !options_.auth_requires_tls || peer_.tls; }

void SmtpSession::Auth(const SmtpCommand& c) {
  if (!AuthOffered()) {
    if (options_.tls) return Reply(530, "5.7.0", "issue STARTTLS first");
    return Reply(502, "5.5.1", "AUTH is not available");
  }
  if (!greeted_) return Reply(503, "5.5.1", "say EHLO first");
  if (peer_.auth_user) return Reply(503, "5.5.1", "already authenticated");
  if (in_transaction_) return Reply(503, "5.5.1", "AUTH is not allowed during a mail");
  if (c.mechanism == "PLAIN") {
    auth_step_ = AuthStep::kPlain;
    if (c.initial_response) return AuthResponse(*c.initial_response);
    state_ = State::kAuthResponse;
    Send(334, "", "");
  } else if (c.mechanism == "LOGIN") {
    auth_step_ = AuthStep::kLoginUser;
    if (c.initial_response) return AuthResponse(*c.initial_response);
    state_ = State::kAuthResponse;
    Send(334, "", kSaslLoginUserChallenge);
  } else {
    Reply(504, "5.5.4", "use AUTH PLAIN or AUTH LOGIN");
  }
}

void SmtpSession::AuthResponse(std::string_view line) {
  if (state_ == State::kAuthResponse) log_->trace("{} C: ****", who_);
  state_ = State::kCommand;
  if (line == "*") return Reply(501, "5.7.0", "authentication cancelled");  // RFC 4954 4
  if (auth_step_ == AuthStep::kPlain) {
    auto credentials = DecodeSaslPlain(line);
    if (!credentials) return Reply(501, "5.5.2", "cannot read the credentials");
    return Verify(std::move(credentials->user), std::move(credentials->password));
  }
  auto decoded = DecodeSaslBase64(line);
  if (!decoded) return Reply(501, "5.5.2", "cannot read the response: it is not base64");
  if (auth_step_ == AuthStep::kLoginUser) {
    if (decoded->empty()) return Reply(501, "5.5.2", "the user name is empty");
    auth_user_ = std::move(*decoded);
    auth_step_ = AuthStep::kLoginPassword;
    state_ = State::kAuthResponse;
    return Send(334, "", kSaslLoginPasswordChallenge);
  }
  Verify(auth_user_, std::move(*decoded));
}

void SmtpSession::Verify(std::string user, std::string password) {
  auth_user_ = std::move(user);
  state_ = State::kWaiting;
  server_->handler.Authenticate(auth_user_, password, Wait(&SmtpSession::OnAuthenticated));
}

void SmtpSession::OnAuthenticated(bool ok) {
  auto keep = std::move(self_while_waiting_);
  if (state_ != State::kWaiting) return;
  state_ = State::kCommand;
  if (ok) {
    log_->debug("SMTP from {}: authenticated as {}", who_, Printable(auth_user_));
    peer_.auth_user = auth_user_;
    Reply(235, "2.7.0", "authenticated");
  } else {
    log_->info("SMTP from {}: authentication as '{}' failed", who_, Printable(auth_user_));
    Reply(535, "5.7.8", "authentication failed");
  }
  auth_user_.clear();
  Process();
}

void SmtpSession::Send(int code, std::string_view enhanced, std::string_view text) {
  if (state_ == State::kClosed) return;
  std::string line = fmt::format("{}{}{}{}{}", code, text.empty() && enhanced.empty() ? "" : " ",
                                 enhanced, enhanced.empty() || text.empty() ? "" : " ", text);
  // A handler's text may quote the client (a fax number): it must not add protocol lines.
  std::replace_if(
      line.begin(), line.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  if (code == 334 && text.empty()) line += ' ';  // "334 " is the empty PLAIN challenge
  log_->trace("{} S: {}", who_, line);
  line += "\r\n";
  connection_->Write(line);
}

void SmtpSession::SendLines(int code, const std::vector<std::string>& lines) {
  for (size_t i = 0; i < lines.size(); ++i) {
    const bool last = i + 1 == lines.size();
    const std::string line = fmt::format("{}{}{}", code, last ? ' ' : '-', lines[i]);
    log_->trace("{} S: {}", who_, line);
    connection_->Write(line + "\r\n");
  }
}

void SmtpSession::Reply(int code, std::string_view enhanced, std::string_view text) {
  if (code < 200 || code > 599) {  // a handler's mistake must not confuse the client
    log_->warn("SMTP from {}: the handler answered {} ('{}'); sending 451", who_, code, text);
    return Reply(451, "4.3.0", "local error; try again later");
  }
  Send(code, enhanced, text);
  const bool error = (code >= 500 && code <= 504) || code == 530 || code == 535 || code == 555;
  if (error && ++errors_ >= options_.max_errors && state_ != State::kClosed) {
    log_->debug("SMTP from {}: {} errors, closing", who_, errors_);
    Close(421, "4.7.0", "too many errors; closing");
  }
}

void SmtpSession::Close(int code, std::string_view enhanced, std::string_view text) {
  Send(code, enhanced, text);
  state_ = State::kClosed;
  connection_->Close();
  log_->debug("SMTP from {}: closed after {} message(s)", who_, messages_);
}

void SmtpSession::ResetTransaction() {
  envelope_ = SmtpEnvelope{};
  in_transaction_ = false;
  mail_refused_ = false;
  rcpt_tried_ = false;
  smtputf8_ = false;
  data_.reset();
}

}  // namespace faxgate::mail
