// SMTP command lines as clients write them, and as attackers do: every verb, the MAIL and RCPT
// paths and ESMTP parameters of RFC 1870/3461/6152/6531/4954, xtext, the RFC 5321 limits, and the
// SASL PLAIN/LOGIN decoding behind AUTH.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mail/smtp_command.h"
#include "mail/smtp_sasl.h"

namespace faxgate::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

SmtpCommand Parse(std::string_view line) {
  ParsedSmtpCommand parsed = ParseSmtpCommand(line);
  EXPECT_TRUE(parsed.ok()) << line << ": " << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? *parsed : SmtpCommand{};
}

// The refusal as the client would read it: "501 5.1.3 ...".
std::string Refusal(std::string_view line) {
  ParsedSmtpCommand parsed = ParseSmtpCommand(line);
  if (parsed.ok()) return "accepted";
  const SmtpSyntaxError& e = parsed.error();
  return std::to_string(e.code) + " " + e.enhanced + " " + e.message;
}

TEST(SmtpCommandTest, EveryVerbIsKnownInAnyCase) {
  for (const char* verb :
       {"HELO x", "EHLO x", "MAIL FROM:<a@b.c>", "RCPT TO:<a@b.c>", "DATA", "RSET", "NOOP", "QUIT",
        "VRFY alice", "EXPN list", "HELP", "STARTTLS", "AUTH PLAIN"}) {
    std::string lower(verb);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(Parse(verb).verb, Parse(lower).verb) << verb;
  }
  EXPECT_EQ(Parse("StartTLS").verb, "STARTTLS");
  EXPECT_EQ(Parse("noop anything at all").argument, "anything at all");
  EXPECT_EQ(Parse("HELP mail").verb, "HELP");
}

TEST(SmtpCommandTest, HelloNamesTheClient) {
  EXPECT_EQ(Parse("EHLO client.example").argument, "client.example");
  EXPECT_EQ(Parse("helo [192.0.2.7]").argument, "[192.0.2.7]");
  EXPECT_EQ(Parse("EHLO client.example   ").argument, "client.example");  // trailing blanks
  EXPECT_EQ(Refusal("EHLO"), "501 5.5.4 write EHLO <your host name>");
  EXPECT_EQ(Refusal("HELO "), "501 5.5.4 write HELO <your host name>");
}

TEST(SmtpCommandTest, MailFromWithEveryParameter) {
  SmtpCommand c = Parse(
      "mail from:<fax@fax.test> SIZE=100 body=8bitmime RET=hdrs ENVID=job+2B4711+20x SMTPUTF8 "
      "AUTH=alice+40fax.test");
  EXPECT_EQ(c.verb, "MAIL");
  EXPECT_EQ(c.path, "fax@fax.test");
  EXPECT_THAT(c.params, ElementsAre(Pair("AUTH", "alice@fax.test"), Pair("BODY", "8BITMIME"),
                                    Pair("ENVID", "job+4711 x"), Pair("RET", "HDRS"),
                                    Pair("SIZE", "100"), Pair("SMTPUTF8", "")));
}

TEST(SmtpCommandTest, NullSenderOfBounces) {
  SmtpCommand c = Parse("MAIL FROM:<>");
  EXPECT_EQ(c.path, "");
  EXPECT_TRUE(c.params.empty());
  EXPECT_EQ(Parse("MAIL FROM:<> AUTH=<>").params.at("AUTH"), "<>");
}

TEST(SmtpCommandTest, FaxRecipientsInTheirUsualForms) {
  EXPECT_EQ(Parse("RCPT TO:<FAX=+1-555-1234@fax.test>").path, "FAX=+1-555-1234@fax.test");
  EXPECT_EQ(Parse("RCPT TO:<\"FAX=+1 555\"@fax.test>").path, "\"FAX=+1 555\"@fax.test");
  EXPECT_EQ(Parse("RCPT TO:</FAX=8323/@[192.0.2.1]>").path, "/FAX=8323/@[192.0.2.1]");
  EXPECT_EQ(Parse("rcpt to:<\"a>b\\\"c\"@fax.test>").path, "\"a>b\\\"c\"@fax.test");
}

TEST(SmtpCommandTest, RecipientWithDsnParametersAndARawPlus) {
  // NOTIFY is normalised; ORCPT keeps its type; "+1-" is no xtext escape and stays literal.
  SmtpCommand c = Parse(
      "RCPT TO:<FAX=+1-555-1234/T33S=12@fax.test> NOTIFY=SUCCESS,FAILURE "
      "ORCPT=rfc822;FAX=+1-555-1234@fax.test");
  EXPECT_EQ(c.path, "FAX=+1-555-1234/T33S=12@fax.test");
  EXPECT_THAT(c.params, ElementsAre(Pair("NOTIFY", "SUCCESS,FAILURE"),
                                    Pair("ORCPT", "rfc822;FAX=+1-555-1234@fax.test")));
  EXPECT_EQ(Parse("RCPT TO:<a@b.c> ORCPT=rfc822;FAX=+2B1+20555@fax.test").params.at("ORCPT"),
            "rfc822;FAX=+1 555@fax.test");
  EXPECT_EQ(Parse("RCPT TO:<a@b.c> notify=never").params.at("NOTIFY"), "NEVER");
  EXPECT_EQ(Parse("RCPT TO:<a@b.c> NOTIFY=delay,Failure").params.at("NOTIFY"), "DELAY,FAILURE");
}

TEST(SmtpCommandTest, XtextNeedsUpperCaseHexAndOtherwiseStaysLiteral) {
  EXPECT_EQ(Parse("MAIL FROM:<a@b.c> ENVID=a+2b").params.at("ENVID"), "a+2b");
  EXPECT_EQ(Parse("MAIL FROM:<a@b.c> ENVID=a+2").params.at("ENVID"), "a+2");
  EXPECT_EQ(Parse("MAIL FROM:<a@b.c> ENVID=+").params.at("ENVID"), "+");
  EXPECT_EQ(Parse("MAIL FROM:<a@b.c> ENVID=+3D+2B+E4").params.at("ENVID"), "=+\xE4");
}

TEST(SmtpCommandTest, LenientWhereRealClientsAre) {
  EXPECT_EQ(Parse("MAIL FROM: <alice@example.com>").path, "alice@example.com");
  EXPECT_EQ(Parse("MAIL FROM:alice@example.com SIZE=5").params.at("SIZE"), "5");
  EXPECT_EQ(Parse("MAIL FROM:<alice@example.com>  SIZE=5   BODY=7BIT").params.size(), 2u);
  EXPECT_EQ(Parse("MAIL FROM:<@relay.example,@two.example:alice@example.com>").path,
            "alice@example.com");  // source route dropped
  EXPECT_EQ(Parse("RCPT TO:<Postmaster>").path, "Postmaster");
  EXPECT_EQ(Parse("RCPT TO:<a@mail_host.example>").path, "a@mail_host.example");
  EXPECT_EQ(Parse("RCPT TO:<jörg@bücher.example>").path, "jörg@bücher.example");  // SMTPUTF8
}

TEST(SmtpCommandTest, BadAddressesAreRefusedWith501AndTheRightEnhancedCode) {
  EXPECT_EQ(Refusal("MAIL TO:<a@b.c>"), "501 5.5.4 write MAIL FROM:<address>");
  EXPECT_EQ(Refusal("RCPT FROM:<a@b.c>"), "501 5.5.4 write RCPT TO:<address>");
  EXPECT_EQ(Refusal("RCPT TO:<a@b.c"), "501 5.1.3 the address has no closing '>'");
  EXPECT_EQ(Refusal("RCPT TO:<>"), "501 5.1.3 the recipient address is empty");
  EXPECT_EQ(Refusal("RCPT TO:<alice>"), "501 5.1.3 'alice' has no '@domain'");
  EXPECT_EQ(Refusal("RCPT TO:<@fax.test>"), "501 5.1.3 the source route has no ':'");
  EXPECT_EQ(Refusal("RCPT TO:<a b@fax.test>"), "501 5.1.3 'a b' is not a valid mailbox name");
  EXPECT_EQ(Refusal("RCPT TO:<a@fax..test>"), "501 5.1.3 'fax..test' is not a valid domain");
  EXPECT_EQ(Refusal("RCPT TO:<a@>"), "501 5.1.3 '' is not a valid domain");
  EXPECT_EQ(Refusal("RCPT TO:<\"open@fax.test>"), "501 5.1.3 the address has no closing '>'");
  EXPECT_EQ(Refusal("MAIL FROM:<a@b.c>SIZE=1"),
            "501 5.1.7 write a space between the address "
            "and 'SIZE=1'");
  EXPECT_EQ(Refusal("MAIL FROM:<a(b)@b.c>"), "501 5.1.7 'a(b)' is not a valid mailbox name");
}

TEST(SmtpCommandTest, AddressLengthLimitsOfRfc5321) {
  const std::string local64(64, 'l');
  EXPECT_TRUE(ParseSmtpCommand("RCPT TO:<" + local64 + "@fax.test>").ok());
  EXPECT_EQ(Refusal("RCPT TO:<" + local64 + "l@fax.test>"),
            "501 5.1.3 the part before '@' is longer than 64 characters");
  // 254 characters between < and > is the most a 256-octet path holds.
  const std::string domain = std::string(63, 'd') + "." + std::string(63, 'd') + "." +
                             std::string(63, 'd') + "." + std::string(61, 'd');
  ASSERT_EQ(domain.size(), 253u);
  EXPECT_TRUE(ParseSmtpCommand("RCPT TO:<a@" + domain.substr(1) + ">").ok());
  EXPECT_EQ(Refusal("RCPT TO:<ab@" + domain + ">"),
            "501 5.1.3 the address is longer than 254 characters");
  EXPECT_EQ(Refusal("MAIL FROM:<" + std::string(300, 'a') + "@b>"),
            "501 5.1.7 the address is longer than 254 characters");
}

TEST(SmtpCommandTest, ParametersAreCheckedAndUnknownOnesGet555) {
  EXPECT_EQ(Refusal("MAIL FROM:<a@b.c> NOTIFY=NEVER"),
            "555 5.5.4 MAIL NOTIFY is not supported here");
  EXPECT_EQ(Refusal("RCPT TO:<a@b.c> SIZE=1"), "555 5.5.4 RCPT SIZE is not supported here");
  EXPECT_EQ(Refusal("MAIL FROM:<a@b.c> X-FOO=1"), "555 5.5.4 MAIL X-FOO is not supported here");
  EXPECT_EQ(Refusal("MAIL FROM:<a@b.c> SIZE=12k"),
            "501 5.5.4 SIZE= takes the message size in octets");
  EXPECT_EQ(Refusal("MAIL FROM:<a@b.c> SIZE"), "501 5.5.4 SIZE needs a value: SIZE=...");
  EXPECT_EQ(Refusal("MAIL FROM:<a@b.c> BODY=BINARYMIME"), "501 5.5.4 BODY= takes 7BIT or 8BITMIME");
  EXPECT_EQ(Refusal("MAIL FROM:<a@b.c> RET=ALL"), "501 5.5.4 RET= takes FULL or HDRS");
  EXPECT_EQ(Refusal("MAIL FROM:<a@b.c> SMTPUTF8=yes"), "501 5.5.4 SMTPUTF8 takes no value");
  EXPECT_EQ(Refusal("MAIL FROM:<a@b.c> SIZE=1 size=2"), "501 5.5.4 SIZE is given twice");
  EXPECT_EQ(Refusal("MAIL FROM:<a@b.c> ENVID=" + std::string(101, 'e')),
            "501 5.5.4 ENVID= is longer than 100 characters");
  EXPECT_EQ(Refusal("RCPT TO:<a@b.c> NOTIFY=NEVER,SUCCESS"),
            "501 5.5.4 NOTIFY=NEVER cannot be combined");
  EXPECT_EQ(Refusal("RCPT TO:<a@b.c> NOTIFY=SOMETIMES"),
            "501 5.5.4 NOTIFY= takes NEVER or a list of SUCCESS, FAILURE and DELAY");
  EXPECT_EQ(Refusal("RCPT TO:<a@b.c> ORCPT=alice@example.com"),
            "501 5.5.4 ORCPT= takes type;address, e.g. ORCPT=rfc822;alice@example.com");
  EXPECT_EQ(Refusal("MAIL FROM:<a@b.c> =1"), "501 5.5.4 '=1' is not an ESMTP parameter");
  EXPECT_EQ(Refusal("MAIL FROM:<a@b.c> ENVID=a\x01"),
            "501 5.5.4 the value of ENVID has control characters");
}

TEST(SmtpCommandTest, AuthMechanismAndInitialResponse) {
  SmtpCommand plain = Parse("auth plain AGFsaWNlAHNlY3JldA==");
  EXPECT_EQ(plain.mechanism, "PLAIN");
  EXPECT_EQ(plain.initial_response.value_or(""), "AGFsaWNlAHNlY3JldA==");
  SmtpCommand login = Parse("AUTH LOGIN");
  EXPECT_EQ(login.mechanism, "LOGIN");
  EXPECT_FALSE(login.initial_response.has_value());
  EXPECT_EQ(Parse("AUTH PLAIN =").initial_response.value_or(""), "=");
  EXPECT_EQ(Parse("AUTH CRAM-MD5").mechanism, "CRAM-MD5");  // the session says 504
  EXPECT_EQ(Refusal("AUTH"), "501 5.5.4 write AUTH <mechanism> [initial response]");
  EXPECT_EQ(Refusal("AUTH PLAIN not*base64"), "501 5.5.4 the initial response is not base64");
  EXPECT_EQ(Refusal("AUTH PLAIN a b"), "501 5.5.4 the initial response is not base64");
}

TEST(SmtpCommandTest, GarbageAndUnknownVerbsGet500) {
  EXPECT_EQ(Refusal(""), "500 5.5.2 empty command line");
  EXPECT_EQ(Refusal("   "), "500 5.5.2 empty command line");
  EXPECT_EQ(Refusal("\x01\x02"), "500 5.5.2 that is not an SMTP command");
  EXPECT_EQ(Refusal(std::string("\x00\xff", 2)), "500 5.5.2 that is not an SMTP command");
  EXPECT_EQ(Refusal("GET / HTTP/1.1"), "500 5.5.1 command GET not recognized");
  EXPECT_EQ(Refusal("BDAT 100 LAST"), "500 5.5.1 command BDAT not recognized");
  EXPECT_EQ(Refusal(std::string(30, 'X')), "500 5.5.1 command not recognized");
  EXPECT_EQ(Refusal("DATA now"), "501 5.5.4 DATA takes no argument");
  EXPECT_EQ(Refusal("STARTTLS please"), "501 5.5.4 STARTTLS takes no argument");
  EXPECT_EQ(Refusal("QUIT x"), "501 5.5.4 QUIT takes no argument");
}

TEST(SmtpCommandTest, CommandLineLimits) {
  // 512 octets with the CRLF (RFC 5321 4.5.3.1.4), more for MAIL/RCPT parameters and AUTH.
  EXPECT_TRUE(ParseSmtpCommand("NOOP " + std::string(505, 'x')).ok());
  EXPECT_EQ(Refusal("NOOP " + std::string(506, 'x')), "500 5.5.6 command line too long");
  const std::string orcpt = " ORCPT=rfc822;" + std::string(60, 'o') + "@" + std::string(200, 'd');
  EXPECT_TRUE(ParseSmtpCommand("RCPT TO:<" + std::string(64, 'a') + "@" + std::string(180, 'b') +
                               "> NOTIFY=SUCCESS,FAILURE,DELAY" + orcpt)
                  .ok());
  const std::string auth = " AUTH=" + std::string(400, 'u') + "+40example.com";  // > 512 in all
  EXPECT_EQ(Refusal("MAIL FROM:<alice@example.com> SIZE=1000 RET=HDRS ENVID=" +
                    std::string(100, 'e') + auth),
            "accepted");
  EXPECT_EQ(Refusal("RCPT TO:<a@b.c> ORCPT=rfc822;" + std::string(1500, 'x')),
            "500 5.5.6 command line too long");
  EXPECT_TRUE(ParseSmtpCommand("AUTH PLAIN " + std::string(4000, 'A')).ok());
}

TEST(SmtpCommandSaslTest, PlainCarriesUserAndPassword) {
  auto c = DecodeSaslPlain("AGFsaWNlAHNlY3JldA==");  // "\0alice\0secret"
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->user, "alice");
  EXPECT_EQ(c->password, "secret");
  auto same = DecodeSaslPlain("YWxpY2UAYWxpY2UAc2VjcmV0");  // "alice\0alice\0secret"
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->user, "alice");
  EXPECT_FALSE(DecodeSaslPlain("Ym9iAGFsaWNlAHNlY3JldA==").has_value());  // bob acting as alice
  EXPECT_FALSE(DecodeSaslPlain("YWxpY2U=").has_value());                  // no NULs
  EXPECT_FALSE(DecodeSaslPlain("AABzZWNyZXQ=").has_value());              // no user
  EXPECT_FALSE(DecodeSaslPlain("AGFsaWNlAHNlY3JldA").has_value());        // unpadded
}

TEST(SmtpCommandSaslTest, Base64IsStrict) {
  EXPECT_EQ(DecodeSaslBase64("VXNlcm5hbWU6").value_or("?"), "Username:");
  EXPECT_EQ(DecodeSaslBase64(kSaslLoginPasswordChallenge).value_or("?"), "Password:");
  EXPECT_EQ(DecodeSaslBase64("YQ==").value_or("?"), "a");
  EXPECT_EQ(DecodeSaslBase64("YWI=").value_or("?"), "ab");
  EXPECT_EQ(DecodeSaslBase64("=").value_or("?"), "");
  EXPECT_EQ(DecodeSaslBase64("").value_or("?"), "");
  EXPECT_FALSE(DecodeSaslBase64("YQ=").has_value());
  EXPECT_FALSE(DecodeSaslBase64("Y===").has_value());
  EXPECT_FALSE(DecodeSaslBase64("YQ=a").has_value());
  EXPECT_FALSE(DecodeSaslBase64("YQ==YQ==").has_value());
  EXPECT_FALSE(DecodeSaslBase64("Y Q=").has_value());
  EXPECT_FALSE(DecodeSaslBase64("*").has_value());
}

}  // namespace
}  // namespace faxgate::mail
