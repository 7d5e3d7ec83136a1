#include "mail/smtp_connection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace faxgate::mail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// Unsent replies beyond which the client is not read until it reads them.
constexpr size_t kMaxBacklog = 64 * 1024;
// How long a closing connection keeps reading what the client still sends.
constexpr std::chrono::seconds kLinger{2};

}  // namespace

SmtpConnection::SmtpConnection(asio::ip::tcp::socket socket,
                               std::chrono::steady_clock::duration timeout)
    : socket_(std::move(socket)),
      timeout_(timeout),
      read_timer_(socket_.get_executor()),
      write_timer_(socket_.get_executor()) {}

void SmtpConnection::Read(ReadHandler handler) {
  if (phase_ != Phase::kOpen || close_requested_) {
    asio::post(read_timer_.get_executor(),
               [handler = std::move(handler)] { handler(asio::error::not_connected, {}); });
    return;
  }
  read_handler_ = std::move(handler);
  if (reading_) return;  // the read still outstanding (after a timeout) delivers it
  if (Backlog() > kMaxBacklog) {
    read_deferred_ = true;
    return;
  }
  StartRead();
}

void SmtpConnection::StartRead() {
  reading_ = true;
  read_timer_.expires_after(timeout_);
  read_timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || !self->read_handler_) return;
    auto handler = std::move(self->read_handler_);
    self->read_handler_ = nullptr;
    handler(asio::error::timed_out, {});
  });
  auto on_read = [self = shared_from_this()](const error_code& ec, size_t n) {
    self->OnRead(ec, n);
  };
  if (tls_) {
    tls_->async_read_some(asio::buffer(read_buffer_), std::move(on_read));
  } else {
    socket_.async_read_some(asio::buffer(read_buffer_), std::move(on_read));
  }
}

void SmtpConnection::OnRead(const error_code& ec, size_t n) {
  reading_ = false;
  read_timer_.cancel();
  if (phase_ == Phase::kClosed) return;
  if (phase_ == Phase::kLingering) {
    if (ec) {
      Abort();
    } else {
      LingerRead();
    }
    return;
  }
  auto handler = std::move(read_handler_);
  read_handler_ = nullptr;
  if (handler) handler(ec, std::string_view(read_buffer_.data(), ec ? 0 : n));
}

void SmtpConnection::Write(std::string_view bytes) {
  if (phase_ != Phase::kOpen || close_requested_) return;
  queued_.append(bytes);
  if (writing_.empty() && !tls_done_) StartWrite();
}

void SmtpConnection::StartWrite() {
  writing_.swap(queued_);
  write_timer_.expires_after(timeout_);
  write_timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
    if (auto self = weak.lock(); self && !ec) self->Abort();
  });
  auto on_written = [self = shared_from_this()](const error_code& ec, size_t) {
    self->OnWritten(ec);
  };
  if (tls_) {
    asio::async_write(*tls_, asio::buffer(writing_), std::move(on_written));
  } else {
    asio::async_write(socket_, asio::buffer(writing_), std::move(on_written));
  }
}

void SmtpConnection::OnWritten(const error_code& ec) {
  write_timer_.cancel();
  writing_.clear();
  if (phase_ == Phase::kClosed) return;
  if (ec) {
    Abort();
    return;
  }
  if (!queued_.empty()) {
    StartWrite();
  } else {
    AfterOutputDrained();
  }
  if (read_deferred_ && phase_ == Phase::kOpen && !close_requested_ && !tls_done_ &&
      Backlog() <= kMaxBacklog) {
    read_deferred_ = false;
    StartRead();
  }
}

void SmtpConnection::AfterOutputDrained() {
  if (close_requested_) {
    BeginLinger();
  } else if (tls_context_) {
    BeginHandshake();
  }
}

void SmtpConnection::StartTls(asio::ssl::context& context, std::function<void(bool ok)> done) {
  if (phase_ != Phase::kOpen || close_requested_ || tls_) return;
  tls_context_ = &context;
  tls_done_ = std::move(done);
  if (writing_.empty() && queued_.empty()) BeginHandshake();
}

void SmtpConnection::BeginHandshake() {
  asio::ssl::context& context = *tls_context_;
  tls_context_ = nullptr;
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(std::move(socket_), context);
  write_timer_.expires_after(timeout_);
  write_timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
    if (auto self = weak.lock(); self && !ec) self->Abort();
  });
  tls_->async_handshake(asio::ssl::stream_base::server,
                        [self = shared_from_this()](const error_code& ec) {
                          self->write_timer_.cancel();
                          if (self->phase_ == Phase::kClosed) return;
                          auto done = std::move(self->tls_done_);
                          self->tls_done_ = nullptr;
                          if (done) done(!ec);
                        });
}

void SmtpConnection::Close() {
  if (phase_ != Phase::kOpen || close_requested_) return;
  close_requested_ = true;
  read_handler_ = nullptr;
  tls_context_ = nullptr;
  tls_done_ = nullptr;
  if (writing_.empty() && queued_.empty()) BeginLinger();
}

void SmtpConnection::BeginLinger() {
  phase_ = Phase::kLingering;
  read_handler_ = nullptr;
  error_code ignored;
  Tcp().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  write_timer_.expires_after(kLinger);
  write_timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
    if (auto self = weak.lock(); self && !ec) self->Abort();
  });
  if (!reading_) LingerRead();
}

void SmtpConnection::LingerRead() {
  reading_ = true;
  // Plain TCP even under TLS: the bytes are dropped unread.
  Tcp().async_read_some(asio::buffer(read_buffer_),
                        [self = shared_from_this()](const error_code& ec, size_t) {
                          self->reading_ = false;
                          if (self->phase_ != Phase::kLingering) return;
                          if (ec) {
                            self->Abort();
                          } else {
                            self->LingerRead();
                          }
                        });
}

void SmtpConnection::Abort() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  read_handler_ = nullptr;
  tls_done_ = nullptr;
  tls_context_ = nullptr;
  read_timer_.cancel();
  write_timer_.cancel();
  error_code ignored;
  Tcp().close(ignored);
}

}  // namespace faxgate::mail
