// The shared mailbox's subject (REQUIREMENTS S5, GOTONE's password suffix): every form a user
// writes, what the dial plan and the cover page get from it, and the reply a mistake earns.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mail/subject_recipients.h"

namespace faxgate::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

ParsedSubject Parsed(std::string_view subject) {
  auto s = ParseSubjectRecipients(subject);
  EXPECT_TRUE(s.ok()) << subject << ": " << s.error().message;
  return s.ok() ? *s : ParsedSubject{};
}

std::vector<std::string> Numbers(std::string_view subject) {
  std::vector<std::string> out;
  for (const auto& r : Parsed(subject).recipients) out.push_back(r.number);
  return out;
}

std::vector<std::string> Names(std::string_view subject) {
  std::vector<std::string> out;
  for (const auto& r : Parsed(subject).recipients) out.push_back(r.name);
  return out;
}

std::string Refusal(std::string_view subject) {
  auto s = ParseSubjectRecipients(subject);
  EXPECT_FALSE(s.ok()) << subject << " was accepted";
  return s.ok() ? "" : s.error().message;
}

TEST(SubjectRecipientsTest, EveryNumberFormOfTheRequirements) {
  const char* subject =
      "86-755-83235170/Name; 755-83235170/Name; 83235170/Name; 83235170; 852-0-999999; 0-0-123";
  EXPECT_THAT(Numbers(subject), ElementsAre("86-755-83235170", "755-83235170", "83235170",
                                            "83235170", "852-0-999999", "0-0-123"));
  EXPECT_THAT(Names(subject), ElementsAre("Name", "Name", "Name", "", "", ""));
  EXPECT_FALSE(Parsed(subject).password.has_value());
}

TEST(SubjectRecipientsTest, ExtendedFormCarriesAccountAndSecondName) {
  const ParsedSubject s = Parsed("86-755-83235170|AF90000098/Name1|Name2");
  ASSERT_EQ(s.recipients.size(), 1u);
  EXPECT_EQ(s.recipients[0].number, "86-755-83235170");
  EXPECT_EQ(s.recipients[0].account, "AF90000098");
  EXPECT_EQ(s.recipients[0].name, "Name1");
  EXPECT_EQ(s.recipients[0].second_name, "Name2");

  const ParsedSubject account_only = Parsed("86-755-83235170|AF90000098");
  EXPECT_EQ(account_only.recipients[0].account, "AF90000098");
  EXPECT_EQ(account_only.recipients[0].name, "");
  const ParsedSubject names_only = Parsed("83235170/张三|李四");
  EXPECT_EQ(names_only.recipients[0].account, "");
  EXPECT_EQ(names_only.recipients[0].name, "张三");
  EXPECT_EQ(names_only.recipients[0].second_name, "李四");
}

TEST(SubjectRecipientsTest, ExtensionsAsGotoneWritesThem) {
  EXPECT_THAT(Numbers("64802994E801/Acme; 0755-64802994e801; 83235170 ext. 12"),
              ElementsAre("64802994E801", "0755-64802994e801", "83235170 ext. 12"));
}

TEST(SubjectRecipientsTest, NumbersAreKeptAsWrittenForTheDialPlan) {
  EXPECT_THAT(Numbers("+86 755 8323 5170; (0755) 8323-5170; 0086-755-83235170"),
              ElementsAre("+86 755 8323 5170", "(0755) 8323-5170", "0086-755-83235170"));
}

TEST(SubjectRecipientsTest, ChineseInputMethodPunctuationCountsAsAscii) {
  const char* subject = "86-755-83235170／张三；83235180／李四，８３２３５１９０／王五｜赵六";
  EXPECT_THAT(Numbers(subject), ElementsAre("86-755-83235170", "83235180", "83235190"));
  EXPECT_THAT(Names(subject), ElementsAre("张三", "李四", "王五"));
  EXPECT_EQ(Parsed(subject).recipients[2].second_name, "赵六");
  EXPECT_THAT(Numbers("８６－７５５－８３２３５１７０｜ＡＦ９０"), ElementsAre("86-755-83235170"));
  EXPECT_EQ(Parsed("８３２３５１７０｜ＡＦ９０").recipients[0].account, "AF90");
}

TEST(SubjectRecipientsTest, NamesKeepFullWidthLettersAndMayHoldSlashes) {
  EXPECT_THAT(Names("83235170/Ａｃｍｅ 公司; 83235180/R/D Dept"),
              ElementsAre("Ａｃｍｅ 公司", "R/D Dept"));
}

TEST(SubjectRecipientsTest, CommasSeparateLikeSemicolonsAndEmptyItemsAreSkipped) {
  EXPECT_THAT(Numbers("83235170, 83235180;; 83235190;"),
              ElementsAre("83235170", "83235180", "83235190"));
}

TEST(SubjectRecipientsTest, WhitespaceAroundEveryPartIsDropped) {
  const ParsedSubject s = Parsed("  86-755-83235170 | AF9 /  张三 | 李四  ;\t83235180 ");
  ASSERT_EQ(s.recipients.size(), 2u);
  EXPECT_EQ(s.recipients[0].number, "86-755-83235170");
  EXPECT_EQ(s.recipients[0].account, "AF9");
  EXPECT_EQ(s.recipients[0].name, "张三");
  EXPECT_EQ(s.recipients[0].second_name, "李四");
  EXPECT_EQ(s.recipients[1].number, "83235180");
  EXPECT_THAT(Names("\u3000"
                    "83235170/\u3000"
                    "王五\u3000"),
              ElementsAre("王五"));
}

TEST(SubjectRecipientsTest, AHundredRecipientsAreAcceptedButNotOneMore) {
  std::string subject;
  for (int i = 0; i < 100; ++i) subject += std::to_string(83235100 + i) + "; ";
  EXPECT_EQ(Parsed(subject).recipients.size(), 100u);
  EXPECT_THAT(Refusal(subject + "83235999"),
              HasSubstr("the subject names more than 100 recipients; at most 100 are allowed"));
}

TEST(SubjectRecipientsTest, MalformedSubjectsSayWhatIsWrongAndWhere) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "the subject names no recipients"},
      {" ; ,; ", "the subject names no recipients"},
      {"83235170; /Bob", "recipient 2 (\"/Bob\") has no fax number"},
      {"83235170; |AF90000098/Bob", "recipient 2 (\"|AF90000098/Bob\") has no fax number"},
      {"86-75x", "recipient 1: \"86-75x\" is not a fax number ('x' cannot be part of one)"},
      {"abc", "recipient 1: \"abc\" is not a fax number ('a' cannot be part of one)"},
      {"Hello there", "recipient 1: \"Hello there\" is not a fax number"},
      {"传真 83235170", "recipient 1: \"传真 83235170\" is not a fax number ('传' cannot"},
      {"83235170; ---/Bob", "recipient 2: \"---\" is not a fax number (it has no digits)"},
      {"83235170E", "recipient 1: \"83235170E\" is not a fax number (no extension digits"},
      {std::string(41, '5'), "it has 41 digits; a fax number has at most 40"},
      {"83235170|/Bob", "recipient 1: no account after '|'"},
      {"83235170|A B/Bob", "recipient 1: the account \"A B\" may only hold letters, digits"},
      {"83235170|A|B/Bob", "recipient 1 has more than one '|' before its name"},
      {"83235170/A|B|C", "recipient 1 has more than two names (Name1|Name2)"},
      {"83235170; 83235180/Bob\x01", "recipient 2: the name has a control character"},
      {"83235170/" + std::string(101, 'n'),
       "recipient 1: the name \"nnnnnnnnnnnnnnnnnnnn...\" is "
       "longer than 100 characters"},
      {"83235170/\xC0\xAF", "the subject is not valid UTF-8 text"},
  };
  for (const auto& [subject, why] : cases) {
    SCOPED_TRACE(subject);
    auto s = ParseSubjectRecipients(subject);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(s.error().message, HasSubstr(why));
  }
}

TEST(SubjectPasswordTest, PasswordAtTheVeryEndIsSplitOffBeforeTheRecipients) {
  const ParsedSubject single = Parsed("83235170:secret");
  ASSERT_EQ(single.recipients.size(), 1u);
  EXPECT_EQ(single.recipients[0].number, "83235170");
  EXPECT_EQ(single.password, "secret");

  const ParsedSubject named = Parsed("86-755-83235170/张三; 83235180/李四:secret");
  EXPECT_THAT(Numbers("86-755-83235170/张三; 83235180/李四:secret"),
              ElementsAre("86-755-83235170", "83235180"));
  EXPECT_EQ(named.recipients[1].name, "李四");
  EXPECT_EQ(named.password, "secret");
}

TEST(SubjectPasswordTest, FullWidthColonAndSpacesAroundThePassword) {
  EXPECT_EQ(Parsed("83235170/张三：s3cret").password, "s3cret");
  EXPECT_EQ(Parsed("83235170/张三 :  s3cret ").password, "s3cret");
}

TEST(SubjectPasswordTest, PasswordIsTakenExactlyAsTypedAfterTheFirstColon) {
  // Only the recipient list is normalised; a password keeps its colons and full-width forms.
  EXPECT_EQ(Parsed("83235170:a:b／c｜Ｄ").password, "a:b／c｜Ｄ");
}

TEST(SubjectPasswordTest, AColonInsideTheListIsRefusedRatherThanLosingRecipients) {
  const std::string message = Refusal("83235170/Acme: Sales; 83235180");
  EXPECT_THAT(message, HasSubstr("the text after the first ':' is not a password"));
  EXPECT_THAT(message, HasSubstr("recipient names cannot contain ':'"));
}

TEST(SubjectPasswordTest, EmptyPasswordIsRefused) {
  EXPECT_THAT(Refusal("83235170:"),
              HasSubstr("there is nothing after ':' where the password goes"));
  EXPECT_THAT(Refusal("83235170： "), HasSubstr("nothing after ':'"));
}

TEST(SubjectPasswordTest, PasswordWithoutRecipientsIsNoSubject) {
  EXPECT_THAT(Refusal(":secret"), HasSubstr("the subject names no recipients"));
}

TEST(SubjectPasswordTest, RepliesAndForwardsGetTheirOwnExplanation) {
  EXPECT_THAT(Refusal("Re: 83235170"),
              HasSubstr("the subject starts with \"Re:\" as replies and forwards do"));
  EXPECT_THAT(Refusal("FWD: 83235170/张三"), HasSubstr("starts with \"FWD:\""));
  EXPECT_THAT(Refusal("回复：83235170"), HasSubstr("starts with \"回复:\""));
}

TEST(SubjectPasswordTest, NoErrorMessageEverQuotesThePassword) {
  for (const char* subject : {"abc:topsecret", "83235170/Acme: topsecret;x", "Re:topsecret",
                              "83235170|:topsecret", "/Bob:topsecret"}) {
    SCOPED_TRACE(subject);
    EXPECT_THAT(Refusal(subject), Not(HasSubstr("topsecret")));
  }
}

TEST(SubjectPasswordTest, RedactionHidesWhatTheParserTakesAsThePassword) {
  EXPECT_EQ(RedactSubjectPassword("83235170:secret"), "83235170:****");
  EXPECT_EQ(RedactSubjectPassword("86-755-83235170/张三; 83235180/李四：s3cret"),
            "86-755-83235170/张三; 83235180/李四：****");
  EXPECT_EQ(RedactSubjectPassword("83235170:a:b"), "83235170:****");
  EXPECT_EQ(RedactSubjectPassword("83235170/张三"), "83235170/张三");
  EXPECT_EQ(RedactSubjectPassword("83235170:"), "83235170:");
  // Subjects the parser refuses are redacted all the same: their reply quotes them.
  EXPECT_EQ(RedactSubjectPassword("83235170/Acme: top secret"), "83235170/Acme:****");
  for (const char* subject : {"83235170:hunter2", "a/b; c:hunter2", "x：hunter2"}) {
    EXPECT_THAT(RedactSubjectPassword(subject), Not(HasSubstr("hunter2"))) << subject;
  }
}

TEST(SubjectPasswordTest, SecretsCompareWhole) {
  EXPECT_TRUE(SecretEquals("s3cret", "s3cret"));
  EXPECT_TRUE(SecretEquals("", ""));
  EXPECT_TRUE(SecretEquals("密码", "密码"));
  EXPECT_FALSE(SecretEquals("s3cret", "s3creT"));
  EXPECT_FALSE(SecretEquals("s3cret", "s3cret "));
  EXPECT_FALSE(SecretEquals("s3cret", ""));
  EXPECT_FALSE(SecretEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace faxgate::mail
