#include "http/http_server.h"

#include <cctype>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/log.h"
#include "http/server_connection.h"

namespace faxgate::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  asio::io_context& io;
  std::shared_ptr<internal::ConnectionContext> context;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;

  State(asio::io_context& io_context, std::shared_ptr<internal::ConnectionContext> ctx)
      : io(io_context), context(std::move(ctx)) {}

  void Accept(tcp::acceptor& acceptor) {
    // The handler owns the state, so the acceptor outlives a completion queued after Stop().
    acceptor.async_accept(
        [self = shared_from_this(), &acceptor](boost::system::error_code ec, tcp::socket socket) {
          if (self->context->stopped) return;
          if (ec) return self->AcceptLater(acceptor, ec);
          internal::StartConnection(std::move(socket), self->context);
          self->Accept(acceptor);
        });
  }

  // Out of file descriptors and the like: the listener stays, and tries again after a pause
  // instead of spinning on an error that only closed connections will clear.
  void AcceptLater(tcp::acceptor& acceptor, const boost::system::error_code& ec) {
    log::Get("http")->warn("accepting a connection failed: {}", ec.message());
    retry_timer.expires_after(std::chrono::milliseconds(100));
    retry_timer.async_wait([self = shared_from_this(), &acceptor](boost::system::error_code) {
      if (!self->context->stopped) self->Accept(acceptor);
    });
  }

  asio::steady_timer retry_timer{io};
};

namespace {

// "Address already in use" -> "address already in use", to read well after a colon.
std::string Describe(const boost::system::error_code& ec) {
  std::string text = ec.message();
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string HostPortText(std::string_view host, uint16_t port) {
  std::string host_text(host);
  if (host_text.find(':') != std::string::npos) host_text = "[" + host_text + "]";
  return host_text + ":" + std::to_string(port);
}

Result<tcp::endpoint> Resolve(asio::io_context& io, std::string_view host, uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(std::string(host), ec);
  if (!ec) return tcp::endpoint(address, port);
  tcp::resolver resolver(io);
  auto results =
      resolver.resolve(std::string(host), std::to_string(port), tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return MakeError(ErrorCode::kUnavailable, "cannot listen on " + HostPortText(host, port) +
                                                  ": cannot resolve " + std::string(host));
  }
  return results.begin()->endpoint();
}

// Opens, binds and listens; any step can fail with the socket's own reason.
boost::system::error_code OpenListener(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  // SO_REUSEADDR lets a restarted server bind while old connections sit in TIME_WAIT; on
  // Linux it still refuses a port that another process listens on.
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, const Router& router, ServerOptions options) {
  auto context = std::make_shared<internal::ConnectionContext>();
  context->router = &router;
  context->options = options;
  state_ = std::make_shared<State>(io, std::move(context));
}

HttpServer::~HttpServer() { Stop(); }

Result<uint16_t> HttpServer::Listen(std::string_view host, uint16_t port) {
  FG_ASSIGN_OR_RETURN(tcp::endpoint endpoint, Resolve(state_->io, host, port));
  auto acceptor = std::make_unique<tcp::acceptor>(state_->io);
  if (auto ec = OpenListener(*acceptor, endpoint)) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot listen on " + HostPortText(host, port) + ": " + Describe(ec));
  }
  uint16_t actual = acceptor->local_endpoint().port();
  log::Get("http")->info("listening on http://{}", HostPortText(host, actual));
  state_->acceptors.push_back(std::move(acceptor));
  state_->Accept(*state_->acceptors.back());
  return actual;
}

void HttpServer::Stop() {
  auto& context = *state_->context;
  if (context.stopped) return;
  context.stopped = true;
  for (auto& acceptor : state_->acceptors) {
    boost::system::error_code ignored;
    acceptor->close(ignored);
  }
  state_->retry_timer.cancel();
  // Close() does not destroy a connection (its pending operations own it), so the set is
  // not changed while we walk a copy of it.
  auto open = context.open;
  for (internal::Connection* connection : open) connection->Close();
}

size_t HttpServer::ConnectionCount() const { return state_->context->open.size(); }

}  // namespace faxgate::http
