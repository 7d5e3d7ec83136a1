#include "mail/smtp_client_transport.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>

#include "base/log.h"
#include "mail/smtp_client_envelope.h"

namespace faxgate::mail {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// RFC 5321 4.5.3.1.5 allows 512 octets per reply line; more than this is no SMTP server.
constexpr size_t kMaxLine = 8 * 1024;
// The stall timeout applies per chunk written.
constexpr size_t kWriteChunk = 64 * 1024;

error_code ProtocolError() {
  return boost::system::errc::make_error_code(boost::system::errc::protocol_error);
}

}  // namespace

SmtpClientTransport::SmtpClientTransport(asio::io_context& io, std::string name)
    : name_(std::move(name)), resolver_(io), socket_(io), timer_(io) {}

void SmtpClientTransport::Arm(Duration timeout) {
  last_timeout_ = timeout;
  timed_out_ = false;
  const uint64_t generation = ++timer_generation_;
  timer_.expires_after(timeout);
  timer_.async_wait([weak = weak_from_this(), generation](const error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->timer_generation_ != generation) return;
    // Closing makes the pending operation fail; Disarm then reports the timeout.
    self->timed_out_ = true;
    self->resolver_.cancel();
    error_code ignored;
    self->Tcp().close(ignored);
  });
}

error_code SmtpClientTransport::Disarm(const error_code& ec) {
  ++timer_generation_;
  timer_.cancel();
  return timed_out_ ? error_code(asio::error::timed_out) : ec;
}

void SmtpClientTransport::Connect(const std::string& host, uint16_t port, Duration timeout,
                                  Done done) {
  Arm(timeout);
  resolver_.async_resolve(
      host, std::to_string(port),
      [self = shared_from_this(), timeout, done = std::move(done)](
          const error_code& ec, const tcp::resolver::results_type& results) mutable {
        const error_code failure = self->Disarm(ec);
        if (failure) return done(failure);
        for (const auto& entry : results) self->endpoints_.push_back(entry.endpoint());
        self->ConnectTo(0, timeout, std::move(done), asio::error::host_not_found);
      });
}

void SmtpClientTransport::ConnectTo(size_t index, Duration timeout, Done done, error_code last) {
  if (index >= endpoints_.size()) return done(last);
  error_code ignored;
  socket_.close(ignored);
  Arm(timeout);
  socket_.async_connect(endpoints_[index], [self = shared_from_this(), index, timeout,
                                            done = std::move(done)](const error_code& ec) mutable {
    const error_code failure = self->Disarm(ec);
    if (!failure) return done(failure);
    log::Get("smtp")->debug("{}: cannot connect to {}: {}", self->name_,
                            self->endpoints_[index].address().to_string(), failure.message());
    self->ConnectTo(index + 1, timeout, std::move(done), failure);
  });
}

void SmtpClientTransport::StartTls(asio::ssl::context& context, const std::string& host,
                                   bool verify, Duration timeout, Done done) {
  tls_ = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(socket_), context);
  error_code ec;
  (void)asio::ip::make_address(host, ec);
  if (ec) {  // SNI names a host, never an address (RFC 6066 3)
    SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str());
  }
  if (verify) {
    tls_->set_verify_mode(asio::ssl::verify_peer, ec);
    // boost's host name check, and a record of what was wrong for the summary: OpenSSL only
    // says "certificate verify failed".
    tls_->set_verify_callback(
        [this, host, check = asio::ssl::host_name_verification(host)](
            bool preverified, asio::ssl::verify_context& ctx) {
          if (!preverified) {
            if (certificate_problem_.empty()) {
              certificate_problem_ =
                  X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.native_handle()));
            }
            return false;
          }
          if (!check(preverified, ctx)) {
            certificate_problem_ = "the certificate is not for " + host;
            return false;
          }
          return true;
        },
        ec);
  } else {
    tls_->set_verify_mode(asio::ssl::verify_none, ec);
  }
  Arm(timeout);
  tls_->async_handshake(asio::ssl::stream_base::client,
                        [self = shared_from_this(), done = std::move(done)](const error_code& ec) {
                          done(self->Disarm(ec));
                        });
}

void SmtpClientTransport::Write(std::string bytes, Duration timeout, Done done) {
  out_ = std::move(bytes);
  out_done_ = 0;
  WriteSome(timeout, std::move(done));
}

void SmtpClientTransport::WriteSome(Duration timeout, Done done) {
  if (out_done_ >= out_.size()) {
    out_.clear();
    asio::post(timer_.get_executor(), [done = std::move(done)] { done({}); });
    return;
  }
  Arm(timeout);
  auto written = [self = shared_from_this(), timeout, done = std::move(done)](
                     const error_code& ec, size_t n) mutable {
    const error_code failure = self->Disarm(ec);
    if (failure) return done(failure);
    self->out_done_ += n;
    self->WriteSome(timeout, std::move(done));
  };
  const auto chunk =
      asio::buffer(out_.data() + out_done_, std::min(kWriteChunk, out_.size() - out_done_));
  if (tls_) {
    asio::async_write(*tls_, chunk, std::move(written));
  } else {
    asio::async_write(socket_, chunk, std::move(written));
  }
}

void SmtpClientTransport::ReadReply(Duration timeout, ReplyDone done) {
  Arm(timeout);  // for the whole reply
  if (TakeReply(done)) return;
  ReadMore(std::move(done));
}

void SmtpClientTransport::ReadMore(ReplyDone done) {
  auto received = [self = shared_from_this(), done = std::move(done)](const error_code& ec,
                                                                      size_t n) mutable {
    if (ec) {
      const error_code failure = self->Disarm(ec);
      return done(failure, ServerReply{});
    }
    self->in_.append(self->read_buffer_.data(), n);
    if (!self->TakeReply(done)) self->ReadMore(std::move(done));
  };
  if (tls_) {
    tls_->async_read_some(asio::buffer(read_buffer_), std::move(received));
  } else {
    socket_.async_read_some(asio::buffer(read_buffer_), std::move(received));
  }
}

bool SmtpClientTransport::TakeReply(ReplyDone& done) {
  auto deliver = [&](error_code ec, ServerReply reply) {
    ec = Disarm(ec);
    // Never inline: the caller of ReadReply may not expect its callback before it returns.
    asio::post(timer_.get_executor(),
               [done = std::move(done), ec, reply = std::move(reply)]() mutable {
                 done(ec, std::move(reply));
               });
    return true;
  };
  size_t eol;
  while ((eol = in_.find('\n')) != std::string::npos) {
    std::string line = in_.substr(0, eol);
    in_.erase(0, eol + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    log::Get("smtp")->trace("{} S: {}", name_, Printable(line));
    auto reply = reader_.Add(line);
    if (!reply.ok()) {
      protocol_error_ = reply.error().message;
      return deliver(ProtocolError(), {});
    }
    if (reply->has_value()) return deliver({}, std::move(**reply));
  }
  if (in_.size() > kMaxLine) {
    protocol_error_ = "a reply line longer than " + std::to_string(kMaxLine) + " bytes";
    return deliver(ProtocolError(), {});
  }
  return false;
}

bool SmtpClientTransport::DiscardBuffered() {
  const bool had = !in_.empty();
  in_.clear();
  reader_ = ServerReplyReader();
  return had;
}

void SmtpClientTransport::Close() {
  ++timer_generation_;
  timer_.cancel();
  resolver_.cancel();
  error_code ignored;
  Tcp().shutdown(tcp::socket::shutdown_both, ignored);
  Tcp().close(ignored);
}

}  // namespace faxgate::mail
