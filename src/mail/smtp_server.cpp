#include "mail/smtp_server.h"

#include <fmt/format.h>

#include "base/log.h"
#include "mail/smtp_session.h"

namespace faxgate::mail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// Refuses a client over max_connections with 421 and closes, without a session.
void TurnAway(asio::ip::tcp::socket socket) {
  auto connection = std::make_shared<SmtpConnection>(std::move(socket), std::chrono::seconds(10));
  connection->Write("421 4.3.2 too many connections; try again later\r\n");
  connection->Close();
}

void Accept(const std::shared_ptr<SmtpServerState>& state) {
  state->acceptor.async_accept([state](const error_code& ec, asio::ip::tcp::socket socket) {
    if (state->stopped || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of file descriptors, most likely: try again in a moment rather than spin.
      log::Get("smtp")->warn("SMTP listener: cannot accept a connection: {}", ec.message());
      state->accept_retry.expires_after(std::chrono::milliseconds(100));
      state->accept_retry.async_wait([state](const error_code& wait_ec) {
        if (!wait_ec && !state->stopped) Accept(state);
      });
      return;
    }
    if (static_cast<int>(state->sessions.size()) >= state->options.max_connections) {
      log::Get("smtp")->info("SMTP listener: {} connections already, turning one away",
                             state->sessions.size());
      TurnAway(std::move(socket));
    } else {
      std::make_shared<SmtpSession>(std::move(socket), state)->Start();
    }
    Accept(state);
  });
}

}  // namespace

SmtpServer::SmtpServer(asio::io_context& io, SmtpHandler& handler, SmtpServerOptions options)
    : state_(std::make_shared<SmtpServerState>(io, handler, std::move(options))) {}

SmtpServer::~SmtpServer() { Stop(); }

Result<uint16_t> SmtpServer::Listen(const std::string& host, uint16_t port) {
  if (state_->stopped || state_->acceptor.is_open()) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "the SMTP listener is already listening, or stopped");
  }
  error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("SMTP listener: '{}' is not an IP address", host));
  }
  const asio::ip::tcp::endpoint endpoint(address, port);
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    const std::string where = address.is_v6() ? "[" + host + "]" : host;
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("cannot listen for SMTP on {}:{}: {}", where, port, ec.message()));
  }
  const uint16_t bound = acceptor.local_endpoint(ec).port();
  Accept(state_);
  return bound;
}

void SmtpServer::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  error_code ignored;
  state_->acceptor.close(ignored);
  state_->accept_retry.cancel();
  // Stop() takes each session out of the set (by ending it): iterate over a copy.
  const std::set<SmtpSession*> sessions = state_->sessions;
  for (SmtpSession* session : sessions) {
    if (state_->sessions.count(session)) session->Stop();
  }
}

size_t SmtpServer::active_sessions() const { return state_->sessions.size(); }

}  // namespace faxgate::mail
