// Private to the SMTP server: one client's TCP connection, upgraded to TLS in place by STARTTLS.
// Everything runs on the io_context's thread, callbacks included. At most one read is
// outstanding; writes are queued and leave in order. A client that neither sends nor reads is
// cut off after `timeout`, so no client can hold a connection forever.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

namespace faxgate::mail {

class SmtpConnection : public std::enable_shared_from_this<SmtpConnection> {
 public:
  // The bytes are valid during the call only. ec is set at the end of the stream, on a failure,
  // and to boost::asio::error::timed_out when nothing came for `timeout`.
  using ReadHandler = std::function<void(const boost::system::error_code& ec, std::string_view)>;

  SmtpConnection(boost::asio::ip::tcp::socket socket, std::chrono::steady_clock::duration timeout);
  SmtpConnection(const SmtpConnection&) = delete;
  SmtpConnection& operator=(const SmtpConnection&) = delete;

  // Some bytes from the client. While much output is unsent the read waits for it to drain: a
  // client that does not read its replies is not read either.
  void Read(ReadHandler handler);
  // Queues bytes for the client. A write that makes no progress for `timeout` aborts.
  void Write(std::string_view bytes);
  // Once the queued output is out: the TLS handshake as the server. Bytes the client sent before
  // the handshake are never read (the caller drops what it had buffered). No read may be
  // outstanding. done(false) when the handshake fails; not called after Abort().
  void StartTls(boost::asio::ssl::context& context, std::function<void(bool ok)> done);
  // Once the queued output is out: closes. What the client still sends meanwhile is read and
  // dropped for a moment, so that it sees the last reply rather than a connection reset.
  void Close();
  // Closes at once. A pending read handler is dropped, not called.
  void Abort();

  bool tls() const { return tls_ != nullptr; }
  bool closed() const { return phase_ == Phase::kClosed; }

 private:
  enum class Phase { kOpen, kLingering, kClosed };

  boost::asio::ip::tcp::socket& Tcp() { return tls_ ? tls_->next_layer() : socket_; }
  size_t Backlog() const { return queued_.size() + writing_.size(); }
  void StartRead();
  void OnRead(const boost::system::error_code& ec, size_t n);
  void StartWrite();
  void OnWritten(const boost::system::error_code& ec);
  void AfterOutputDrained();
  void BeginHandshake();
  void BeginLinger();
  void LingerRead();

  boost::asio::ip::tcp::socket socket_;  // moved into tls_ by STARTTLS
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
  const std::chrono::steady_clock::duration timeout_;
  boost::asio::steady_timer read_timer_;
  boost::asio::steady_timer write_timer_;  // also the handshake's and the lingering close's
  Phase phase_ = Phase::kOpen;

  std::array<char, 16384> read_buffer_;
  ReadHandler read_handler_;
  bool reading_ = false;        // an async read is outstanding
  bool read_deferred_ = false;  // Read() waits for the output to drain

  std::string queued_;   // not yet handed to the socket
  std::string writing_;  // being written
  bool close_requested_ = false;
  boost::asio::ssl::context* tls_context_ = nullptr;  // a handshake waits for the output
  std::function<void(bool)> tls_done_;
};

}  // namespace faxgate::mail
