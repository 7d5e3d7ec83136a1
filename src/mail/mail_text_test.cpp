// The mail face's text grammars: addresses, FAX= recipients, the shared mailbox's subject,
// SMTP command lines and templates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mail/builtin_templates.h"
#include "mail/fax_address.h"
#include "mail/mail_address.h"
#include "mail/smtp_command.h"
#include "mail/subject_recipients.h"
#include "mail/template_renderer.h"

namespace faxgate::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ---- Addresses ----

TEST(MailAddressTest, ReadsTheFormsMailersWrite) {
  EXPECT_EQ(ParseMailAddress("alice@Fax.TEST")->address(), "alice@fax.test");
  EXPECT_EQ(ParseMailAddress("<alice@fax.test>")->address(), "alice@fax.test");
  auto named = ParseMailAddress("\"张三\" <zhangsan@fax.test>");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->display_name, "张三");
  EXPECT_EQ(ParseMailAddress("\"FAX=+1 555 1234\"@fax.test")->local_part, "FAX=+1 555 1234");
}

TEST(MailAddressTest, RefusesWhatIsNotAnAddressAndSaysWhy) {
  EXPECT_THAT(ParseMailAddress("alice").error().message, HasSubstr("no '@'"));
  EXPECT_THAT(ParseMailAddress("@fax.test").error().message, HasSubstr("nothing before '@'"));
  EXPECT_THAT(ParseMailAddress(std::string(65, 'a') + "@x.test").error().message,
              HasSubstr("longer than 64"));
  EXPECT_TRUE(DomainMatches("FAX.test", {"mail.test", "fax.test"}));
  EXPECT_FALSE(DomainMatches("evil.test", {"fax.test"}));
}

// ---- FAX= recipients (RFC 3192) ----

TEST(FaxAddressTest, ReadsRfc3192AndTheLenientForms) {
  EXPECT_EQ(ParseFaxLocalPart("FAX=+1-555-1234")->number, "+1-555-1234");
  EXPECT_EQ(ParseFaxLocalPart("fax=+86.755.83235170")->number, "+86-755-83235170");
  EXPECT_EQ(ParseFaxLocalPart("/FAX=9-555-8354/")->number, "9-555-8354");
  EXPECT_EQ(ParseFaxLocalPart("8001")->number, "8001");
  EXPECT_EQ(ParseFaxLocalPart("64802994E801")->number, "64802994E801");
  auto sub = ParseFaxLocalPart("FAX=5551234/T33S=12/ATTN=John_Doe");
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->sub_address, "12");
  EXPECT_EQ(sub->options.at("ATTN"), "John_Doe");
}

TEST(FaxAddressTest, NeverTakesAnEmptyOrForeignNumber) {
  EXPECT_THAT(ParseFaxLocalPart("FAX=").error().message, HasSubstr("no fax number"));
  EXPECT_THAT(ParseFaxLocalPart("alice").error().message, HasSubstr("'a' cannot be part"));
  EXPECT_THAT(ParseFaxLocalPart("FAX=" + std::string(41, '1')).error().message,
              HasSubstr("at most 40 digits"));
  EXPECT_THAT(ParseFaxLocalPart("FAX=123/T33S=ab").error().message, HasSubstr("must be digits"));
}

// ---- Subject grammar (REQUIREMENTS S5) ----

std::vector<std::string> Numbers(const ParsedSubject& s) {
  std::vector<std::string> out;
  for (const auto& r : s.recipients) out.push_back(r.number);
  return out;
}

TEST(SubjectTest, EveryFormOfTheRequirementsIsRead) {
  auto s = ParseSubjectRecipients(
      "86-755-83235170/Acme; 755-83235170/张三; 83235170; 852-0-999999/HK; 0-0-123");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_THAT(Numbers(*s), ElementsAre("86-755-83235170", "755-83235170", "83235170",
                                       "852-0-999999", "0-0-123"));
  EXPECT_EQ(s->recipients[1].name, "张三");
  EXPECT_FALSE(s->password.has_value());
}

TEST(SubjectTest, ExtendedFormCarriesAccountAndSecondName) {
  auto s = ParseSubjectRecipients("86-755-83235170|AF90000098/Name1|Name2");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->recipients[0].number, "86-755-83235170");
  EXPECT_EQ(s->recipients[0].account, "AF90000098");
  EXPECT_EQ(s->recipients[0].name, "Name1");
  EXPECT_EQ(s->recipients[0].second_name, "Name2");
}

TEST(SubjectTest, FullWidthSeparatorsAndPasswordAtTheEnd) {
  auto s = ParseSubjectRecipients("83235170／张三；83235180／李四：s3cret");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_THAT(Numbers(*s), ElementsAre("83235170", "83235180"));
  EXPECT_EQ(*s->password, "s3cret");
  EXPECT_EQ(RedactSubjectPassword("83235170/张三:s3cret"), "83235170/张三:****");
  EXPECT_EQ(RedactSubjectPassword("83235170"), "83235170");
}

TEST(SubjectTest, MalformedSubjectsSayExactlyWhatIsWrong) {
  EXPECT_THAT(ParseSubjectRecipients("").error().message, HasSubstr("names no recipients"));
  EXPECT_THAT(ParseSubjectRecipients("83235170; /Bob").error().message,
              HasSubstr("recipient 2 (\"/Bob\") has no fax number"));
  EXPECT_THAT(ParseSubjectRecipients("Hello there").error().message,
              HasSubstr("recipient 1: \"Hello there\" is not a fax number"));
  EXPECT_THAT(ParseSubjectRecipients("83235170:").error().message, HasSubstr("nothing after ':'"));
}

TEST(SubjectTest, SecretsCompareWholly) {
  EXPECT_TRUE(SecretEquals("abc", "abc"));
  EXPECT_FALSE(SecretEquals("abc", "abd"));
  EXPECT_FALSE(SecretEquals("abc", "abcd"));
}

// ---- SMTP command lines ----

TEST(SmtpCommandTest, MailAndRcptWithDsnParameters) {
  auto mail = ParseSmtpCommand("mail from:<fax@fax.test> RET=HDRS ENVID=job+2B4711 SIZE=100");
  ASSERT_TRUE(mail.ok());
  EXPECT_EQ(mail->verb, "MAIL");
  EXPECT_EQ(mail->path, "fax@fax.test");
  EXPECT_EQ(mail->params.at("ENVID"), "job+4711");
  EXPECT_EQ(mail->params.at("SIZE"), "100");
  auto rcpt = ParseSmtpCommand(
      "RCPT TO:<FAX=+1-555-1234/T33S=12@fax.test> NOTIFY=SUCCESS,FAILURE "
      "ORCPT=rfc822;FAX=+2B1-555-1234@fax.test");
  ASSERT_TRUE(rcpt.ok());
  EXPECT_EQ(rcpt->path, "FAX=+1-555-1234/T33S=12@fax.test");
  EXPECT_EQ(rcpt->params.at("ORCPT"), "rfc822;FAX=+1-555-1234@fax.test");
  EXPECT_EQ(ParseSmtpCommand("MAIL FROM:<>")->path, "");
  EXPECT_EQ(ParseSmtpCommand("RCPT TO:<\"FAX=+1 555\"@fax.test>")->path, "\"FAX=+1 555\"@fax.test");
}

TEST(SmtpCommandTest, BadLinesAreErrorsNotCrashes) {
  EXPECT_FALSE(ParseSmtpCommand("").ok());
  EXPECT_FALSE(ParseSmtpCommand("MAIL TO:<a@b>").ok());
  EXPECT_FALSE(ParseSmtpCommand("RCPT TO:<a@b").ok());
  EXPECT_FALSE(ParseSmtpCommand("RCPT TO:<" + std::string(300, 'a') + "@b>").ok());
  EXPECT_FALSE(ParseSmtpCommand("\x01\x02").ok());
  EXPECT_EQ(ParseSmtpCommand("ehlo client.example")->argument, "client.example");
}

// ---- Templates ----

TEST(TemplateTest, PlaceholdersAreFilledAndTyposLeftVisible) {
  TemplateValues v;
  v.fields = {{"TO", "+86 755 8323 5170"}, {"SUBJECT", "报价"}};
  EXPECT_EQ(RenderTemplate("To {$TO}: {$SUBJECT} {$SUBJCT}", v),
            "To +86 755 8323 5170: 报价 {$SUBJCT}");
  EXPECT_THAT(UnknownPlaceholders("{$TO} {$SUBJCT}", {"TO"}), ElementsAre("SUBJCT"));
}

TEST(TemplateTest, RecordsTableAlignsChineseColumns) {
  TemplateValues v;
  v.records_header_and_rows = {{"#", "结果"}, {"1", "忙"}, {"2", "ok"}};
  EXPECT_EQ(RenderTemplate("{$RECORDS}", v), "#  结果\n-------\n1  忙\n2  ok\n");
  EXPECT_EQ(DisplayWidth("传真ab"), 6u);
}

TEST(TemplateTest, EveryBuiltInTemplateExistsInBothLanguagesAndUsesKnownPlaceholders) {
  for (const char* name : {"fax_sent", "fax_failed", "fax_received", "mail_rejected"}) {
    for (const char* language : {"en", "zh-CN"}) {
      auto t = FindBuiltinTemplate(name, language);
      ASSERT_TRUE(t) << name << " " << language;
      EXPECT_TRUE(UnknownPlaceholders(t->subject + t->body, KnownPlaceholders(name)).empty())
          << name << " " << language;
    }
  }
}

}  // namespace
}  // namespace faxgate::mail
