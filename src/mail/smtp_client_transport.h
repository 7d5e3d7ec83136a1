// Private to the SMTP client: the connection to one server, over TCP and, after STARTTLS or from
// the first byte, TLS. It writes bytes and reads whole replies; an operation that does not
// finish within its timeout fails with boost::asio::error::timed_out. Everything runs on the
// io_context's thread, callbacks included, one operation at a time.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "mail/smtp_reply.h"

namespace faxgate::mail {

class SmtpClientTransport : public std::enable_shared_from_this<SmtpClientTransport> {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using Done = std::function<void(const boost::system::error_code&)>;
  using ReplyDone = std::function<void(const boost::system::error_code&, ServerReply)>;

  // `name` ("mail.example.com:25") prefixes the trace lines.
  SmtpClientTransport(boost::asio::io_context& io, std::string name);

  // Resolves `host` and connects to its addresses in turn, each given `timeout`.
  void Connect(const std::string& host, uint16_t port, Duration timeout, Done done);
  // The TLS client handshake, with SNI unless `host` is an IP address. With `verify`, the
  // certificate must chain to the context's CAs and name `host`; what was wrong with it is then
  // in certificate_problem().
  void StartTls(boost::asio::ssl::context& context, const std::string& host, bool verify,
                Duration timeout, Done done);
  // Writes all of `bytes`; the timeout applies to each chunk, so a large message on a slow line
  // is fine and a stalled one is not.
  void Write(std::string bytes, Duration timeout, Done done);
  // Reads one whole reply and traces its lines as "S: ...". A reply that is not SMTP fails with
  // errc::protocol_error, its line in protocol_error().
  void ReadReply(Duration timeout, ReplyDone done);
  // RFC 3207 4.2: what the server sent after its 220 to STARTTLS came in clear text and must
  // not be taken for part of the TLS session. Returns whether there was any.
  bool DiscardBuffered();
  void Close();

  bool tls() const { return tls_ != nullptr; }
  // Whether Connect found an address for the host.
  bool resolved() const { return !endpoints_.empty(); }
  const std::string& name() const { return name_; }
  const std::string& certificate_problem() const { return certificate_problem_; }
  const std::string& protocol_error() const { return protocol_error_; }
  // The timeout of the last operation, for "no answer within 60 s".
  Duration last_timeout() const { return last_timeout_; }

 private:
  boost::asio::ip::tcp::socket& Tcp() { return tls_ ? tls_->next_layer() : socket_; }
  void Arm(Duration timeout);
  boost::system::error_code Disarm(const boost::system::error_code& ec);
  void ConnectTo(size_t index, Duration timeout, Done done, boost::system::error_code last);
  void WriteSome(Duration timeout, Done done);
  void ReadMore(ReplyDone done);
  bool TakeReply(ReplyDone& done);

  std::string name_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
  boost::asio::steady_timer timer_;
  uint64_t timer_generation_ = 0;  // a timer that fired for an earlier operation is ignored
  bool timed_out_ = false;
  Duration last_timeout_{};
  std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
  std::string out_;
  size_t out_done_ = 0;
  std::string in_;
  std::array<char, 16 * 1024> read_buffer_;
  ServerReplyReader reader_;
  std::string certificate_problem_;
  std::string protocol_error_;
};

}  // namespace faxgate::mail
