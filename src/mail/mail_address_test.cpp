// Mail addresses as SMTP paths and header fields carry them: what is accepted, what each part
// becomes, and what a refusal says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mail/mail_address.h"

namespace faxgate::mail {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

MailAddress Parsed(std::string_view text) {
  auto a = ParseMailAddress(text);
  EXPECT_TRUE(a.ok()) << text << ": " << a.error().message;
  return a.ok() ? *a : MailAddress{};
}

std::string Refusal(std::string_view text) {
  auto a = ParseMailAddress(text);
  EXPECT_FALSE(a.ok()) << text << " was accepted as " << a->address();
  return a.ok() ? "" : a.error().message;
}

TEST(MailAddressParserTest, BareBracketedAndPaddedAddressesAreTheSameMailbox) {
  for (const char* text : {"alice@fax.test", "<alice@fax.test>", "  <alice@fax.test>  "}) {
    SCOPED_TRACE(text);
    const MailAddress a = Parsed(text);
    EXPECT_EQ(a.local_part, "alice");
    EXPECT_EQ(a.domain, "fax.test");
    EXPECT_EQ(a.display_name, "");
    EXPECT_EQ(a.address(), "alice@fax.test");
  }
}

TEST(MailAddressParserTest, DomainIsLowerCasedAndTheLocalPartKeptAsWritten) {
  const MailAddress a = Parsed("Alice.Smith@FAX.Test");
  EXPECT_EQ(a.local_part, "Alice.Smith");
  EXPECT_EQ(a.domain, "fax.test");
}

TEST(MailAddressParserTest, DisplayNamesInTheFormsMailersWrite) {
  EXPECT_EQ(Parsed("Alice Smith <alice@fax.test>").display_name, "Alice Smith");
  EXPECT_EQ(Parsed("\"张三\" <zhangsan@fax.test>").display_name, "张三");
  EXPECT_EQ(Parsed("张三 <zhangsan@fax.test>").display_name, "张三");
  EXPECT_EQ(Parsed("\"Smith, John \\\"JJ\\\"\" <john@fax.test>").display_name,
            "Smith, John \"JJ\"");
  EXPECT_EQ(Parsed("alice@fax.test (Alice Smith)").display_name, "Alice Smith");
  const MailAddress tricky = Parsed("\"Tom <the boss>\" <tom@fax.test>");
  EXPECT_EQ(tricky.display_name, "Tom <the boss>");
  EXPECT_EQ(tricky.address(), "tom@fax.test");
}

TEST(MailAddressParserTest, QuotedLocalPartOfAFaxRecipientLosesItsQuotes) {
  const MailAddress fax = Parsed("\"FAX=+1 555 1234\"@fax.test");
  EXPECT_EQ(fax.local_part, "FAX=+1 555 1234");
  EXPECT_EQ(fax.domain, "fax.test");
  EXPECT_EQ(Parsed("<\"FAX=+1 555\"@fax.test>").local_part, "FAX=+1 555");
  EXPECT_EQ(Parsed("\"a\\\"b\"@fax.test").local_part, "a\"b");
  EXPECT_EQ(Parsed("FAX=+1-555-1234/T33S=12@fax.test").local_part, "FAX=+1-555-1234/T33S=12");
}

TEST(MailAddressParserTest, SourceRouteIsIgnoredAsRfc5321Asks) {
  EXPECT_EQ(Parsed("<@relay.example,@b.example:alice@fax.test>").address(), "alice@fax.test");
}

TEST(MailAddressParserTest, AddressLiteralsAndInternationalisedAddresses) {
  EXPECT_EQ(Parsed("postmaster@[192.0.2.1]").domain, "[192.0.2.1]");
  EXPECT_EQ(Parsed("postmaster@[IPv6:2001:db8::1]").domain, "[ipv6:2001:db8::1]");
  const MailAddress utf8 = Parsed("用户@例子.测试");
  EXPECT_EQ(utf8.local_part, "用户");
  EXPECT_EQ(utf8.domain, "例子.测试");
}

TEST(MailAddressParserTest, Rfc5321LimitsHoldExactlyAtTheirEdges) {
  const std::string label63(63, 'd');
  EXPECT_EQ(Parsed(std::string(64, 'a') + "@fax.test").local_part.size(), 64u);
  EXPECT_THAT(Refusal(std::string(65, 'a') + "@fax.test"),
              HasSubstr("the part before '@' is longer than 64 characters"));
  // A quoted local part counts as written, quotes included.
  EXPECT_THAT(Refusal("\"" + std::string(63, 'a') + "\"@fax.test"), HasSubstr("longer than 64"));
  // The path "<local@domain>" may have 256 characters.
  const std::string domain251 =
      label63 + "." + label63 + "." + label63 + "." + std::string(59, 'e');
  ASSERT_EQ(domain251.size(), 251u);
  EXPECT_EQ(Parsed("ab@" + domain251).domain, domain251);
  EXPECT_THAT(Refusal("abc@" + domain251), HasSubstr("longer than the 256 characters"));
  EXPECT_EQ(Parsed("a@" + label63 + ".test").domain, label63 + ".test");
  EXPECT_THAT(Refusal("a@" + label63 + "d.test"), HasSubstr("longer than 63 characters"));
}

TEST(MailAddressParserTest, EveryRefusalNamesTheInputAndWhatIsWrong) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "it is empty"},
      {"<>", "it is empty"},
      {"alice", "no '@'"},
      {"@fax.test", "nothing before '@'"},
      {"\"\"@fax.test", "nothing before '@'"},
      {"alice@", "nothing after '@'"},
      {"a@b@fax.test", "it has more than one '@'"},
      {"al ice@fax.test", "the part before '@' has ' ', which is only allowed inside quotes"},
      {"al(ice@fax.test", "has '('"},
      {"<alice@fax.test", "the '<' is not closed by '>'"},
      {"alice@fax.test>", "a '>' without '<'"},
      {"<alice@fax.test> and more", "there is text after the '>'"},
      {"alice@fax..test", "the domain has an empty part"},
      {"alice@fax.test.", "the domain has an empty part"},
      {"alice@fax!.test", "the domain has '!'"},
      {"alice@[999.1.1.1]", "the address in [ ] is not an IP address"},
      {"\"alice@fax.test", "the quote before '@' is not closed"},
      {"\"alice\"x@fax.test", "a quoted part before '@' must be followed by '@'"},
      {"\xFF\xFE@fax.test", "it is not valid UTF-8 text"},
  };
  for (const auto& [input, why] : cases) {
    SCOPED_TRACE(input);
    const std::string message = Refusal(input);
    EXPECT_THAT(message, HasSubstr(why));
    if (input.find('\xFF') == std::string::npos) {
      EXPECT_THAT(message, StartsWith("\"" + input + "\" is not a mail address: "));
    }
  }
}

TEST(MailAddressParserTest, ControlCharactersCannotBreakTheSmtpReplyThatQuotesThem) {
  const std::string message = Refusal("alice\r\n250 OK@fax.test");
  EXPECT_THAT(message, Not(HasSubstr("\r")));
  EXPECT_THAT(message, Not(HasSubstr("\n")));
  EXPECT_THAT(message, HasSubstr("alice\\x0D\\x0A250 OK@fax.test"));
  EXPECT_THAT(message, HasSubstr("has a control character"));
  const std::string tab = Refusal("alice@fax\t.test");
  EXPECT_THAT(tab, Not(HasSubstr("\t")));
  EXPECT_THAT(tab, HasSubstr("the domain has '\\x09'"));
}

TEST(MailAddressParserTest, VeryLongInputIsQuotedShortened) {
  const std::string message = Refusal(std::string(5000, 'x'));
  EXPECT_THAT(message, HasSubstr("...\" is not a mail address: it is longer than"));
  EXPECT_LT(message.size(), 200u);
}

TEST(MailAddressParserTest, DomainMatchesIgnoresCaseButNotSubdomains) {
  const std::vector<std::string> ours = {"mail.test", "fax.test"};
  EXPECT_TRUE(DomainMatches("FAX.test", ours));
  EXPECT_TRUE(DomainMatches("mail.test", ours));
  EXPECT_FALSE(DomainMatches("sub.fax.test", ours));
  EXPECT_FALSE(DomainMatches("evilfax.test", ours));
  EXPECT_FALSE(DomainMatches("evil.test", {}));
  EXPECT_FALSE(DomainMatches("", {""}));
}

}  // namespace
}  // namespace faxgate::mail
