// Private to the server: what http_server.cpp (accepting) and server_connection.cpp (one
// HTTP/1.1 connection, with Beast) share. Not part of the module's interface.
#pragma once

#include <memory>
#include <unordered_set>

#include <boost/asio/ip/tcp.hpp>

#include "http/http_server.h"
#include "http/router.h"

namespace faxgate::http::internal {

class Connection {
 public:
  virtual ~Connection() = default;
  // Closes the socket; pending operations complete with an error and release the connection.
  virtual void Close() = 0;
};

// Shared by a server and its connections; lives until the last of them is gone, so a
// connection whose handler completes after the server is destroyed finds it still valid.
struct ConnectionContext {
  const Router* router = nullptr;  // valid while !stopped
  ServerOptions options;
  bool stopped = false;
  std::unordered_set<Connection*> open;  // each registers itself for its lifetime
};

// Serves requests on an accepted socket until either side closes it.
void StartConnection(boost::asio::ip::tcp::socket socket,
                     std::shared_ptr<ConnectionContext> context);

}  // namespace faxgate::http::internal
