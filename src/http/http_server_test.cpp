// The server and the client against each other over real sockets on 127.0.0.1. The server's
// io_context runs on its own thread, as the control thread would; the test thread plays the
// command line. Nothing sleeps: results are waited for through futures and joins.
#include "http/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "http/http_client.h"
#include "http/multipart.h"

namespace faxgate::http {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

// Every byte value, CRLFs, NULs and boundary-like dashes, in a deterministic mix.
std::string BinaryBlob(size_t size) {
  std::string out;
  uint32_t x = 12345;
  while (out.size() < size) {
    x = x * 1103515245 + 12345;
    switch ((x >> 16) % 5) {
      case 0:
        out += "\r\n--";
        break;
      case 1:
        out.push_back('\0');
        break;
      default:
        out.push_back(static_cast<char>(x >> 8));
        break;
    }
  }
  out.resize(size);
  return out;
}

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    router_.Add("GET", "/api/v1/faxes/{id}/file", [](const Request& r) {
      return JsonResponse(200, {{"id", r.PathParam("id")},
                                {"to", r.QueryAll("to")},
                                {"q", r.Query("q").value_or("(none)")},
                                {"auth", r.Header("authorization").value_or("")}});
    });
    router_.Add("GET", "/whoami", [](const Request& r) {
      return JsonResponse(200, {{"address", r.remote_address}, {"port", r.remote_port}});
    });
    router_.Add("POST", "/echo", [](const Request& r) {
      Json body = Json::parse(r.body, nullptr, false);
      if (body.is_discarded())
        return ErrorResponse(MakeError(ErrorCode::kInvalidArgument, "not JSON"));
      return JsonResponse(201, {{"got", body}, {"type", r.Header("Content-Type").value_or("")}});
    });
    router_.Add("POST", "/upload", [](const Request& r) {
      auto parts = ParseMultipart(r.body, r.Header("Content-Type").value_or(""));
      if (!parts.ok()) return ErrorResponse(parts.error());
      Json out = Json::array();
      for (const FormPart& p : *parts) {
        out.push_back({{"name", p.name},
                       {"filename", p.filename},
                       {"type", p.content_type},
                       {"hex", Hex(p.data)}});
      }
      return JsonResponse(200, out);
    });
    router_.Add("GET", "/bug",
                [](const Request&) -> Response { throw std::runtime_error("handler bug"); });
    router_.AddAsync("GET", "/later", [this](const Request&, Responder respond) {
      later_.set_value(std::move(respond));
    });
  }

  ~HttpServerTest() override { StopServer(); }

  void StartServer(ServerOptions options = {}) {
    server_ = std::make_unique<HttpServer>(io_, router_, options);
    auto port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.error().message;
    port_ = *port;
    io_thread_ = std::thread([this] { io_.run(); });
  }

  // Stops the server on its own thread and waits until its io_context has no work left,
  // which proves that Stop() ended every connection.
  void StopServer() {
    if (!io_thread_.joinable()) return;
    OnServerThread([this] { server_->Stop(); });
    io_thread_.join();
  }

  // Runs f on the server's thread, as the control thread's own code would, and returns its
  // result.
  template <typename F>
  std::invoke_result_t<F> OnServerThread(F f) {
    std::packaged_task<std::invoke_result_t<F>()> task(std::move(f));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  static Json BodyOf(const Result<ClientResponse>& r) {
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? Json::parse(r->body, nullptr, false) : Json();
  }

  boost::asio::io_context io_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::thread io_thread_;
  uint16_t port_ = 0;
  std::promise<Responder> later_;
};

TEST_F(HttpServerTest, GetWithPathParamsQueryAndToken) {
  StartServer();
  HttpClient client(Url(), "secret");
  auto r = client.Get("/api/v1/faxes/42%2F7/file?to=%2B1+604&q=a%26b&to=8000");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "application/json; charset=utf-8");
  EXPECT_EQ(Json::parse(r->body), Json::parse(R"({"id": "42/7", "to": ["+1 604", "8000"],
                                                  "q": "a&b", "auth": "Bearer secret"})"));
}

TEST_F(HttpServerTest, PostJson) {
  StartServer();
  HttpClient client(Url(), "");
  auto r = client.PostJson("/echo", {{"to", {"83235170"}}, {"priority", 2}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(BodyOf(r)["got"]["priority"], 2);
  EXPECT_EQ(BodyOf(r)["type"], "application/json");
}

TEST_F(HttpServerTest, MultipartUploadOfTwoFilesKeepsEveryByte) {
  StartServer();
  std::vector<FormPart> parts = {
      {"to", "", "", "86-755-83235170"},
      {"file", "scan.tif", "image/tiff", BinaryBlob(1 << 20)},
      {"file", "\xE2\x82\xAC.txt", "text/plain", std::string("a\0b\r\n\r\nc\r\n", 10)},
  };
  HttpClient client(Url(), "");
  auto r = client.PostMultipart("/upload", parts);
  Json body = BodyOf(r);
  ASSERT_EQ(r->status, 200) << r->body;
  ASSERT_EQ(body.size(), parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    EXPECT_EQ(body[i]["name"], parts[i].name);
    EXPECT_EQ(body[i]["filename"], parts[i].filename);
    EXPECT_EQ(body[i]["type"], parts[i].content_type);
    EXPECT_TRUE(body[i]["hex"] == Hex(parts[i].data)) << "part " << i << " changed in transit";
  }
}

TEST_F(HttpServerTest, UnknownPathAndWrongMethodAreJsonErrors) {
  StartServer();
  HttpClient client(Url(), "");
  auto missing = client.Get("/api/v1/nothing");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(BodyOf(missing)["error"]["code"], "not_found");
  EXPECT_EQ(missing->ToError().code, ErrorCode::kNotFound);
  auto wrong = client.Delete("/whoami");
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(BodyOf(wrong)["error"]["code"], "method_not_allowed");
  EXPECT_EQ(wrong->Header("allow"), "GET, HEAD");
}

TEST_F(HttpServerTest, BodyOverTheLimitIsRefusedWith413) {
  StartServer({.body_limit = 1024});
  HttpClient client(Url(), "");
  auto r = client.PostJson("/echo", {{"blob", std::string(4096, 'x')}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(BodyOf(r)["error"]["code"], "payload_too_large");
  EXPECT_THAT(r->ToError().message, HasSubstr("1024 bytes"));
  // The refused connection is closed; the client goes on with a new one.
  EXPECT_EQ(client.PostJson("/echo", {{"small", 1}})->status, 201);
}

TEST_F(HttpServerTest, KeepAliveCarriesTwoRequestsOnOneConnection) {
  StartServer();
  HttpClient client(Url(), "");
  Json first = BodyOf(client.Get("/whoami"));
  Json second = BodyOf(client.Get("/whoami"));
  EXPECT_EQ(first["address"], "127.0.0.1");
  EXPECT_EQ(first["port"], second["port"]);  // same client socket, so same connection
  EXPECT_EQ(OnServerThread([this] { return server_->ConnectionCount(); }), 1u);
}

TEST_F(HttpServerTest, HeadAnswersWithTheGetLengthAndNoBody) {
  StartServer();
  HttpClient client(Url(), "");
  auto get = client.Get("/whoami");
  auto head = client.Send("HEAD", "/whoami", "", "");
  ASSERT_TRUE(head.ok()) << head.error().message;
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->Header("Content-Length"), std::to_string(get->body.size()));
}

TEST_F(HttpServerTest, AThrowingHandlerGetsA500AndTheServerLivesOn) {
  StartServer();
  HttpClient client(Url(), "");
  auto r = client.Get("/bug");
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(BodyOf(r)["error"]["code"], "internal");
  EXPECT_EQ(client.Get("/whoami")->status, 200);
}

TEST_F(HttpServerTest, BadQueryEscapeIsA400) {
  StartServer();
  HttpClient client(Url(), "");
  auto r = client.Get("/whoami?x=%zz");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->ToError().code, ErrorCode::kInvalidArgument);
}

TEST_F(HttpServerTest, DeferredHandlerAnswersFromAnotherThread) {
  StartServer();
  auto answer = std::async(std::launch::async, [url = Url()] {
    HttpClient client(url, "");
    return client.Get("/later");
  });
  Responder respond = later_.get_future().get();  // the request has reached the handler
  respond(TextResponse(200, "finally"));          // from the test thread, not the server's
  auto r = answer.get();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "finally");
}

TEST_F(HttpServerTest, ClientAgainstAClosedPortSaysWhatToDo) {
  StartServer();
  StopServer();
  HttpClient client(Url(), "");
  auto r = client.Get("/whoami");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "cannot reach faxgate at " + Url() +
                                   " (connection refused) \u2014 is `faxgate serve` running?");
}

TEST_F(HttpServerTest, StopClosesOpenConnectionsAndReleasesThePort) {
  StartServer();
  HttpClient client(Url(), "");
  ASSERT_EQ(client.Get("/whoami")->status, 200);  // leaves a kept-alive connection open
  StopServer();                                   // returns: the io_context ran out of work
  EXPECT_EQ(server_->ConnectionCount(), 0u);
  HttpServer again(io_, router_);
  auto port = again.Listen("127.0.0.1", port_);
  EXPECT_TRUE(port.ok()) << port.error().message;
}

TEST_F(HttpServerTest, ListeningOnABusyPortIsAClearError) {
  StartServer();
  auto r = OnServerThread([this] {
    HttpServer second(io_, router_);
    return second.Listen("127.0.0.1", port_);
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message,
            "cannot listen on 127.0.0.1:" + std::to_string(port_) + ": address already in use");
}

TEST(HttpClientTest, BadBaseUrlFailsEveryRequestWithTheReason) {
  HttpClient client("ftp://x", "");
  auto r = client.Get("/");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("http://"));
}

}  // namespace
}  // namespace faxgate::http
