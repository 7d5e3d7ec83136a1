// Authentication-Results as mail servers write it (Postfix with policyd-spf, OpenDKIM,
// OpenDMARC, Gmail, Exchange), and the SPF verdict the poller takes only from trusted servers.
#include "mail/authentication_results.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faxgate::mail {
namespace {

using ::testing::HasSubstr;

TEST(AuthenticationResultsTest, ReadsMethodsResultsAndProperties) {
  auto r = ParseAuthenticationResults(
      "mx.Example.COM 1; spf=pass (sender SPF authorized) smtp.mailfrom=alice@example.com;\n"
      "\tdkim=fail reason=\"bad signature\" header.d=example.com header.s=sel;"
      " dmarc=none header.from=example.com");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->authserv_id, "mx.example.com");
  ASSERT_EQ(r->results.size(), 3u);
  EXPECT_EQ(r->results[0].method, "spf");
  EXPECT_EQ(r->results[0].result, "pass");
  EXPECT_EQ(r->results[0].properties.at("smtp.mailfrom"), "alice@example.com");
  EXPECT_EQ(r->results[1].result, "fail");
  EXPECT_EQ(r->results[1].reason, "bad signature");
  EXPECT_EQ(r->results[1].properties.at("header.s"), "sel");
  EXPECT_EQ(r->results[2].method, "dmarc");
}

TEST(AuthenticationResultsTest, CommentsQuotesAndSpacesAroundEqualsAreNoTrouble) {
  auto r = ParseAuthenticationResults(
      "(comment (nested)) mx.example.com; spf = softfail (a ; in a comment) "
      "smtp.mailfrom=\"odd;local\"@example.com");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->authserv_id, "mx.example.com");
  ASSERT_EQ(r->results.size(), 1u);
  EXPECT_EQ(r->results[0].result, "softfail");
  EXPECT_EQ(r->results[0].properties.at("smtp.mailfrom"), "odd;local@example.com");
}

TEST(AuthenticationResultsTest, NoResultAndEmptyValues) {
  auto none = ParseAuthenticationResults("mx.example.com; none");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->results.empty());
  EXPECT_FALSE(ParseAuthenticationResults(""));
  EXPECT_FALSE(ParseAuthenticationResults("  (only a comment) "));
}

TEST(SpfFromAuthenticationResultsTest, TakesTheFirstHeaderOfATrustedServer) {
  // The top header is the mailbox's own server's; below it one the sender wrote themselves.
  const std::string headers =
      "mx.fax.test; spf=fail smtp.mailfrom=boss@example.com\n"
      "mx.example.com; spf=pass smtp.mailfrom=boss@example.com";
  SpfFromHeaders v = SpfFromAuthenticationResults(headers, {"MX.fax.test"});
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.domain, "example.com");
  EXPECT_EQ(v.reason, "spf=fail for example.com at mx.fax.test");
}

TEST(SpfFromAuthenticationResultsTest, HeadersFromOtherServersAreIgnored) {
  SpfFromHeaders v = SpfFromAuthenticationResults(
      "forged.example; spf=pass smtp.mailfrom=a@example.com", {"mx.fax.test"});
  EXPECT_FALSE(v.pass);
  EXPECT_THAT(v.reason, HasSubstr("no Authentication-Results from a trusted server (mx.fax.test)"));

  v = SpfFromAuthenticationResults("forged.example; spf=pass smtp.mailfrom=a@example.com", {});
  EXPECT_FALSE(v.pass);
  EXPECT_THAT(v.reason, HasSubstr("none configured"));
}

TEST(SpfFromAuthenticationResultsTest, PassNamesTheCheckedDomainAndHeloIsTheFallback) {
  SpfFromHeaders v = SpfFromAuthenticationResults(
      "mx.fax.test; dkim=pass header.d=x.test\nmx.fax.test; spf=pass smtp.mailfrom=a@Example.com",
      {"mx.fax.test"});
  EXPECT_FALSE(v.pass);  // the first trusted header has no SPF result
  EXPECT_EQ(v.reason, "mx.fax.test recorded no SPF result for the mail");

  v = SpfFromAuthenticationResults("mx.fax.test; spf=pass smtp.helo=mail.example.com",
                                   {"mx.fax.test"});
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.domain, "mail.example.com");
}

}  // namespace
}  // namespace faxgate::mail
