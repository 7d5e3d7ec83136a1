#include "mail/smtp_session.h"

#include <charconv>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log.h"
#include "mail/smtp_command.h"

namespace faxgate::mail {
namespace {

constexpr size_t kCommandLine = 512;     // RFC 5321 4.5.3.1.4
constexpr size_t kTextLine = 64 * 1024;  // longer than 1000 is taken (real clients send it)

std::string Base64Decode(std::string_view in) {
  std::string out((in.size() / 4 + 1) * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0 || in.size() % 4 != 0) return {};
  size_t len = static_cast<size_t>(n);
  if (!in.empty() && in.back() == '=') --len;
  if (in.size() > 1 && in[in.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

std::string Base64Encode(std::string_view in) {
  std::string out(((in.size() + 2) / 3) * 4 + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// A handler's answer, which may come from any thread: it is posted back to the session's
// executor, and the session's coroutine sleeps on a timer that only the answer cancels. (Kept
// out of coroutine parameters: GCC 12 mishandles callable parameters of coroutines.)
template <typename T>
struct Pending {
  explicit Pending(const asio::any_io_executor& e)
      : wake(e, asio::steady_timer::time_point::max()) {}
  std::optional<T> value;
  asio::steady_timer wake;
};

template <typename T>
std::function<void(T)> Resolver(std::shared_ptr<Pending<T>> pending, asio::any_io_executor e) {
  return [pending, e](T value) {
    asio::post(e, [pending, value = std::move(value)]() mutable {
      pending->value = std::move(value);
      pending->wake.cancel();
    });
  };
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

SmtpSession::SmtpSession(asio::ip::tcp::socket socket, std::shared_ptr<SmtpServer::Shared> shared)
    : stream_(std::move(socket)),
      shared_(std::move(shared)),
      deadline_(stream_.socket().get_executor()) {
  boost::system::error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    peer_.client_ip = remote.address().to_string();
    peer_.client_port = remote.port();
  }
  log_name_ = fmt::format("{}:{}", peer_.client_ip, peer_.client_port);
}

void SmtpSession::Start() {
  shared_->sessions.insert(this);
  auto self = shared_from_this();
  asio::co_spawn(
      stream_.socket().get_executor(), [self]() { return self->Run(); },
      [self](std::exception_ptr) {
        self->deadline_.cancel();
        self->shared_->sessions.erase(self.get());
      });
}

void SmtpSession::Close() {
  deadline_.cancel();
  stream_.Close();
}

void SmtpSession::ArmTimeout() {
  deadline_.expires_after(shared_->options.timeout);
  std::weak_ptr<SmtpSession> weak = shared_from_this();
  deadline_.async_wait([weak](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      self->timed_out_ = true;
      self->stream_.Cancel();
    }
  });
}

asio::awaitable<bool> SmtpSession::Reply(int code, std::string enhanced, std::string text) {
  last_code_ = code;
  std::string out;
  std::string_view rest = text;
  // Multi-line replies for EHLO: lines separated by '\n'.
  while (true) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    const bool last = nl == std::string_view::npos;
    out += fmt::format("{}{}{}{}\r\n", code, last ? ' ' : '-',
                       enhanced.empty() ? "" : std::string(enhanced) + " ", line);
    if (last) break;
    rest.remove_prefix(nl + 1);
  }
  log::Get("smtp")->trace("{} S: {}", log_name_, out.substr(0, out.size() - 2));
  co_return co_await stream_.Write(std::move(out));
}

bool SmtpSession::AuthOffered() const {
  return !shared_->options.auth_requires_tls || stream_.tls();
}

void SmtpSession::ResetTransaction() {
  envelope_ = SmtpEnvelope{};
  have_mail_ = false;
}

asio::awaitable<bool> SmtpSession::Ehlo(const std::string& name, bool extended) {
  if (name.empty()) co_return co_await Reply(501, "5.5.4", "say who you are: EHLO <your name>");
  peer_.helo = name;
  have_helo_ = true;
  ResetTransaction();
  const auto& o = shared_->options;
  if (!extended) co_return co_await Reply(250, "", o.hostname);
  std::string lines = fmt::format(
      "{} greets {}\nPIPELINING\nSIZE {}\n8BITMIME\nENHANCEDSTATUSCODES"
      "\nDSN\nSMTPUTF8",
      o.hostname, name, o.max_message_bytes);
  if (o.tls && !stream_.tls()) lines += "\nSTARTTLS";
  if (AuthOffered()) lines += "\nAUTH PLAIN LOGIN";
  co_return co_await Reply(250, "", lines);
}

asio::awaitable<bool> SmtpSession::StartTls() {
  // Written with plain statements around each co_await: GCC 12 miscompiled the compact form
  // (co_return co_await inside if) here into an illegal instruction.
  if (!shared_->options.tls || stream_.tls()) {
    const bool written = co_await Reply(502, "5.5.1", "STARTTLS is not available");
    co_return written;
  }
  const bool ready = co_await Reply(220, "2.0.0", "ready to start TLS");
  if (!ready) co_return false;
  stream_.DiscardBuffered();  // commands sent before the handshake must not run after it
  const bool shaken = co_await stream_.StartTls(*shared_->options.tls, true, std::string());
  if (!shaken) {
    log::Get("smtp")->debug("SMTP from {}: TLS handshake failed", log_name_);
    co_return false;
  }
  peer_.tls = true;
  have_helo_ = false;
  peer_.auth_user.reset();
  ResetTransaction();
  co_return true;
}

asio::awaitable<bool> SmtpSession::Auth(const std::string& argument) {
  if (!AuthOffered()) co_return co_await Reply(530, "5.7.0", "issue STARTTLS first");
  if (peer_.auth_user) co_return co_await Reply(503, "5.5.1", "already authenticated");
  const size_t sp = argument.find(' ');
  const std::string mechanism = Upper(argument.substr(0, sp));
  std::string initial = sp == std::string::npos ? "" : argument.substr(sp + 1);
  std::string user, password;
  auto read_response = [&]() -> asio::awaitable<std::optional<std::string>> {
    auto line = co_await stream_.ReadLine(kCommandLine * 4, nullptr);
    if (!line) co_return std::nullopt;
    log::Get("smtp")->trace("{} C: ****", log_name_);
    co_return line;
  };
  if (mechanism == "PLAIN") {
    if (initial.empty()) {
      if (!co_await Reply(334, "", "")) co_return false;
      auto line = co_await read_response();
      if (!line) co_return false;
      initial = *line;
    }
    if (initial == "*") co_return co_await Reply(501, "5.0.0", "authentication cancelled");
    const std::string decoded = Base64Decode(initial);
    const size_t a = decoded.find('\0');
    const size_t b = a == std::string::npos ? a : decoded.find('\0', a + 1);
    if (b == std::string::npos)
      co_return co_await Reply(501, "5.5.2", "cannot decode the response");
    user = decoded.substr(a + 1, b - a - 1);
    password = decoded.substr(b + 1);
  } else if (mechanism == "LOGIN") {
    if (initial.empty()) {
      if (!co_await Reply(334, "", Base64Encode("Username:"))) co_return false;
      auto line = co_await read_response();
      if (!line) co_return false;
      initial = *line;
    }
    if (initial == "*") co_return co_await Reply(501, "5.0.0", "authentication cancelled");
    user = Base64Decode(initial);
    if (!co_await Reply(334, "", Base64Encode("Password:"))) co_return false;
    auto line = co_await read_response();
    if (!line) co_return false;
    if (*line == "*") co_return co_await Reply(501, "5.0.0", "authentication cancelled");
    password = Base64Decode(*line);
  } else {
    co_return co_await Reply(504, "5.5.4", "use AUTH PLAIN or AUTH LOGIN");
  }
  auto executor = stream_.socket().get_executor();
  auto pending = std::make_shared<Pending<bool>>(executor);
  shared_->handler->Authenticate(user, password, Resolver(pending, executor));
  boost::system::error_code ec;
  while (!pending->value)
    co_await pending->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  const bool ok = *pending->value;
  if (!ok) {
    log::Get("smtp")->info("SMTP from {}: authentication as '{}' failed", log_name_, user);
    co_return co_await Reply(535, "5.7.8", "authentication failed");
  }
  peer_.auth_user = user;
  co_return co_await Reply(235, "2.7.0", "authenticated");
}

asio::awaitable<bool> SmtpSession::Mail(const SmtpCommand& c) {
  if (!have_helo_) co_return co_await Reply(503, "5.5.1", "say EHLO first");
  if (have_mail_) co_return co_await Reply(503, "5.5.1", "a transaction is already open");
  envelope_ = SmtpEnvelope{};
  envelope_.mail_from = c.path;
  if (auto it = c.params.find("SIZE"); it != c.params.end()) {
    const std::string& v = it->second;
    auto [end, err] = std::from_chars(v.data(), v.data() + v.size(), envelope_.declared_size);
    if (err != std::errc() || end != v.data() + v.size() || envelope_.declared_size < 0) {
      co_return co_await Reply(501, "5.5.4", "SIZE= wants a number");
    }
    if (envelope_.declared_size > shared_->options.max_message_bytes) {
      co_return co_await Reply(
          552, "5.3.4",
          fmt::format("the message is larger than {} bytes", shared_->options.max_message_bytes));
    }
  }
  if (auto it = c.params.find("RET"); it != c.params.end()) envelope_.ret = Upper(it->second);
  if (auto it = c.params.find("ENVID"); it != c.params.end()) envelope_.envid = it->second;
  if (auto it = c.params.find("BODY"); it != c.params.end()) envelope_.body = Upper(it->second);
  SmtpReply r = shared_->handler->OnMailFrom(peer_, envelope_);
  if (r.code / 100 == 2) have_mail_ = true;
  log::Get("smtp")->debug("SMTP from {}: MAIL FROM:<{}> -> {}", log_name_, c.path, r.code);
  co_return co_await Reply(r);
}

asio::awaitable<bool> SmtpSession::Rcpt(const SmtpCommand& c) {
  if (!have_mail_) co_return co_await Reply(503, "5.5.1", "say MAIL FROM first");
  if (static_cast<int>(envelope_.recipients.size()) >= shared_->options.max_recipients) {
    co_return co_await Reply(452, "4.5.3", "too many recipients; send the rest in another mail");
  }
  SmtpRecipientParams rcpt;
  rcpt.address = c.path;
  if (auto it = c.params.find("NOTIFY"); it != c.params.end()) rcpt.notify = Upper(it->second);
  if (auto it = c.params.find("ORCPT"); it != c.params.end()) rcpt.orcpt = it->second;
  if (rcpt.address.empty()) co_return co_await Reply(501, "5.1.3", "an empty recipient");
  SmtpReply r = shared_->handler->OnRcptTo(peer_, envelope_, rcpt);
  if (r.code / 100 == 2) envelope_.recipients.push_back(rcpt);
  log::Get("smtp")->debug("SMTP from {}: RCPT TO:<{}> -> {} {}", log_name_, c.path, r.code, r.text);
  co_return co_await Reply(r);
}

asio::awaitable<bool> SmtpSession::Data() {
  if (!have_mail_) co_return co_await Reply(503, "5.5.1", "say MAIL FROM first");
  if (envelope_.recipients.empty()) co_return co_await Reply(554, "5.5.1", "no valid recipients");
  if (!co_await Reply(354, "", "send the message; end with <CRLF>.<CRLF>")) co_return false;
  std::string message;
  bool too_big = false;
  while (true) {
    ArmTimeout();
    bool long_line = false;
    auto line = co_await stream_.ReadLine(kTextLine, &long_line);
    if (!line) co_return false;
    if (*line == ".") break;
    if (too_big) continue;
    std::string_view l = *line;
    if (!l.empty() && l.front() == '.') l.remove_prefix(1);  // dot-stuffing (RFC 5321 4.5.2)
    if (static_cast<int64_t>(message.size() + l.size() + 2) > shared_->options.max_message_bytes) {
      too_big = true;
      message.clear();
      continue;
    }
    message.append(l);
    message += "\r\n";
  }
  if (too_big) {
    ResetTransaction();
    co_return co_await Reply(
        552, "5.3.4",
        fmt::format("the message is larger than {} bytes", shared_->options.max_message_bytes));
  }
  deadline_.cancel();  // the handler takes its time; the sender waits for the 250 (10 min)
  auto executor = stream_.socket().get_executor();
  auto pending = std::make_shared<Pending<SmtpReply>>(executor);
  shared_->handler->OnMessage(peer_, envelope_, std::move(message), Resolver(pending, executor));
  boost::system::error_code ec;
  while (!pending->value)
    co_await pending->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  SmtpReply r = *pending->value;
  log::Get("smtp")->debug("SMTP from {}: message from <{}> -> {} {}", log_name_,
                          envelope_.mail_from, r.code, r.text);
  ResetTransaction();
  co_return co_await Reply(r);
}

asio::awaitable<void> SmtpSession::Run() {
  const auto& o = shared_->options;
  log::Get("smtp")->debug("SMTP from {}: connected", log_name_);
  if (!co_await Reply(220, "", fmt::format("{} ESMTP faxgate", o.hostname))) co_return;
  while (!shared_->stopped) {
    ArmTimeout();
    bool too_long = false;
    auto line = co_await stream_.ReadLine(kCommandLine, &too_long);
    if (!line) break;
    if (too_long) {
      if (!co_await Reply(500, "5.5.6", "command line too long")) break;
      if (++errors_ >= o.max_errors) {
        co_await Reply(421, "4.7.0", "too many errors; closing");
        break;
      }
      continue;
    }
    const bool secret = line->size() > 4 && Upper(line->substr(0, 5)) == "AUTH ";
    log::Get("smtp")->trace("{} C: {}", log_name_, secret ? line->substr(0, 10) + " ****" : *line);
    auto command = ParseSmtpCommand(*line);
    bool ok = true;
    if (!command.ok()) {
      const bool known = line->size() >= 4 && (Upper(line->substr(0, 4)) == "MAIL" ||
                                               Upper(line->substr(0, 4)) == "RCPT");
      ok = co_await Reply(known ? 501 : 500, known ? "5.5.4" : "5.5.2", command.error().message);
    } else {
      const SmtpCommand& c = *command;
      if (c.verb == "EHLO" || c.verb == "HELO")
        ok = co_await Ehlo(c.argument, c.verb == "EHLO");
      else if (c.verb == "MAIL")
        ok = co_await Mail(c);
      else if (c.verb == "RCPT")
        ok = co_await Rcpt(c);
      else if (c.verb == "DATA")
        ok = co_await Data();
      else if (c.verb == "RSET") {
        ResetTransaction();
        ok = co_await Reply(250, "2.0.0", "reset");
      } else if (c.verb == "NOOP")
        ok = co_await Reply(250, "2.0.0", "ok");
      else if (c.verb == "QUIT") {
        co_await Reply(221, "2.0.0", "bye");
        break;
      } else if (c.verb == "STARTTLS")
        ok = co_await StartTls();
      else if (c.verb == "AUTH")
        ok = co_await Auth(c.argument);
      else if (c.verb == "VRFY")
        ok = co_await Reply(252, "2.5.0", "cannot verify; send the mail");
      else if (c.verb == "HELP")
        ok = co_await Reply(214, "2.0.0", "see RFC 5321; mail FAX=number@host");
      else
        ok = co_await Reply(500, "5.5.1", fmt::format("unknown command {}", c.verb.substr(0, 20)));
    }
    if (!ok) break;
    // Syntax and sequence errors count; refusals of a sender or recipient (55x) do not.
    if (last_code_ >= 500 && last_code_ <= 504) ++errors_;
    if (errors_ >= o.max_errors) {
      co_await Reply(421, "4.7.0", "too many errors; closing");
      break;
    }
  }
  if (timed_out_) {
    // The read was cancelled, the socket is still open: say why before closing.
    co_await Reply(421, "4.4.2", fmt::format("{} timeout; closing", o.hostname));
  }
  deadline_.cancel();
  stream_.Close();
  log::Get("smtp")->debug("SMTP from {}: closed", log_name_);
}

}  // namespace faxgate::mail
