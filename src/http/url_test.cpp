#include "http/url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/error_mapping.h"

namespace faxgate::http {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(PercentDecodeTest, DecodesEscapesOfAnyCase) {
  EXPECT_EQ(*PercentDecode("a%20b%2fc%2F"), "a b/c/");
  EXPECT_EQ(*PercentDecode("%E2%82%AC"), "\xE2\x82\xAC");
  EXPECT_EQ(*PercentDecode("%00x"), std::string("\0x", 2));
}

TEST(PercentDecodeTest, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(*PercentDecode("a+b"), "a+b");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("a%2Bb", true), "a+b");
}

TEST(PercentDecodeTest, BrokenEscapesAreErrorsThatQuoteTheText) {
  for (std::string_view bad : {"%", "%4", "50%", "%zz", "%4g"}) {
    auto r = PercentDecode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(r.error().message, HasSubstr(std::string(bad)));
  }
}

TEST(PercentEncodeTest, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string encoded = PercentEncode(all);
  EXPECT_EQ(encoded.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%"),
            std::string::npos);
  EXPECT_EQ(*PercentDecode(encoded), all);
}

TEST(ParseQueryTest, KeepsOrderAndRepeatedKeys) {
  auto q = ParseQuery("to=%2B1+604&to=83235170&flag&empty=&&x=a=b");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_THAT(*q, ElementsAre(Pair("to", "+1 604"), Pair("to", "83235170"), Pair("flag", ""),
                              Pair("empty", ""), Pair("x", "a=b")));
}

TEST(ParseQueryTest, BadEscapeIsAnError) {
  EXPECT_FALSE(ParseQuery("a=%G1").ok());
  EXPECT_TRUE(ParseQuery("").ok());
}

TEST(BuildQueryTest, IsTheInverseOfParseQuery) {
  QueryParams params = {{"to", "+1 604 555"}, {"to", "a&b=c"}, {"name", "Zoë"}};
  EXPECT_EQ(*ParseQuery(BuildQuery(params)), params);
}

TEST(SplitTargetTest, SplitsAtTheFirstQuestionMark) {
  EXPECT_EQ(SplitTarget("/a/b?x=1?y").path, "/a/b");
  EXPECT_EQ(SplitTarget("/a/b?x=1?y").query, "x=1?y");
  EXPECT_EQ(SplitTarget("/a").query, "");
}

TEST(ParseHostPortTest, AcceptsTheFormsOfAListenSetting) {
  auto v4 = ParseHostPort("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  EXPECT_EQ(ParseHostPort("[::1]:0")->host, "::1");
  EXPECT_EQ(ParseHostPort("localhost:4559")->port, 4559);
  EXPECT_EQ(ParseHostPort(":2525")->host, "0.0.0.0");
}

TEST(ParseHostPortTest, RefusesWhatIsNotHostPort) {
  for (std::string_view bad : {"", "8080", "127.0.0.1", "127.0.0.1:", "h:65536", "h:-1", "h:80x",
                               "::1:80", "[::1]", "a b:80", "h/x:80"}) {
    EXPECT_FALSE(ParseHostPort(bad).ok()) << bad;
  }
}

TEST(ParseBaseUrlTest, ReadsSchemeHostPortAndPrefix) {
  auto url = ParseBaseUrl("http://127.0.0.1:8080");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->path_prefix, "");
  auto proxied = ParseBaseUrl("HTTPS://fax.example.com/faxgate/");
  ASSERT_TRUE(proxied.ok());
  EXPECT_EQ(proxied->port, 443);
  EXPECT_EQ(proxied->path_prefix, "/faxgate");
  EXPECT_EQ(ParseBaseUrl("localhost:8080")->ToString(), "http://localhost:8080");
  EXPECT_EQ(ParseBaseUrl("http://[::1]:81")->ToString(), "http://[::1]:81");
}

TEST(ParseBaseUrlTest, ExplainsWhatIsWrong) {
  EXPECT_THAT(ParseBaseUrl("ftp://x").error().message, HasSubstr("http://"));
  EXPECT_THAT(ParseBaseUrl("http://u:p@x").error().message, HasSubstr("token"));
  EXPECT_THAT(ParseBaseUrl("http://:80").error().message, HasSubstr("no host"));
  EXPECT_THAT(ParseBaseUrl("http://x:99999").error().message, HasSubstr("port"));
  EXPECT_FALSE(ParseBaseUrl("http://x/a?b").ok());
}

TEST(ErrorMappingTest, EveryCodeHasAStatusAndItsOwnName) {
  for (ErrorCode code :
       {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kAlreadyExists,
        ErrorCode::kPermissionDenied, ErrorCode::kUnauthenticated, ErrorCode::kFailedPrecondition,
        ErrorCode::kUnavailable, ErrorCode::kIo, ErrorCode::kInternal}) {
    HttpError mapped = HttpErrorFor(code);
    EXPECT_EQ(mapped.code, ToString(code));  // logs and API speak the same names
    EXPECT_GE(mapped.status, 400);
    EXPECT_EQ(ErrorCodeFor(mapped.code, mapped.status), code);
  }
  EXPECT_EQ(HttpErrorFor(ErrorCode::kNotFound).status, 404);
  EXPECT_EQ(ErrorCodeFor("something_new", 503), ErrorCode::kUnavailable);
  EXPECT_EQ(ErrorCodeFor(kPayloadTooLarge, 413), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace faxgate::http
