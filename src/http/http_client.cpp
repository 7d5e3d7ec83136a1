// Blocking requests built on Beast's asynchronous operations, because only those honour
// tcp_stream's timeouts: each step starts an operation and runs a private io_context until it
// completes or the step's time is up.
#include "http/http_client.h"

#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "http/url.h"

namespace faxgate::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string Reason(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "no answer in time";
  if (ec == asio::error::connection_refused) return "connection refused";
  std::string text = ec.message();
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// A request on a kept-alive connection can meet a server that closed it meanwhile; sending it
// again on a new connection is safe because the server saw none of it.
bool ServerClosedIdleConnection(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::eof;
}

}  // namespace

class HttpClient::Impl {
 public:
  Impl(std::string base_url, std::string bearer_token, ClientOptions options)
      : url_text_(std::move(base_url)),
        url_(ParseBaseUrl(url_text_)),
        token_(std::move(bearer_token)),
        options_(options) {}

  Result<ClientResponse> Send(std::string_view method, std::string_view path, std::string body,
                              std::string content_type) {
    if (!url_.ok()) return url_.error();
    if (url_->scheme != "http") {
      return MakeError(ErrorCode::kInvalidArgument,
                       "cannot reach " + url_text_ +
                           ": this client speaks http:// only; use "
                           "the server's plain address or a proxy that does TLS");
    }
    auto request = MakeRequest(method, path, std::move(body), std::move(content_type));
    bool reused = stream_.has_value();
    auto response = Exchange(request);
    // Only idempotent requests go again: a POST the server received before the connection died
    // (a fax submission) must not be made twice.
    const bool idempotent = method == "GET" || method == "HEAD" || method == "DELETE";
    if (!response.ok() && reused && retry_allowed_ && idempotent) response = Exchange(request);
    return response;
  }

 private:
  bhttp::request<bhttp::string_body> MakeRequest(std::string_view method, std::string_view path,
                                                 std::string body, std::string content_type) {
    bhttp::request<bhttp::string_body> request;
    request.method_string(beast::string_view(method.data(), method.size()));
    request.target(url_->path_prefix + std::string(path));
    request.version(11);
    std::string host =
        url_->host.find(':') == std::string::npos ? url_->host : "[" + url_->host + "]";
    request.set(bhttp::field::host, host + ":" + std::to_string(url_->port));
    request.set(bhttp::field::user_agent, "faxgate-cli");
    if (!token_.empty()) request.set(bhttp::field::authorization, "Bearer " + token_);
    if (!content_type.empty()) request.set(bhttp::field::content_type, content_type);
    request.body() = std::move(body);
    request.prepare_payload();
    request.keep_alive(true);
    return request;
  }

  // Starts one asynchronous operation with the step timeout and runs it to completion.
  template <typename Start>
  beast::error_code Run(Start start) {
    beast::error_code result;
    stream_->expires_after(options_.timeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  Status Connect() {
    beast::error_code ec;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(url_->host, std::to_string(url_->port), ec);
    if (ec) return Unreachable("cannot resolve " + url_->host);
    stream_.emplace(io_);
    buffer_.clear();
    ec = Run([&](auto handler) { stream_->async_connect(endpoints, std::move(handler)); });
    if (ec) {
      stream_.reset();
      return Unreachable(Reason(ec));
    }
    return Status::Ok();
  }

  Error Unreachable(std::string reason) const {
    return MakeError(ErrorCode::kUnavailable, "cannot reach faxgate at " + url_text_ + " (" +
                                                  reason + ") \u2014 is `faxgate serve` running?");
  }

  Error Lost(const beast::error_code& ec) {
    stream_.reset();
    if (ec == beast::error::timeout) {
      return MakeError(ErrorCode::kUnavailable,
                       "faxgate at " + url_text_ + " did not answer within " +
                           std::to_string(options_.timeout.count()) + " s");
    }
    return MakeError(ErrorCode::kUnavailable,
                     "lost the connection to faxgate at " + url_text_ + " (" + Reason(ec) + ")");
  }

  Result<ClientResponse> Exchange(const bhttp::request<bhttp::string_body>& request) {
    retry_allowed_ = false;
    if (!stream_) FG_RETURN_IF_ERROR(Connect());
    auto written =
        Run([&](auto handler) { bhttp::async_write(*stream_, request, std::move(handler)); });
    // A server that refuses a request (413) may answer and close before reading all of it,
    // so a write cut off by the peer may still leave its answer to read.
    if (written && !ServerClosedIdleConnection(written)) return Lost(written);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);  // fax documents from our own server: no arbitrary cap
    parser.skip(request.method() == bhttp::verb::head);
    auto read = Run(
        [&](auto handler) { bhttp::async_read(*stream_, buffer_, parser, std::move(handler)); });
    if (read) {
      retry_allowed_ = ServerClosedIdleConnection(read) || ServerClosedIdleConnection(written);
      return Lost(read);
    }
    auto message = parser.release();
    if (written || !message.keep_alive()) stream_.reset();
    return ToClientResponse(std::move(message));
  }

  static ClientResponse ToClientResponse(bhttp::response<bhttp::string_body>&& message) {
    ClientResponse response;
    response.status = static_cast<int>(message.result_int());
    response.content_type = std::string(message[bhttp::field::content_type]);
    for (const auto& field : message) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(message.body());
    return response;
  }

  std::string url_text_;
  Result<BaseUrl> url_;
  std::string token_;
  ClientOptions options_;
  asio::io_context io_;
  std::optional<beast::tcp_stream> stream_;  // the kept-alive connection, if any
  beast::flat_buffer buffer_;
  bool retry_allowed_ = false;
};

HttpClient::HttpClient(std::string base_url, std::string bearer_token, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(base_url), std::move(bearer_token), options)) {}

HttpClient::~HttpClient() = default;

Result<ClientResponse> HttpClient::Get(std::string_view path) {
  return impl_->Send("GET", path, {}, {});
}

Result<ClientResponse> HttpClient::Delete(std::string_view path) {
  return impl_->Send("DELETE", path, {}, {});
}

Result<ClientResponse> HttpClient::PostJson(std::string_view path, const nlohmann::json& body) {
  return impl_->Send("POST", path,
                     body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     "application/json");
}

Result<ClientResponse> HttpClient::PostMultipart(std::string_view path,
                                                 const std::vector<FormPart>& parts) {
  std::string boundary = NewBoundary(parts);
  return impl_->Send("POST", path, BuildMultipart(parts, boundary), MultipartContentType(boundary));
}

Result<ClientResponse> HttpClient::Send(std::string_view method, std::string_view path,
                                        std::string body, std::string content_type) {
  return impl_->Send(method, path, std::move(body), std::move(content_type));
}

}  // namespace faxgate::http
