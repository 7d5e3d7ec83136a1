// The HTTP/1.1 server under the REST API, the portal and /metrics. It runs on the control
// thread's io_context (DESIGN.md, Threads): accepting, reading, routing and writing all
// happen there, so handlers need no locks. Beast stays inside the .cpp files.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "http/router.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace faxgate::http {

struct ServerOptions {
  // Larger bodies get 413 before they are read: a fax upload of a few documents fits.
  uint64_t body_limit = 64 * 1024 * 1024;
  // Larger header blocks get 431; bearer tokens and cookies fit easily.
  uint32_t header_limit = 64 * 1024;
  // A connection that sends nothing (or does not read our answer) for this long is closed.
  std::chrono::seconds idle_timeout{60};
};

// One server serves any number of listening sockets with one Router.
// REQUIRES: one thread runs io_context; every method is called on that thread or while no
// thread runs it. router outlives the server.
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const Router& router, ServerOptions options = {});
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Starts accepting on host:port (port 0 picks a free one) and returns the actual port.
  // Fails with kUnavailable and a message such as
  // "cannot listen on 127.0.0.1:8080: address already in use".
  Result<uint16_t> Listen(std::string_view host, uint16_t port);

  // Closes the listening sockets and every open connection; no handler runs after it
  // returns (a deferred Responder called later does nothing). The ports are free when it
  // returns. Idempotent.
  void Stop();

  // Connections open now (for tests and /metrics).
  size_t ConnectionCount() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace faxgate::http
