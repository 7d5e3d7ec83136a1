// Notification templates: placeholders filled, typos left visible, and the attempt table
// aligned for Chinese as a monospaced mail reader shows it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mail/template_renderer.h"

namespace faxgate::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TemplateValues GotoneValues() {
  TemplateValues v;
  v.fields = {{"SUBJECT", "季度报告"},
              {"TO", "+86 755 8323 5170 (张三)"},
              {"FROM", "alice@fax.test"},
              {"MAIL_SUBJECT", "86-755-83235170/张三"},
              {"DATE_TIME", "2026-11-22 10:00"}};
  v.records_header_and_rows = {{"#", "Result"}, {"1", "busy"}};
  return v;
}

TEST(TemplateRendererTest, GotonePlaceholdersAreFilled) {
  EXPECT_EQ(RenderTemplate("{$SUBJECT} to {$TO} from {$FROM} ({$MAIL_SUBJECT}) at {$DATE_TIME}\n"
                           "{$RECORDS}",
                           GotoneValues()),
            "季度报告 to +86 755 8323 5170 (张三) from alice@fax.test (86-755-83235170/张三) at "
            "2026-11-22 10:00\n"
            "#  Result\n"
            "---------\n"
            "1  busy\n");
}

TEST(TemplateRendererTest, TyposStayVisibleInTheTextAndAreReported) {
  const char* text = "Dear {$TO}, {$SUBJCT} {$Dat_Time} {$SUBJCT}";
  EXPECT_EQ(RenderTemplate(text, GotoneValues()),
            "Dear +86 755 8323 5170 (张三), {$SUBJCT} {$Dat_Time} {$SUBJCT}");
  EXPECT_THAT(UnknownPlaceholders(text, {"TO", "SUBJECT", "DATE_TIME"}),
              ElementsAre("SUBJCT", "Dat_Time"));
  EXPECT_THAT(UnknownPlaceholders(text, {"TO", "SUBJCT", "DAT_TIME"}), IsEmpty());
}

TEST(TemplateRendererTest, PlaceholderNamesIgnoreCase) {
  EXPECT_EQ(RenderTemplate("{$subject} / {$Subject}", GotoneValues()), "季度报告 / 季度报告");
  EXPECT_THAT(UnknownPlaceholders("{$to}", {"TO"}), IsEmpty());
}

TEST(TemplateRendererTest, ValuesAreInsertedOnceAndNeverExpandedAgain) {
  TemplateValues v;
  v.fields = {{"SUBJECT", "{$TO} {$RECORDS}"}, {"TO", "x"}};
  v.records_header_and_rows = {{"#"}, {"1"}};
  EXPECT_EQ(RenderTemplate("[{$SUBJECT}]", v), "[{$TO} {$RECORDS}]");
}

TEST(TemplateRendererTest, BracesThatAreNoPlaceholderAreLeftAlone) {
  TemplateValues v;
  v.fields = {{"TO", "x"}};
  EXPECT_EQ(RenderTemplate("{$ {$} {$TO {$ TO} {$T-O} {{$TO}} $TO {TO} {$TO", v),
            "{$ {$} {$TO {$ TO} {$T-O} {x} $TO {TO} {$TO");
  EXPECT_EQ(RenderTemplate("", v), "");
  EXPECT_THAT(UnknownPlaceholders("{$ TO} {$T-O} {$", {}), IsEmpty());
}

TEST(TemplateRendererTest, RecordsTableAlignsChineseWithLatinColumns) {
  TemplateValues v;
  v.records_header_and_rows = {{"次数", "时间", "结果", "页数"},
                               {"1", "10:00", "对方忙", "0/3"},
                               {"2", "10:05", "ok", "3/3"}};
  // Every column starts at the same display column on every line.
  EXPECT_EQ(RenderTemplate("{$RECORDS}", v),
            "次数  时间   结果    页数\n"
            "-------------------------\n"
            "1     10:00  对方忙  0/3\n"
            "2     10:05  ok      3/3\n");
}

TEST(TemplateRendererTest, RecordsWithoutRowsRenderAsNothing) {
  EXPECT_EQ(RenderTemplate("Attempts:\n{$RECORDS}end", TemplateValues{}), "Attempts:\nend");
}

TEST(TemplateRendererTest, RecordCellsStayOnTheirLineAndShortRowsArePadded) {
  TemplateValues v;
  v.records_header_and_rows = {{"#", "Reason"}, {"1", "SIP 486\r\nBusy\there"}, {"2"}};
  EXPECT_EQ(RenderTemplate("{$RECORDS}", v),
            "#  Reason\n"
            "---------------------\n"
            "1  SIP 486  Busy here\n"
            "2\n");
}

TEST(TemplateRendererTest, DisplayWidthCountsWideCharactersTwiceAndMarksNotAtAll) {
  EXPECT_EQ(DisplayWidth("fax"), 3u);
  EXPECT_EQ(DisplayWidth("传真ab"), 6u);
  EXPECT_EQ(DisplayWidth("ｆａｘ"), 6u);      // full-width Latin
  EXPECT_EQ(DisplayWidth("한국"), 4u);        // Hangul
  EXPECT_EQ(DisplayWidth("ファクス"), 8u);    // Katakana
  EXPECT_EQ(DisplayWidth("\U0001F4E0"), 2u);  // fax machine emoji
  EXPECT_EQ(DisplayWidth("e\u0301"), 1u);     // e + combining acute
  EXPECT_EQ(DisplayWidth("\u200Bx"), 1u);     // zero-width space
  EXPECT_EQ(DisplayWidth("\xFF\xFEx"), 3u);   // broken bytes still advance, one column each
  EXPECT_EQ(DisplayWidth(""), 0u);
}

}  // namespace
}  // namespace faxgate::mail
