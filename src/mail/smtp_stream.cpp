#include "mail/smtp_stream.h"

#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace faxgate::mail {

using asio::redirect_error;
using asio::use_awaitable;

asio::awaitable<size_t> SmtpStream::ReadSome(char* data, size_t size) {
  boost::system::error_code ec;
  size_t n = 0;
  if (tls_) {
    n = co_await tls_->async_read_some(asio::buffer(data, size), redirect_error(use_awaitable, ec));
  } else {
    n = co_await socket_.async_read_some(asio::buffer(data, size),
                                         redirect_error(use_awaitable, ec));
  }
  co_return ec ? 0 : n;
}

asio::awaitable<std::optional<std::string>> SmtpStream::ReadLine(size_t max, bool* too_long) {
  if (too_long) *too_long = false;
  size_t scanned = 0;
  while (true) {
    const size_t lf = buffer_.find('\n', scanned);
    if (lf != std::string::npos) {
      std::string line = buffer_.substr(0, lf);
      buffer_.erase(0, lf + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() > max) {
        line.resize(max);
        if (too_long) *too_long = true;
      }
      co_return line;
    }
    scanned = buffer_.size();
    // A line without end: keep only its start so a hostile peer cannot fill memory.
    if (buffer_.size() > max + 4096) {
      buffer_.resize(max);
      scanned = max;
      if (too_long) *too_long = true;
    }
    char chunk[16384];
    const size_t n = co_await ReadSome(chunk, sizeof chunk);
    if (n == 0) co_return std::nullopt;
    buffer_.append(chunk, n);
  }
}

asio::awaitable<bool> SmtpStream::Write(std::string data) {
  boost::system::error_code ec;
  if (tls_) {
    co_await asio::async_write(*tls_, asio::buffer(data), redirect_error(use_awaitable, ec));
  } else {
    co_await asio::async_write(socket_, asio::buffer(data), redirect_error(use_awaitable, ec));
  }
  co_return !ec;
}

asio::awaitable<bool> SmtpStream::StartTls(asio::ssl::context& context, bool server,
                                           std::string server_name) {
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(std::move(socket_), context);
  if (!server && !server_name.empty()) {
    SSL_set_tlsext_host_name(tls_->native_handle(), server_name.c_str());
  }
  boost::system::error_code ec;
  co_await tls_->async_handshake(
      server ? asio::ssl::stream_base::server : asio::ssl::stream_base::client,
      redirect_error(use_awaitable, ec));
  co_return !ec;
}

void SmtpStream::Cancel() {
  boost::system::error_code ec;
  socket().cancel(ec);
}

void SmtpStream::Close() {
  boost::system::error_code ec;
  socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket().close(ec);
}

}  // namespace faxgate::mail
