// Server replies as our SMTP client reads them: single and multi-line, enhanced status codes,
// garbage, and the EHLO keyword list.
#include "mail/smtp_reply.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faxgate::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Feeds the lines; expects the last to complete the reply and none before it.
ServerReply Read(std::vector<std::string> lines) {
  ServerReplyReader reader;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto r = reader.Add(lines[i]);
    EXPECT_TRUE(r.ok()) << lines[i] << ": " << r.error().message;
    if (!r.ok()) return {};
    EXPECT_EQ(r->has_value(), i + 1 == lines.size()) << lines[i];
    if (r->has_value()) return **r;
  }
  return {};
}

std::string Refusal(std::string_view line) {
  ServerReplyReader reader;
  auto r = reader.Add(line);
  return r.ok() ? "accepted" : r.error().message;
}

TEST(SmtpReplyTest, OneLineWithEnhancedCode) {
  ServerReply r = Read({"550 5.1.1 <ghost@fax.test>: Recipient address rejected"});
  EXPECT_EQ(r.code, 550);
  EXPECT_EQ(r.enhanced, "5.1.1");
  EXPECT_EQ(r.Text(), "<ghost@fax.test>: Recipient address rejected");
}

TEST(SmtpReplyTest, OneLineWithoutEnhancedCode) {
  ServerReply r = Read({"220 mail.fax.test ESMTP Postfix"});
  EXPECT_EQ(r.code, 220);
  EXPECT_EQ(r.enhanced, "");
  EXPECT_EQ(r.Text(), "mail.fax.test ESMTP Postfix");
}

TEST(SmtpReplyTest, MultiLineRepliesJoinTheirTextAndDropTheRepeatedCode) {
  ServerReply r = Read({"452-4.2.2 The email account that you tried to reach is over quota.",
                        "452-4.2.2 Please direct the recipient to",
                        "452 4.2.2 https://support.example/?p=422"});
  EXPECT_EQ(r.code, 452);
  EXPECT_EQ(r.enhanced, "4.2.2");
  EXPECT_EQ(r.Text(),
            "The email account that you tried to reach is over quota. Please direct the "
            "recipient to https://support.example/?p=422");
}

TEST(SmtpReplyTest, BareCodeAndCodeWithSpaceOnly) {
  EXPECT_EQ(Read({"250"}).code, 250);
  EXPECT_EQ(Read({"250"}).Text(), "");
  EXPECT_EQ(Read({"354 "}).code, 354);
  EXPECT_EQ(Read({"250-first", "250"}).Text(), "first");
}

TEST(SmtpReplyTest, OnlyWellFormedEnhancedCodesAreTakenOut) {
  EXPECT_EQ(Read({"250 2.0.0"}).enhanced, "2.0.0");
  EXPECT_EQ(Read({"250 2.0.0"}).Text(), "");
  EXPECT_EQ(Read({"554 5.7.123 policy"}).enhanced, "5.7.123");
  EXPECT_EQ(Read({"250 2.1.0Ok"}).enhanced, "");      // no space after it
  EXPECT_EQ(Read({"250 3.1.0 Ok"}).enhanced, "");      // no class 3
  EXPECT_EQ(Read({"250 2.1234.0 Ok"}).enhanced, "");   // subject too long
  EXPECT_EQ(Read({"250 2.1 Ok"}).enhanced, "");
  EXPECT_EQ(Read({"221 2.0.0 Bye"}).Text(), "Bye");
}

TEST(SmtpReplyTest, GarbageIsRefusedAndQuoted) {
  EXPECT_THAT(Refusal("HTTP/1.1 400 Bad Request"), HasSubstr("\"HTTP/1.1 400 Bad Request\""));
  EXPECT_THAT(Refusal("25"), HasSubstr("not an SMTP reply"));
  EXPECT_THAT(Refusal("250x ok"), HasSubstr("not an SMTP reply"));
  EXPECT_THAT(Refusal("650 what"), HasSubstr("not an SMTP reply"));
  EXPECT_THAT(Refusal("150 what"), HasSubstr("not an SMTP reply"));
  EXPECT_THAT(Refusal("\x1b[31m"), HasSubstr("\"?[31m\""));  // no terminal escapes in logs
}

TEST(SmtpReplyTest, ALineWithAnotherCodeInTheMiddleOfAReplyIsRefused) {
  ServerReplyReader reader;
  ASSERT_TRUE(reader.Add("250-mail.fax.test").ok());
  auto r = reader.Add("550 oops");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("another code than 250"));
  // The reader starts afresh afterwards.
  auto next = reader.Add("221 bye");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)->code, 221);
}

TEST(SmtpReplyTest, AnEndlessReplyIsRefused) {
  ServerReplyReader reader;
  Result<std::optional<ServerReply>> r = std::optional<ServerReply>();
  for (int i = 0; i < 2000 && r.ok(); ++i) r = reader.Add("250-more");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("too many lines"));
}

TEST(SmtpReplyTest, PostfixEhloKeywords) {
  EhloExtensions ext(Read({"250-mail.fax.test", "250-PIPELINING", "250-SIZE 20480000",
                           "250-VRFY", "250-ETRN", "250-STARTTLS", "250-ENHANCEDSTATUSCODES",
                           "250-8BITMIME", "250-DSN", "250-SMTPUTF8", "250 CHUNKING"}));
  EXPECT_TRUE(ext.Has("PIPELINING"));
  EXPECT_TRUE(ext.Has("pipelining"));
  EXPECT_TRUE(ext.Has("DSN"));
  EXPECT_TRUE(ext.Has("8BITMIME"));
  EXPECT_TRUE(ext.Has("CHUNKING"));
  EXPECT_FALSE(ext.Has("AUTH"));
  EXPECT_FALSE(ext.Has("mail.fax.test"));  // the first line is the server's name
  EXPECT_EQ(ext.SizeLimit(), 20480000u);
  EXPECT_EQ(ext.Params("STARTTLS"), "");
}

TEST(SmtpReplyTest, AuthMechanismsInBothForms) {
  EhloExtensions modern(Read({"250-mx", "250-AUTH PLAIN LOGIN", "250 SIZE"}));
  EXPECT_TRUE(modern.HasAuth("PLAIN"));
  EXPECT_TRUE(modern.HasAuth("login"));
  EXPECT_FALSE(modern.HasAuth("CRAM-MD5"));
  EXPECT_FALSE(modern.HasAuth("PLA"));
  EXPECT_EQ(modern.SizeLimit(), 0u);  // SIZE without a number: no limit named
  EhloExtensions old(Read({"250-mx", "250-AUTH=LOGIN", "250 auth cram-md5"}));
  EXPECT_TRUE(old.HasAuth("LOGIN"));
  EXPECT_TRUE(old.HasAuth("CRAM-MD5"));
  EXPECT_FALSE(old.HasAuth("PLAIN"));
}

TEST(SmtpReplyTest, HeloMeansNoExtensions) {
  EhloExtensions none;
  EXPECT_FALSE(none.Has("PIPELINING"));
  EXPECT_EQ(none.SizeLimit(), 0u);
  EXPECT_FALSE(none.HasAuth("PLAIN"));
  EXPECT_EQ(EhloExtensions(Read({"250 mail.fax.test"})).Has("SIZE"), false);
}

TEST(SmtpReplyTest, AbsurdSizeIsNoLimit) {
  EXPECT_EQ(EhloExtensions(Read({"250-mx", "250 SIZE 99999999999999999999999"})).SizeLimit(), 0u);
  EXPECT_EQ(EhloExtensions(Read({"250-mx", "250 SIZE 10M"})).SizeLimit(), 0u);
}

}  // namespace
}  // namespace faxgate::mail
