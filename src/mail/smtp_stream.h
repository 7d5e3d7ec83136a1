// Private to the mail module: an SMTP connection as lines over TCP, upgraded to TLS in place by
// STARTTLS, for the C++20 coroutines of the SMTP server and client. Single-threaded: all calls
// on the connection's io_context.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>  // boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

namespace faxgate::mail {

namespace asio = boost::asio;

class SmtpStream {
 public:
  explicit SmtpStream(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

  // One line without its CRLF (or bare LF). nullopt at end of stream or on error. A line longer
  // than `max` is read to its end and returned cut, with `too_long` set.
  asio::awaitable<std::optional<std::string>> ReadLine(size_t max, bool* too_long);
  asio::awaitable<bool> Write(std::string data);
  asio::awaitable<bool> StartTls(asio::ssl::context& context, bool server, std::string server_name);

  // STARTTLS: what the peer sent before the handshake must not be read after it.
  void DiscardBuffered() { buffer_.clear(); }
  bool tls() const { return static_cast<bool>(tls_); }
  // Cancels pending operations (a timeout); the awaiting read or write then fails.
  void Cancel();
  void Close();
  asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : socket_; }

 private:
  asio::awaitable<size_t> ReadSome(char* data, size_t size);

  asio::ip::tcp::socket socket_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
  std::string buffer_;
};

}  // namespace faxgate::mail
