#include "mail/smtp_server.h"

#include <fmt/format.h>

#include "base/log.h"
#include "mail/smtp_session.h"

namespace faxgate::mail {

SmtpServer::SmtpServer(boost::asio::io_context& io, SmtpHandler& handler, SmtpServerOptions options)
    : io_(io), acceptor_(io), shared_(std::make_shared<Shared>()) {
  shared_->handler = &handler;
  shared_->options = std::move(options);
}

SmtpServer::~SmtpServer() { Stop(); }

Result<uint16_t> SmtpServer::Listen(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("SMTP listener: '{}' is not an IP address", host));
  }
  asio::ip::tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("cannot listen for SMTP on {}:{}: {}", host, port, ec.message()));
  }
  Accept();
  return acceptor_.local_endpoint().port();
}

void SmtpServer::Accept() {
  acceptor_.async_accept(
      [this, shared = shared_](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
        if (shared->stopped || ec == asio::error::operation_aborted) return;
        if (!ec) {
          if (static_cast<int>(shared->sessions.size()) >= shared->options.max_connections) {
            static const char busy[] = "421 4.3.2 too many connections; try again later\r\n";
            boost::system::error_code ignored;
            socket.write_some(asio::buffer(busy, sizeof busy - 1), ignored);
            socket.close(ignored);
          } else {
            std::make_shared<SmtpSession>(std::move(socket), shared)->Start();
          }
        }
        Accept();
      });
}

void SmtpServer::Stop() {
  if (shared_->stopped) return;
  shared_->stopped = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (SmtpSession* s : std::set<SmtpSession*>(shared_->sessions)) s->Close();
}

size_t SmtpServer::active_sessions() const { return shared_->sessions.size(); }

}  // namespace faxgate::mail
