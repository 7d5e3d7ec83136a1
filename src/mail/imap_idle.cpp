// The IDLE watcher's IMAP client: one coroutine per connection (Talk), a loop around it that
// reconnects with back-off (Run). Written with plain statements around each co_await: GCC 12
// miscompiles some compact forms (see smtp_session.cpp).
#include "mail/imap_idle.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <utility>  // before boost: its awaitable.hpp needs std::exchange

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "base/log.h"
#include "mail/imap_syntax.h"
#include "mail/mailbox_server.h"

namespace faxgate::mail {

namespace asio = boost::asio;

namespace {

using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// Pushed responses are short; a FETCH of flags for thousands of messages fits well within.
constexpr size_t kMaxResponse = 1 << 20;
constexpr std::chrono::seconds kFirstBackoff{5};
constexpr std::chrono::seconds kMaxBackoff{300};

std::string Base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

bool IsIpAddress(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// How a step of a connection ended: kGoOn lets the next step follow.
struct Ending {
  enum class Kind { kGoOn, kError, kFatal, kNoIdle, kStopped };
  Kind kind = Kind::kGoOn;
  std::string text;  // why, in the user's terms, without the server's name
};

}  // namespace

class ImapIdleWatcher::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::io_context& io, MailboxServer server, std::function<void()> on_new_mail,
          std::function<void(const std::string&)> on_error)
      : io_(io),
        server_(std::move(server)),
        name_(ServerName(server_)),
        on_new_mail_(std::move(on_new_mail)),
        on_error_(std::move(on_error)),
        socket_(io),
        deadline_(io),
        reidle_timer_(io),
        backoff_timer_(io) {}

  void Start() {
    if (started_ || stopped_) return;
    started_ = true;
    auto self = shared_from_this();
    asio::co_spawn(
        io_, [self] { return self->Run(); }, asio::detached);
  }

  void Stop() {
    stopped_ = true;
    Disarm();
    reidle_timer_.cancel();
    backoff_timer_.cancel();
    CloseConnection();
    // They refer to the owner, which may go away now. A callback running at this moment runs
    // from a copy (NotifyNewMail, ReportError).
    on_new_mail_ = nullptr;
    on_error_ = nullptr;
  }

  std::chrono::seconds reidle_interval{29 * 60};

 private:
  awaitable<void> Run() {
    auto self = shared_from_this();  // alive until the loop ends, whatever the owner does
    std::chrono::seconds backoff = kFirstBackoff;
    while (!stopped_) {
      const Ending end = co_await Talk();
      CloseConnection();
      if (stopped_ || end.kind == Ending::Kind::kStopped) break;
      if (end.kind == Ending::Kind::kNoIdle) {
        ReportError(fmt::format("{}: the server does not support IDLE", name_));
        break;
      }
      ReportError(fmt::format("{}: {}", name_, end.text));
      if (end.kind == Ending::Kind::kFatal) break;
      if (idled_) backoff = kFirstBackoff;  // it worked until now: try again soon
      log::Get("mail")->debug("{}: IDLE watcher reconnects in {} s", name_, backoff.count());
      backoff_timer_.expires_after(backoff);
      error_code ec;
      co_await backoff_timer_.async_wait(redirect_error(use_awaitable, ec));
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
    on_new_mail_ = nullptr;
    on_error_ = nullptr;
  }

  // One connection: connect, TLS, log in, SELECT, then IDLE until something goes wrong.
  awaitable<Ending> Talk() {
    ResetConnection();
    if (Status config = CheckServer(server_); !config.ok())
      co_return Ending{Ending::Kind::kFatal, config.error().message};
    auto folder = EncodeMailboxName(server_.folder);
    if (!folder.ok()) co_return Ending{Ending::Kind::kFatal, folder.error().message};

    Ending connected = co_await Connect();
    if (connected.kind != Ending::Kind::kGoOn) co_return connected;
    Ending secured = co_await Secure();
    if (secured.kind != Ending::Kind::kGoOn) co_return secured;
    Ending logged_in = co_await LogIn();
    if (logged_in.kind != Ending::Kind::kGoOn) co_return logged_in;
    if (!HasCapability(capabilities_, "IDLE")) co_return Ending{Ending::Kind::kNoIdle, ""};

    auto selected = co_await Command("SELECT " + ImapQuoted(*folder).value_or("\"\""));
    if (!selected.ok()) co_return Lost(selected.error());
    if (selected->name != "OK") {
      co_return Ending{Ending::Kind::kError, fmt::format("cannot open the folder {}: {}",
                                                         server_.folder, selected->text)};
    }
    NotifyIfGrown();  // the folder is not empty: there may be mail from before
    const Ending idled = co_await IdleLoop();
    co_return idled;
  }

  // Resolves and connects; implicit TLS right away.
  awaitable<Ending> Connect() {
    error_code ec;
    tcp::resolver resolver(io_);
    Arm();
    auto endpoints = co_await resolver.async_resolve(
        server_.host, std::to_string(EffectivePort(server_)), redirect_error(use_awaitable, ec));
    Disarm();
    if (stopped_) co_return Ending{Ending::Kind::kStopped, ""};
    if (ec) {
      co_return Ending{Ending::Kind::kError,
                       fmt::format("cannot find the host {}: {}", server_.host, ec.message())};
    }
    Arm();
    co_await asio::async_connect(socket_, endpoints, redirect_error(use_awaitable, ec));
    Disarm();
    if (stopped_) co_return Ending{Ending::Kind::kStopped, ""};
    if (timed_out_) co_return Ending{Ending::Kind::kError, TimeoutText()};
    if (ec) co_return Ending{Ending::Kind::kError, "cannot connect: " + ec.message()};
    socket_.set_option(asio::socket_base::keep_alive(true), ec);
    if (server_.tls == "implicit") {
      const Ending shaken = co_await Handshake();
      co_return shaken;
    }
    co_return Ending{};
  }

  // Reads the greeting; STARTTLS when asked for.
  awaitable<Ending> Secure() {
    Arm();
    auto greeting = co_await ReadResponse();
    Disarm();
    if (!greeting.ok()) co_return Lost(greeting.error());
    if (greeting->name == "BYE") {
      co_return Ending{Ending::Kind::kError, "the server turned us away: " + greeting->text};
    }
    if (greeting->name == "PREAUTH") {
      // Authenticated before we could ask for TLS: RFC 3501 allows no STARTTLS from here.
      if (server_.tls == "starttls")
        co_return Ending{Ending::Kind::kError, "the server logged us in before STARTTLS"};
      preauth_ = true;
    }
    OnUntagged(*greeting);  // [CAPABILITY ...] in the greeting
    if (server_.tls != "starttls") co_return Ending{};
    if (capabilities_.empty()) {
      auto caps = co_await Command("CAPABILITY");
      if (!caps.ok()) co_return Lost(caps.error());
    }
    if (!HasCapability(capabilities_, "STARTTLS")) {
      co_return Ending{Ending::Kind::kError,
                       "the server does not offer STARTTLS, and tls = starttls requires it"};
    }
    auto started = co_await Command("STARTTLS");
    if (!started.ok()) co_return Lost(started.error());
    if (started->name != "OK")
      co_return Ending{Ending::Kind::kError, "the server refused STARTTLS: " + started->text};
    // Anything the server sent after its OK came before encryption: an injection attempt.
    if (splitter_.pending() > 0)
      co_return Ending{Ending::Kind::kError, "the server sent data right after STARTTLS"};
    capabilities_.clear();  // they may change under TLS (RFC 3501 6.2.1)
    const Ending shaken = co_await Handshake();
    co_return shaken;
  }

  awaitable<Ending> Handshake() {
    tls_context_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls_context_->native_handle(), TLS1_2_VERSION);
    error_code ec;
    if (server_.verify_certificate) {
      tls_context_->set_verify_mode(asio::ssl::verify_peer);
      if (server_.ca_file.empty()) {
        tls_context_->set_default_verify_paths(ec);
      } else {
        tls_context_->load_verify_file(server_.ca_file, ec);
      }
      if (ec) {
        co_return Ending{Ending::Kind::kFatal, fmt::format("cannot load the CA certificates {}: {}",
                                                           server_.ca_file, ec.message())};
      }
      tls_context_->set_verify_callback(asio::ssl::host_name_verification(server_.host));
    } else {
      tls_context_->set_verify_mode(asio::ssl::verify_none);
    }
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(socket_), *tls_context_);
    if (!IsIpAddress(server_.host))
      SSL_set_tlsext_host_name(tls_->native_handle(), server_.host.c_str());
    Arm();
    co_await tls_->async_handshake(asio::ssl::stream_base::client,
                                   redirect_error(use_awaitable, ec));
    Disarm();
    if (stopped_) co_return Ending{Ending::Kind::kStopped, ""};
    if (timed_out_) co_return Ending{Ending::Kind::kError, TimeoutText()};
    if (ec) co_return Ending{Ending::Kind::kError, "TLS failed: " + ec.message()};
    co_return Ending{};
  }

  // AUTHENTICATE PLAIN with the initial response when offered (any bytes in the password),
  // LOGIN otherwise. Ends with the capabilities of the logged-in session known.
  awaitable<Ending> LogIn() {
    if (capabilities_.empty()) {
      auto caps = co_await Command("CAPABILITY");
      if (!caps.ok()) co_return Lost(caps.error());
    }
    if (!preauth_) {
      std::string command;
      if (HasCapability(capabilities_, "AUTH=PLAIN") && HasCapability(capabilities_, "SASL-IR")) {
        command = "AUTHENTICATE PLAIN " +
                  Base64(std::string(1, '\0') + server_.user + '\0' + server_.password);
      } else {
        auto user = ImapQuoted(server_.user);
        auto password = ImapQuoted(server_.password);
        if (!user || !password) {
          co_return Ending{Ending::Kind::kFatal,
                           "the user name or password holds characters that IMAP LOGIN cannot "
                           "carry, and the server offers no AUTHENTICATE PLAIN"};
        }
        command = "LOGIN " + *user + " " + *password;
      }
      capabilities_.clear();
      auto answer = co_await Command(command, /*secret=*/true);
      if (!answer.ok()) co_return Lost(answer.error());
      if (answer->name != "OK") {
        co_return Ending{Ending::Kind::kError,
                         fmt::format("login refused for {}: {}", server_.user, answer->text)};
      }
    }
    if (capabilities_.empty()) {
      auto caps = co_await Command("CAPABILITY");
      if (!caps.ok()) co_return Lost(caps.error());
    }
    co_return Ending{};
  }

  // IDLE, until the re-IDLE timer says DONE; then IDLE again. Returns only on failure or Stop.
  awaitable<Ending> IdleLoop() {
    while (!stopped_) {
      const std::string tag = NextTag();
      const std::string line = tag + " IDLE\r\n";
      log::Get("mail")->trace("{} C: {} IDLE", name_, tag);
      Arm();
      error_code ec;
      co_await Write(line, ec);
      if (ec) co_return Lost(MakeError(ErrorCode::kUnavailable, BrokenText(ec)));
      // Until "+ idling"; updates may come before it.
      while (true) {
        auto r = co_await ReadResponse();
        if (!r.ok()) co_return Lost(r.error());
        if (r->kind == ImapResponse::Kind::kContinuation) break;
        if (r->kind == ImapResponse::Kind::kTagged && r->tag == tag) {
          if (!idled_) co_return Ending{Ending::Kind::kNoIdle, ""};
          co_return Ending{Ending::Kind::kError, "the server refused IDLE: " + r->text};
        }
        OnUntagged(*r);
        NotifyIfGrown();
      }
      Disarm();  // no deadline while idling: the re-IDLE is the liveness check
      idled_ = true;
      log::Get("mail")->debug("{}: idling in {} (IDLE again in {} s)", name_, server_.folder,
                              reidle_interval.count());
      StartReidleTimer();
      while (true) {
        auto r = co_await ReadResponse();
        if (!r.ok()) co_return Lost(r.error());
        if (r->kind == ImapResponse::Kind::kTagged && r->tag == tag) {
          if (r->name != "OK") co_return Ending{Ending::Kind::kError, "IDLE failed: " + r->text};
          break;
        }
        OnUntagged(*r);
        NotifyIfGrown();
      }
      reidle_timer_.cancel();
      Disarm();
    }
    co_return Ending{Ending::Kind::kStopped, ""};
  }

  void StartReidleTimer() {
    reidle_timer_.expires_after(reidle_interval);
    std::weak_ptr<Session> weak = weak_from_this();
    reidle_timer_.async_wait([weak](const error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->stopped_) return;
      // The reader is waiting for the tagged end of IDLE; DONE brings it, within the timeout.
      asio::co_spawn(
          self->io_, [self] { return self->SendDone(); }, asio::detached);
    });
  }

  awaitable<void> SendDone() {
    static const std::string kDone = "DONE\r\n";
    log::Get("mail")->trace("{} C: DONE", name_);
    Arm();
    error_code ec;
    co_await Write(kDone, ec);  // on failure the reader fails too
  }

  // A tagged command and its answer; untagged responses on the way are taken in OnUntagged.
  awaitable<Result<ImapResponse>> Command(std::string command, bool secret = false) {
    const std::string tag = NextTag();
    const std::string line = tag + " " + command + "\r\n";
    log::Get("mail")->trace("{} C: {} {}", name_, tag,
                            secret ? command.substr(0, command.find(' ')) + " ****" : command);
    Arm();
    error_code ec;
    co_await Write(line, ec);
    if (ec) {
      Disarm();
      co_return MakeError(ErrorCode::kUnavailable, BrokenText(ec));
    }
    while (true) {
      auto r = co_await ReadResponse();
      if (!r.ok()) {
        Disarm();
        co_return r;
      }
      if (r->kind == ImapResponse::Kind::kTagged && r->tag == tag) {
        Disarm();
        if (r->code.rfind("CAPABILITY ", 0) == 0)
          capabilities_ = ParseCapabilities(r->code.substr(11));
        co_return r;
      }
      if (r->kind == ImapResponse::Kind::kUntagged) OnUntagged(*r);
    }
  }

  awaitable<Result<ImapResponse>> ReadResponse() {
    while (true) {
      auto next = splitter_.Next();
      if (!next.ok()) co_return next.error();
      if (*next) {
        log::Get("mail")->trace("{} S: {}", name_, next->value().substr(0, 200));
        auto parsed = ParseImapResponse(**next);
        if (!parsed.ok()) {
          co_return MakeError(
              ErrorCode::kUnavailable,
              "the server sent something that is not IMAP: " + next->value().substr(0, 80));
        }
        co_return parsed;
      }
      error_code ec;
      size_t n = 0;
      if (tls_) {
        n = co_await tls_->async_read_some(asio::buffer(read_buffer_),
                                           redirect_error(use_awaitable, ec));
      } else {
        n = co_await socket_.async_read_some(asio::buffer(read_buffer_),
                                             redirect_error(use_awaitable, ec));
      }
      if (ec || n == 0) co_return MakeError(ErrorCode::kUnavailable, BrokenText(ec));
      splitter_.Append(std::string_view(read_buffer_.data(), n));
    }
  }

  awaitable<void> Write(const std::string& data, error_code& ec) {
    if (tls_) {
      co_await asio::async_write(*tls_, asio::buffer(data), redirect_error(use_awaitable, ec));
    } else {
      co_await asio::async_write(socket_, asio::buffer(data), redirect_error(use_awaitable, ec));
    }
  }

  void OnUntagged(const ImapResponse& r) {
    if (r.kind != ImapResponse::Kind::kUntagged) return;
    if (r.name == "EXISTS" && r.number) {
      if (*r.number > exists_) grown_ = true;
      exists_ = *r.number;
    } else if (r.name == "EXPUNGE" && exists_ > 0) {
      --exists_;  // so that the next mail's EXISTS shows growth again
    } else if (r.name == "CAPABILITY") {
      capabilities_ = ParseCapabilities(r.text);
    } else if (r.name == "BYE") {
      bye_ = r.text;
    } else if (r.code.rfind("CAPABILITY ", 0) == 0) {
      capabilities_ = ParseCapabilities(r.code.substr(11));
    }
  }

  void NotifyIfGrown() {
    if (!grown_ || stopped_) return;
    grown_ = false;
    log::Get("mail")->debug("{}: new mail in {} ({} messages)", name_, server_.folder, exists_);
    auto callback = on_new_mail_;  // the callback may Stop() us, which clears the member
    if (callback) callback();
  }

  void ReportError(const std::string& text) {
    log::Get("mail")->debug("IDLE watcher: {}", text);
    auto callback = on_error_;
    if (callback) callback(text);
  }

  // The deadline of the operation under way: when it passes, the connection is closed, and
  // the operation fails.
  void Arm() {
    const uint64_t generation = ++deadline_generation_;
    deadline_.expires_after(server_.timeout);
    std::weak_ptr<Session> weak = weak_from_this();
    deadline_.async_wait([weak, generation](const error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->deadline_generation_ != generation) return;
      self->timed_out_ = true;
      self->CloseConnection();
    });
  }

  void Disarm() {
    ++deadline_generation_;
    deadline_.cancel();
  }

  void CloseConnection() {
    error_code ec;
    tcp::socket& s = tls_ ? tls_->next_layer() : socket_;
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
  }

  void ResetConnection() {
    CloseConnection();
    tls_.reset();
    tls_context_.reset();
    socket_ = tcp::socket(io_);
    splitter_ = ImapResponseSplitter(kMaxResponse);
    capabilities_.clear();
    bye_.clear();
    timed_out_ = preauth_ = grown_ = idled_ = false;
    exists_ = 0;
    tag_ = 0;
  }

  std::string NextTag() { return fmt::format("w{}", ++tag_); }

  std::string TimeoutText() const {
    return fmt::format("no answer within {} s", server_.timeout.count());
  }

  std::string BrokenText(const error_code& ec) const {
    if (stopped_) return "stopped";
    if (timed_out_) return TimeoutText();
    if (!bye_.empty()) return "the server ended the session: " + bye_;
    return "the connection broke" + (ec ? ": " + ec.message() : std::string());
  }

  Ending Lost(const Error& error) const {
    if (stopped_) return Ending{Ending::Kind::kStopped, ""};
    return Ending{Ending::Kind::kError, error.message};
  }

  asio::io_context& io_;
  const MailboxServer server_;
  const std::string name_;
  std::function<void()> on_new_mail_;
  std::function<void(const std::string&)> on_error_;
  bool started_ = false;
  bool stopped_ = false;

  // The connection (one at a time).
  tcp::socket socket_;  // until TLS; then inside tls_
  std::unique_ptr<asio::ssl::context> tls_context_;
  std::unique_ptr<asio::ssl::stream<tcp::socket>> tls_;
  std::array<char, 16384> read_buffer_{};
  ImapResponseSplitter splitter_{kMaxResponse};
  std::vector<std::string> capabilities_;
  std::string bye_;  // what the server said with BYE, for the error text
  uint32_t exists_ = 0;
  int tag_ = 0;
  bool grown_ = false;  // EXISTS went up since the last notification
  bool idled_ = false;  // this connection reached IDLE
  bool preauth_ = false;
  bool timed_out_ = false;

  asio::steady_timer deadline_;
  uint64_t deadline_generation_ = 0;
  asio::steady_timer reidle_timer_;
  asio::steady_timer backoff_timer_;
};

ImapIdleWatcher::ImapIdleWatcher(boost::asio::io_context& io, MailboxServer server,
                                 std::function<void()> on_new_mail,
                                 std::function<void(const std::string&)> on_error)
    : session_(std::make_shared<Session>(io, std::move(server), std::move(on_new_mail),
                                         std::move(on_error))) {}

ImapIdleWatcher::~ImapIdleWatcher() { Stop(); }

void ImapIdleWatcher::Start() { session_->Start(); }

void ImapIdleWatcher::Stop() { session_->Stop(); }

void ImapIdleWatcher::set_reidle_interval(std::chrono::seconds s) { session_->reidle_interval = s; }

}  // namespace faxgate::mail
