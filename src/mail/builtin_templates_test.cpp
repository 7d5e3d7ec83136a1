// The templates faxgate ships: complete in both languages, using only what they are given,
// and rendering into mail a person can read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mail/builtin_templates.h"
#include "mail/template_renderer.h"

namespace faxgate::mail {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const char* const kNames[] = {"fax_sent", "fax_failed", "fax_received", "mail_rejected"};
const char* const kLanguages[] = {"en", "zh-CN"};

TemplateValues AllKnownFilled(std::string_view name) {
  TemplateValues v;
  for (const std::string& p : KnownPlaceholders(name)) v.fields[p] = "<" + p + ">";
  v.records_header_and_rows = {{"#", "时间", "结果"}, {"1", "10:00", "忙"}};
  return v;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

TEST(TemplateBuiltinTest, EveryTemplateExistsInEnglishAndChinese) {
  EXPECT_EQ(BuiltinTemplates().size(), std::size(kNames) * std::size(kLanguages));
  for (const char* name : kNames) {
    for (const char* language : kLanguages) {
      SCOPED_TRACE(std::string(name) + " " + language);
      auto t = FindBuiltinTemplate(name, language);
      ASSERT_TRUE(t.has_value());
      EXPECT_EQ(t->name, name);
      EXPECT_EQ(t->language, language);
      EXPECT_FALSE(t->subject.empty());
      EXPECT_FALSE(t->body.empty());
    }
  }
  EXPECT_FALSE(FindBuiltinTemplate("fax_sent", "fr").has_value());
  EXPECT_FALSE(FindBuiltinTemplate("fax_lost", "en").has_value());
}

TEST(TemplateBuiltinTest, TemplatesUseOnlyThePlaceholdersTheyAreGiven) {
  for (const MailTemplate& t : BuiltinTemplates()) {
    SCOPED_TRACE(t.name + " " + t.language);
    EXPECT_THAT(UnknownPlaceholders(t.subject + t.body, KnownPlaceholders(t.name)), IsEmpty());
  }
}

TEST(TemplateBuiltinTest, RenderedMailLeavesNoPlaceholderBehind) {
  for (const MailTemplate& t : BuiltinTemplates()) {
    SCOPED_TRACE(t.name + " " + t.language);
    const TemplateValues v = AllKnownFilled(t.name);
    EXPECT_THAT(RenderTemplate(t.subject, v), Not(HasSubstr("{$")));
    EXPECT_THAT(RenderTemplate(t.body, v), Not(HasSubstr("{$")));
  }
}

TEST(TemplateBuiltinTest, ReceivedFaxSummaryShowsEveryDetailOfTheCall) {
  for (const char* language : kLanguages) {
    const std::string body = FindBuiltinTemplate("fax_received", language)->body;
    for (const char* p : {"{$CALLER}", "{$REMOTE_IDENT}", "{$CALLED}", "{$PAGES}", "{$DATE_TIME}",
                          "{$DURATION}", "{$BIT_RATE}", "{$DATA_FORMAT}", "{$ECM}", "{$LINE}"}) {
      EXPECT_THAT(body, HasSubstr(p)) << language;
    }
  }
}

TEST(TemplateBuiltinTest, ResultMailsShowNumberStatusAndTheAttemptTable) {
  TemplateValues v = AllKnownFilled("fax_failed");
  v.fields["TO"] = "+86 755 8323 5170";
  v.fields["STATUS"] = "对方忙 (SIP 486)";
  const std::string zh = RenderTemplate(FindBuiltinTemplate("fax_failed", "zh-CN")->body, v);
  EXPECT_THAT(zh, HasSubstr("您发往 +86 755 8323 5170 的传真未能发送成功"));
  EXPECT_THAT(zh, HasSubstr("失败原因：对方忙 (SIP 486)"));
  EXPECT_THAT(zh, HasSubstr("#  时间   结果\n--------------\n1  10:00  忙\n"));
  const std::string en = RenderTemplate(FindBuiltinTemplate("fax_sent", "en")->subject, v);
  EXPECT_EQ(en, "Fax sent to +86 755 8323 5170");
}

TEST(TemplateBuiltinTest, RejectionTellsHowToWriteTheSubject) {
  TemplateValues v;
  v.fields = {{"MAIL_SUBJECT", "Hello"},
              {"REASON", "recipient 1: \"Hello\" is not a fax number"},
              {"FROM", "alice@fax.test"},
              {"DATE_TIME", "2026-11-22 10:00"}};
  const auto en = FindBuiltinTemplate("mail_rejected", "en");
  EXPECT_EQ(RenderTemplate(en->subject, v), "Your mail was not faxed: Hello");
  EXPECT_THAT(RenderTemplate(en->body, v),
              HasSubstr("Reason: recipient 1: \"Hello\" is not a fax number"));
  EXPECT_THAT(en->body, HasSubstr("86-755-83235170/Zhang San; 83235180/Li Si"));
  EXPECT_THAT(FindBuiltinTemplate("mail_rejected", "zh-CN")->body,
              HasSubstr("86-755-83235170/张三; 83235180/李四"));
}

TEST(TemplateBuiltinTest, BodyLinesFitAMailReaderWithoutWrapping) {
  for (const MailTemplate& t : BuiltinTemplates()) {
    for (const std::string& line : Lines(t.body)) {
      EXPECT_LE(DisplayWidth(line), 78u) << t.name << " " << t.language << ": " << line;
    }
  }
}

TEST(TemplateBuiltinTest, OnlyKnownTemplateNamesHavePlaceholders) {
  EXPECT_THAT(KnownPlaceholders("no_such_template"), IsEmpty());
  EXPECT_THAT(KnownPlaceholders("fax_sent"), testing::Contains("RECORDS"));
  EXPECT_THAT(KnownPlaceholders("fax_received"), testing::Contains("ECM"));
  EXPECT_THAT(KnownPlaceholders("mail_rejected"), testing::Contains("REASON"));
}

}  // namespace
}  // namespace faxgate::mail
