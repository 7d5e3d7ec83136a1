#include "sip/sofia_text.h"

#include <gtest/gtest.h>

namespace faxgate::sofia_text {
namespace {

TEST(SofiaTextTest, PrintableDropsControlCharactersAndCutsWholeCharacters) {
  EXPECT_EQ(Printable("ab\r\n\x01"
                      "c\x7f"),
            "abc");
  EXPECT_EQ(Printable("Jürgen"), "Jürgen");
  std::string long_text(kMaxFieldBytes - 1, 'x');
  long_text += "ü";  // two bytes: the second would be past the limit
  EXPECT_EQ(Printable(long_text), std::string(kMaxFieldBytes - 1, 'x'));
}

TEST(SofiaTextTest, DisplayNameLosesQuotesAndEscapes) {
  EXPECT_EQ(DisplayName(nullptr), "");
  EXPECT_EQ(DisplayName("\"Fax \\\"One\\\"\""), "Fax \"One\"");
  EXPECT_EQ(DisplayName(" Bob "), "Bob");
  EXPECT_EQ(DisplayName("\""), "\"");
}

TEST(SofiaTextTest, UrlUserDecodesEscapes) {
  url_t url = {};
  url.url_user = "%2B4930%41";
  EXPECT_EQ(UrlUser(&url), "+4930A");
  url.url_user = "bad%4";
  EXPECT_EQ(UrlUser(&url), "bad%4");
  url.url_user = "%00x";
  EXPECT_EQ(UrlUser(&url), "x");
  EXPECT_EQ(UrlUser(nullptr), "");
}

TEST(SofiaTextTest, SplitHostPort) {
  EXPECT_EQ(SplitHostPort("sip.example.com").host, "sip.example.com");
  EXPECT_EQ(SplitHostPort("sip.example.com:5070").port, "5070");
  EXPECT_EQ(SplitHostPort("[2001:db8::1]:5060").host, "2001:db8::1");
  EXPECT_EQ(SplitHostPort("[2001:db8::1]:5060").port, "5060");
  EXPECT_EQ(SplitHostPort("2001:db8::1").host, "2001:db8::1");
  EXPECT_EQ(SplitHostPort("[broken").host, "broken");
  EXPECT_EQ(SourceIp("[2001:db8::1]:5060"), "2001:db8::1");
  EXPECT_EQ(SourceIp("192.0.2.1:5060"), "192.0.2.1");
}

TEST(SofiaTextTest, TrunkUris) {
  SipTrunkSettings trunk;
  trunk.proxy = "192.0.2.1:5070";
  EXPECT_EQ(TrunkUri(trunk, "+49 30", trunk.proxy, true), "sip:+49%2030@192.0.2.1:5070");
  trunk.transport = SipTransport::kTcp;
  EXPECT_EQ(TrunkUri(trunk, "4711", trunk.proxy, true), "sip:4711@192.0.2.1:5070;transport=tcp");
  trunk.transport = SipTransport::kTls;
  EXPECT_EQ(TrunkUri(trunk, "4711", trunk.proxy, true), "sips:4711@192.0.2.1:5070;transport=tls");
  EXPECT_EQ(TrunkUri(trunk, "", "registrar.example", false), "sips:registrar.example");
  EXPECT_EQ(TrunkDomain(trunk), "192.0.2.1");
  trunk.domain = "example.com";
  EXPECT_EQ(TrunkDomain(trunk), "example.com");
}

TEST(SofiaTextTest, QuotedDisplayAndCredentials) {
  EXPECT_EQ(QuotedDisplay(""), "");
  EXPECT_EQ(QuotedDisplay("a\"b\\c\r"), "\"a\\\"b\\\\c\" ");
  EXPECT_EQ(DigestCredentials("\"trunk.example\"", "u", "p"), "Digest:\"trunk.example\":u:p");
  EXPECT_EQ(DigestCredentials("trunk.example", "u", "p"), "Digest:\"trunk.example\":u:p");
}

TEST(SofiaTextTest, ResolveHostKeepsNumericAddresses) {
  EXPECT_EQ(ResolveHost("127.0.0.1"), std::vector<std::string>{"127.0.0.1"});
  EXPECT_TRUE(ResolveHost("").empty());
  EXPECT_TRUE(ResolveHost("no-such-host.invalid").empty());
}

}  // namespace
}  // namespace faxgate::sofia_text
