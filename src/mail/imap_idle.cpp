#include "mail/imap_idle.h"

#include <utility>  // before boost: its awaitable.hpp needs std::exchange

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log.h"
#include "mail/smtp_stream.h"

namespace faxgate::mail {

using asio::redirect_error;
using asio::use_awaitable;

struct ImapIdleWatcher::State : std::enable_shared_from_this<ImapIdleWatcher::State> {
  asio::io_context& io;
  MailboxServer server;
  std::function<void()> on_new_mail;
  std::function<void(const std::string&)> on_error;
  std::chrono::seconds reidle{29 * 60};
  bool stopped = false;
  std::unique_ptr<SmtpStream> stream;  // line I/O with STARTTLS: the same needs as SMTP
  asio::steady_timer timer;
  int tag = 0;

  State(asio::io_context& i, MailboxServer s, std::function<void()> n,
        std::function<void(const std::string&)> e)
      : io(i), server(std::move(s)), on_new_mail(std::move(n)), on_error(std::move(e)), timer(i) {}

  std::string Quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }

  // Sends a tagged command and reads to its tagged answer; untagged lines go to `untagged`.
  asio::awaitable<std::string> Command(std::string command, std::string* untagged) {
    const std::string t = fmt::format("f{}", ++tag);
    if (!co_await stream->Write(t + " " + command + "\r\n")) co_return "BAD connection lost";
    while (true) {
      auto line = co_await stream->ReadLine(65536, nullptr);
      if (!line) co_return "BAD connection lost";
      if (line->rfind(t + " ", 0) == 0) co_return line->substr(t.size() + 1);
      if (untagged) *untagged += *line + "\n";
    }
  }

  // One connection's life; returns why it ended.
  asio::awaitable<std::string> Session() {
    asio::ip::tcp::resolver resolver(io);
    boost::system::error_code ec;
    const uint16_t port = server.port ? server.port : (server.tls == "implicit" ? 993 : 143);
    auto endpoints = co_await resolver.async_resolve(server.host, std::to_string(port),
                                                     redirect_error(use_awaitable, ec));
    if (ec) co_return fmt::format("cannot resolve {}: {}", server.host, ec.message());
    asio::ip::tcp::socket socket(io);
    co_await asio::async_connect(socket, endpoints, redirect_error(use_awaitable, ec));
    if (ec) co_return fmt::format("cannot connect to {}:{}: {}", server.host, port, ec.message());
    stream = std::make_unique<SmtpStream>(std::move(socket));
    asio::ssl::context tls(asio::ssl::context::tls_client);
    if (server.verify_certificate) {
      tls.set_verify_mode(asio::ssl::verify_peer);
      if (!server.ca_file.empty())
        tls.load_verify_file(server.ca_file, ec);
      else
        tls.set_default_verify_paths(ec);
      tls.set_verify_callback(asio::ssl::host_name_verification(server.host));
    } else {
      tls.set_verify_mode(asio::ssl::verify_none);
    }
    if (server.tls == "implicit" && !co_await stream->StartTls(tls, false, server.host))
      co_return "the TLS handshake failed";
    auto greeting = co_await stream->ReadLine(65536, nullptr);
    if (!greeting || greeting->rfind("* OK", 0) != 0) co_return "no IMAP greeting";
    if (server.tls == "starttls") {
      std::string answer = co_await Command("STARTTLS", nullptr);
      if (answer.rfind("OK", 0) != 0) co_return "the server refused STARTTLS: " + answer;
      stream->DiscardBuffered();
      if (!co_await stream->StartTls(tls, false, server.host)) co_return "the TLS handshake failed";
    }
    std::string caps;
    co_await Command("CAPABILITY", &caps);
    std::string answer =
        co_await Command("LOGIN " + Quote(server.user) + " " + Quote(server.password), nullptr);
    if (answer.rfind("OK", 0) != 0) co_return fmt::format("login refused for {}", server.user);
    caps.clear();
    co_await Command("CAPABILITY", &caps);
    if (caps.find(" IDLE") == std::string::npos) co_return "NOIDLE";
    std::string selected;
    answer = co_await Command("SELECT " + Quote(server.folder), &selected);
    if (answer.rfind("OK", 0) != 0) co_return "cannot select " + server.folder + ": " + answer;
    if (selected.find(" EXISTS") != std::string::npos &&
        selected.find("* 0 EXISTS") == std::string::npos)
      on_new_mail();
    while (!stopped) {
      const std::string t = fmt::format("f{}", ++tag);
      if (!co_await stream->Write(t + " IDLE\r\n")) co_return "connection lost";
      auto cont = co_await stream->ReadLine(65536, nullptr);
      if (!cont || cont->rfind("+", 0) != 0) co_return "the server refused IDLE";
      // Re-issue IDLE before servers drop us (RFC 2177: at least every 29 minutes).
      timer.expires_after(reidle);
      std::weak_ptr<State> weak = shared_from_this();
      timer.async_wait([weak](const boost::system::error_code& e) {
        if (e) return;
        if (auto self = weak.lock(); self && self->stream) {
          asio::co_spawn(self->io, self->stream->Write("DONE\r\n"), asio::detached);
        }
      });
      // Lines until our tag: the timer's DONE ends the IDLE; EXISTS wakes the caller.
      bool done = false;
      while (!done) {
        auto line = co_await stream->ReadLine(65536, nullptr);
        if (!line) co_return "connection lost";
        if (line->rfind(t + " ", 0) == 0) {
          done = true;
        } else if (line->find(" EXISTS") != std::string::npos ||
                   line->find(" RECENT") != std::string::npos) {
          on_new_mail();
          timer.cancel();
          co_await stream->Write("DONE\r\n");
        }
      }
      timer.cancel();
    }
    co_return "stopped";
  }

  asio::awaitable<void> Run() {
    auto self = shared_from_this();
    auto backoff = std::chrono::seconds(5);
    while (!stopped) {
      std::string why = co_await Session();
      if (stream) stream->Close();
      if (stopped) break;
      if (why == "NOIDLE") {
        on_error(fmt::format("{} does not support IDLE; the mailbox is polled", server.host));
        co_return;
      }
      on_error(why);
      asio::steady_timer wait(io);
      wait.expires_after(backoff);
      boost::system::error_code ec;
      co_await wait.async_wait(redirect_error(use_awaitable, ec));
      backoff = std::min(backoff * 2, std::chrono::seconds(300));
    }
  }
};

ImapIdleWatcher::ImapIdleWatcher(boost::asio::io_context& io, MailboxServer server,
                                 std::function<void()> on_new_mail,
                                 std::function<void(const std::string&)> on_error)
    : state_(std::make_shared<State>(io, std::move(server), std::move(on_new_mail),
                                     std::move(on_error))) {}

ImapIdleWatcher::~ImapIdleWatcher() { Stop(); }

void ImapIdleWatcher::Start() {
  auto state = state_;
  asio::co_spawn(
      state->io, [state]() { return state->Run(); }, asio::detached);
}

void ImapIdleWatcher::Stop() {
  state_->stopped = true;
  state_->timer.cancel();
  if (state_->stream) state_->stream->Close();
  // Callbacks refer to the owner; once stopped they must not run.
  state_->on_new_mail = [] {};
  state_->on_error = [](const std::string&) {};
}

void ImapIdleWatcher::set_reidle_interval(std::chrono::seconds s) { state_->reidle = s; }

}  // namespace faxgate::mail
