// One HTTP/1.1 connection: read a request (header first, so an oversized body is refused
// before it is read), route it, write the response, and repeat while both sides keep alive.
// Every read and write step restarts the idle timer, so a slow but steady upload or download
// is fine and a silent peer is dropped.
#include "http/server_connection.h"

#include <exception>
#include <optional>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/log.h"
#include "http/error_mapping.h"
#include "http/url.h"

namespace faxgate::http::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// After refusing a request whose body we did not read, we read and drop what the client still
// sends for this long before closing, so that it sees our answer instead of a reset.
constexpr std::chrono::seconds kLingerTime{5};

std::string MiB(uint64_t bytes) {
  if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// A parse error of Beast's, as opposed to the socket's.
bool IsMalformedRequest(beast::error_code ec) {
  static const auto& kHttpCategory = bhttp::make_error_code(bhttp::error::end_of_stream).category();
  return ec.category() == kHttpCategory && ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message;
}

// Header text a handler set cannot break the response apart (header injection).
std::string WithoutLineBreaks(std::string text) {
  std::erase_if(text, [](char c) { return c == '\r' || c == '\n'; });
  return text;
}

class ServerConnection : public Connection, public std::enable_shared_from_this<ServerConnection> {
 public:
  ServerConnection(tcp::socket socket, std::shared_ptr<ConnectionContext> context)
      : stream_(std::move(socket)), context_(std::move(context)) {
    boost::system::error_code ec;
    auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_address_ = remote.address().to_string();
      remote_port_ = remote.port();
    }
  }
  ~ServerConnection() override { context_->open.erase(this); }

  void Start() {
    context_->open.insert(this);
    ReadHeader();
  }

  void Close() override {
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  // The answer of a handler, now or later (see Reply below). Runs on the control thread.
  void OnReply(Response response) {
    if (!awaiting_reply_ || context_->stopped) return;
    awaiting_reply_ = false;
    Write(std::move(response), keep_alive_);
  }

  asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  void ReadHeader();
  void OnHeader(beast::error_code ec);
  void SendContinue();
  void ReadBody();
  void OnBody(beast::error_code ec);
  void OnReadError(beast::error_code ec);
  void Dispatch();
  Request MakeRequest(bhttp::request<bhttp::string_body>&& message);
  void Refuse(int status, std::string_view code, std::string message);
  void Write(Response response, bool keep_alive);
  void WriteSome();
  void OnWritten(beast::error_code ec);
  void Linger();

  beast::tcp_stream stream_;
  std::shared_ptr<ConnectionContext> context_;
  std::string remote_address_;
  uint16_t remote_port_ = 0;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  std::optional<bhttp::response_serializer<bhttp::string_body>> serializer_;
  bool awaiting_reply_ = false;
  bool keep_alive_ = false;  // of the request being answered
  bool head_ = false;        // the request being answered is HEAD: headers only
  bool linger_ = false;      // its body was not read: drain before closing
  std::string log_line_;     // "GET /path" of the request being answered
  std::vector<char> drain_;
};

// Carries a deferred answer back to the control thread once. Destroyed uncalled, it hands
// the connection back to the control thread to be released there, which closes it.
class Reply {
 public:
  explicit Reply(std::shared_ptr<ServerConnection> connection)
      : connection_(std::move(connection)), executor_(connection_->executor()) {}
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  ~Reply() {
    if (connection_) asio::post(executor_, [connection = std::move(connection_)] {});
  }

  void Send(Response response) {
    if (!connection_) return;
    asio::dispatch(executor_,
                   [connection = std::move(connection_), response = std::move(response)]() mutable {
                     connection->OnReply(std::move(response));
                   });
  }

 private:
  std::shared_ptr<ServerConnection> connection_;
  asio::any_io_executor executor_;
};

void ServerConnection::ReadHeader() {
  parser_.emplace();
  parser_->body_limit(context_->options.body_limit);
  parser_->header_limit(context_->options.header_limit);
  stream_.expires_after(context_->options.idle_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void ServerConnection::OnHeader(beast::error_code ec) {
  if (context_->stopped) return;
  if (ec) return OnReadError(ec);
  if (parser_->is_done()) return Dispatch();
  auto expect = parser_->get()[bhttp::field::expect];
  if (beast::iequals(expect, "100-continue")) return SendContinue();
  ReadBody();
}

// curl and others wait for this before sending a large body.
void ServerConnection::SendContinue() {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  stream_.expires_after(context_->options.idle_timeout);
  asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      if (self->context_->stopped || ec) return;
                      self->ReadBody();
                    });
}

void ServerConnection::ReadBody() {
  stream_.expires_after(context_->options.idle_timeout);
  bhttp::async_read_some(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void ServerConnection::OnBody(beast::error_code ec) {
  if (context_->stopped) return;
  if (ec) return OnReadError(ec);
  if (!parser_->is_done()) return ReadBody();
  Dispatch();
}

void ServerConnection::OnReadError(beast::error_code ec) {
  if (ec == bhttp::error::body_limit) {
    return Refuse(
        413, kPayloadTooLarge,
        "the request body is larger than the limit of " + MiB(context_->options.body_limit));
  }
  if (ec == bhttp::error::header_limit) {
    return Refuse(431, kHeadersTooLarge,
                  "the request headers are larger than the limit of " +
                      std::to_string(context_->options.header_limit) + " bytes");
  }
  // end_of_stream: the client closed between requests; a timeout, a reset or a request cut
  // short leave no one to answer.
  if (!IsMalformedRequest(ec)) {
    log::Get("http")->debug("connection from {} closed: {}", remote_address_, ec.message());
    return Close();
  }
  Refuse(400, kBadRequest, "malformed HTTP request: " + ec.message());
}

Request ServerConnection::MakeRequest(bhttp::request<bhttp::string_body>&& message) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.path = std::string(SplitTarget(request.target).path);
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote_address = remote_address_;
  request.remote_port = remote_port_;
  return request;
}

void ServerConnection::Dispatch() {
  auto message = parser_->release();
  keep_alive_ = message.keep_alive();
  head_ = message.method() == bhttp::verb::head;
  linger_ = false;
  Request request = MakeRequest(std::move(message));
  log_line_ = request.method + " " + request.path;
  awaiting_reply_ = true;
  auto query = ParseQuery(SplitTarget(request.target).query);
  if (!query.ok()) {
    return OnReply(ErrorResponse(400, std::string(kBadRequest), query.error().message));
  }
  request.query = std::move(*query);
  auto reply = std::make_shared<Reply>(shared_from_this());
  Responder respond = [reply](Response response) { reply->Send(std::move(response)); };
  try {
    context_->router->Dispatch(request, respond);
  } catch (const std::exception& e) {
    // A handler bug must not take the control thread down; the client gets a 500.
    log::Get("http")->error("{} {} threw: {}", request.method, request.path, e.what());
    respond(ErrorResponse(MakeError(ErrorCode::kInternal, "internal error; see the server log")));
  }
}

// Answers a request whose body was not (fully) read, then closes the connection.
void ServerConnection::Refuse(int status, std::string_view code, std::string message) {
  log_line_ = "request";
  head_ = false;
  linger_ = true;
  awaiting_reply_ = false;
  Write(ErrorResponse(status, std::string(code), std::move(message)), false);
}

void ServerConnection::Write(Response response, bool keep_alive) {
  bool valid_status = response.status >= 200 && response.status <= 599;
  if (!valid_status) {
    log::Get("http")->error("{}: a handler answered with status {}", log_line_, response.status);
    response = ErrorResponse(MakeError(ErrorCode::kInternal, "internal error; see the server log"));
  }
  log::Get("http")->debug("{} -> {} ({} bytes) for {}", log_line_, response.status,
                          response.body.size(), remote_address_);
  response_ = {};
  response_.version(11);
  response_.result(static_cast<unsigned>(response.status));
  response_.set(bhttp::field::server, "faxgate");
  if (!response.content_type.empty()) {
    response_.set(bhttp::field::content_type, WithoutLineBreaks(response.content_type));
  }
  for (auto& [name, value] : response.headers) {
    response_.insert(WithoutLineBreaks(name), WithoutLineBreaks(value));
  }
  response_.body() = std::move(response.body);
  response_.keep_alive(keep_alive && !context_->stopped);
  response_.prepare_payload();
  if (head_) response_.body().clear();  // Content-Length still tells the GET size
  serializer_.emplace(response_);
  WriteSome();
}

void ServerConnection::WriteSome() {
  stream_.expires_after(context_->options.idle_timeout);
  bhttp::async_write_some(
      stream_, *serializer_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWritten(ec); });
}

void ServerConnection::OnWritten(beast::error_code ec) {
  if (ec || context_->stopped) return Close();
  if (!serializer_->is_done()) return WriteSome();
  serializer_.reset();
  if (linger_) return Linger();
  if (!response_.keep_alive()) {
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    return Close();
  }
  ReadHeader();
}

// Half-closes, then reads and drops until the client closes or kLingerTime passes.
void ServerConnection::Linger() {
  linger_ = false;
  drain_.resize(16 * 1024);
  boost::system::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  struct Drain {
    std::shared_ptr<ServerConnection> self;
    void operator()(beast::error_code ec, size_t) {
      if (ec || self->context_->stopped) return self->Close();
      self->stream_.async_read_some(asio::buffer(self->drain_), std::move(*this));
    }
  };
  Drain{shared_from_this()}({}, 0);
}

}  // namespace

void StartConnection(tcp::socket socket, std::shared_ptr<ConnectionContext> context) {
  std::make_shared<ServerConnection>(std::move(socket), std::move(context))->Start();
}

}  // namespace faxgate::http::internal
