#include "http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace faxgate::http {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class RouterTest : public ::testing::Test {
 protected:
  // Registers a handler that answers with its own name and the path parameters it saw.
  void Route(std::string_view method, std::string_view path_template) {
    router_.Add(method, path_template, [name = std::string(path_template)](const Request& r) {
      Json params = Json::object();
      for (const auto& [key, value] : r.path_params) params[key] = value;
      return JsonResponse(200, {{"route", name}, {"params", params}});
    });
  }

  Response Call(std::string method, std::string path) {
    Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    Response response;
    bool answered = false;
    router_.Dispatch(request, [&](Response r) {
      response = std::move(r);
      answered = true;
    });
    EXPECT_TRUE(answered);
    return response;
  }

  Json CallJson(std::string method, std::string path) {
    return Json::parse(Call(std::move(method), std::move(path)).body);
  }

  Router router_;
};

TEST_F(RouterTest, PathParametersAreDecoded) {
  Route("GET", "/api/v1/faxes/{id}/file");
  Json j = CallJson("GET", "/api/v1/faxes/a%2Fb%20c/file");
  EXPECT_EQ(j["route"], "/api/v1/faxes/{id}/file");
  EXPECT_EQ(j["params"]["id"], "a/b c");
}

TEST_F(RouterTest, LiteralSegmentsBeatParametersWhateverTheOrder) {
  Route("GET", "/faxes/{id}");
  Route("GET", "/faxes/stats");
  Route("GET", "/{rest...}");
  EXPECT_EQ(CallJson("GET", "/faxes/stats")["route"], "/faxes/stats");
  EXPECT_EQ(CallJson("GET", "/faxes/42")["route"], "/faxes/{id}");
  Json rest = CallJson("GET", "/ui/js/app.js");
  EXPECT_EQ(rest["route"], "/{rest...}");
  EXPECT_EQ(rest["params"]["rest"], "ui/js/app.js");
}

TEST_F(RouterTest, ParametersMatchOnlyNonEmptySegments) {
  Route("GET", "/faxes/{id}");
  EXPECT_EQ(Call("GET", "/faxes/").status, 404);
  EXPECT_EQ(Call("GET", "/faxes").status, 404);
  EXPECT_EQ(Call("GET", "/faxes/1/x").status, 404);
}

TEST_F(RouterTest, UnknownPathIsA404WithAJsonError) {
  Route("GET", "/a");
  Response r = Call("GET", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "not_found");
  EXPECT_THAT(std::string(Json::parse(r.body)["error"]["message"]), HasSubstr("/nope"));
}

TEST_F(RouterTest, WrongMethodIsA405ListingTheAllowedOnes) {
  Route("GET", "/faxes/{id}");
  Route("DELETE", "/faxes/{id}");
  Route("POST", "/faxes");
  Response r = Call("PUT", "/faxes/7");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "method_not_allowed");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "DELETE, GET, HEAD");
}

TEST_F(RouterTest, HeadUsesTheGetHandler) {
  Route("GET", "/healthz");
  EXPECT_EQ(Call("HEAD", "/healthz").status, 200);
}

TEST_F(RouterTest, BadEscapeInThePathIsA400) {
  Route("GET", "/faxes/{id}");
  Response r = Call("GET", "/faxes/%zz");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "bad_request");
}

TEST_F(RouterTest, AsyncHandlersAnswerWhenTheyChoose) {
  Responder saved;
  router_.AddAsync("GET", "/wait",
                   [&](const Request&, Responder respond) { saved = std::move(respond); });
  Request request{.method = "GET", .path = "/wait"};
  int status = 0;
  router_.Dispatch(request, [&](Response r) { status = r.status; });
  EXPECT_EQ(status, 0);
  saved(TextResponse(200, "done"));
  EXPECT_EQ(status, 200);
}

TEST(ResponseTest, ErrorResponseUsesTheMappedStatusAndCode) {
  Response r = ErrorResponse(MakeError(ErrorCode::kNotFound, "no job 42"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(Json::parse(r.body),
            Json::parse(R"({"error":{"code":"not_found","message":"no job 42"}})"));
  // Messages quote user input, which need not be UTF-8.
  Response bad = ErrorResponse(400, "bad_request", "bad \xFF byte");
  EXPECT_TRUE(Json::accept(bad.body));
}

TEST(RequestTest, LookupsIgnoreHeaderCaseAndKeepQueryOrder) {
  Request r;
  r.headers = {{"Content-Type", "text/plain"}, {"X-A", "1"}, {"x-a", "2"}};
  r.query = {{"to", "1"}, {"x", ""}, {"to", "2"}};
  EXPECT_EQ(r.Header("content-TYPE"), "text/plain");
  EXPECT_EQ(r.Header("X-a"), "1");
  EXPECT_FALSE(r.Header("Accept").has_value());
  EXPECT_EQ(r.Query("to"), "1");
  EXPECT_EQ(r.Query("x"), "");
  EXPECT_FALSE(r.Query("y").has_value());
  EXPECT_THAT(r.QueryAll("to"), ::testing::ElementsAre("1", "2"));
  EXPECT_EQ(r.PathParam("id"), "");
}

}  // namespace
}  // namespace faxgate::http
