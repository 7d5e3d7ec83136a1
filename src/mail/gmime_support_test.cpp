// The GMime helpers every mail reader relies on: the charset rules of reference/mail.md §6.2
// and the part count checked before GMime builds anything.
#include "mail/gmime_support.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faxgate::mail {
namespace {

TEST(MimeCharsetTest, ChineseLabelsMapToTheirSupersets) {
  for (const char* gb : {"gb2312", "GB2312", "gb_2312-80", "EUC-CN", "x-gbk", "GBK", "cp936",
                         "\"gb2312\"", "GB18030"}) {
    EXPECT_EQ(gmime::IconvCharset(gb), "GB18030") << gb;
  }
  EXPECT_EQ(gmime::IconvCharset("big5"), "BIG5-HKSCS");
  EXPECT_EQ(gmime::IconvCharset("Big5-HKSCS"), "BIG5-HKSCS");
  EXPECT_EQ(gmime::IconvCharset("UTF-8"), "UTF-8");
  EXPECT_EQ(gmime::IconvCharset(""), "");
}

TEST(MimeCharsetTest, TextIsAlwaysValidUtf8) {
  EXPECT_EQ(gmime::ToUtf8("\xCD\xF5\x86\xB4", "gb2312"), "王喆");
  EXPECT_EQ(gmime::ToUtf8("\x95\x34\xB2\x35", "GB2312"), "𠮷");
  EXPECT_EQ(gmime::ToUtf8("\x1B$B%U%!%C%/%9\x1B(B", "iso-2022-jp"), "ファックス");
  EXPECT_EQ(gmime::ToUtf8(std::string("a\0b", 3), "utf-8"), "ab");
  EXPECT_EQ(gmime::ToUtf8("caf\xE9", "latin1"), "café");
  // Neither the label, UTF-8 nor GB18030 reads it: the label's reading, marked where it fails.
  EXPECT_EQ(gmime::ToUtf8("\xB4\xAB\xFF", "gb2312"), "传\xEF\xBF\xBD");
  EXPECT_EQ(gmime::ToUtf8("\xB4", "x-unknown"), "\xEF\xBF\xBD");
}

TEST(MimeCharsetTest, Gb2312LabelsInHeadersAreRelabelled) {
  EXPECT_EQ(gmime::WithGb18030Labels("=?GB2312?B?lTSyNQ==?= x =?utf-8?Q?a?="),
            "=?gb18030?B?lTSyNQ==?= x =?utf-8?Q?a?=");
  EXPECT_EQ(gmime::WithGb18030Labels("attachment; filename*0*=gb2312'zh'%95%34; filename*1=.pdf"),
            "attachment; filename*0*=gb18030'zh'%95%34; filename*1=.pdf");
  EXPECT_EQ(gmime::WithGb18030Labels("=?gbk*zh?Q?x?="), "=?gb18030*zh?Q?x?=");
  EXPECT_EQ(gmime::WithGb18030Labels("plain =? text"), "plain =? text");
}

TEST(MimeSupportTest, BoundaryLinesCountOnlyDeclaredBoundaries) {
  const std::string mail =
      "Content-Type: multipart/mixed;\r\n boundary=\"outer b\"\r\n\r\n"
      "--outer b\r\nContent-Type: multipart/alternative; boundary=in\r\n\r\n"
      "--in\r\n\r\n-----Original Message-----\r\n-- \r\n--in--  \r\n"
      "--outer b\r\n\r\n--outer bx\r\n--outer b--\r\n";
  EXPECT_EQ(gmime::BoundaryLineCount(mail, 100), 8u);  // few: every "--" line, quickly
  EXPECT_EQ(gmime::BoundaryLineCount(mail, 4), 5u);    // many: only the boundaries
  // Boundaries written the RFC 2231 way are not read: every "--" line counts then.
  EXPECT_EQ(gmime::BoundaryLineCount("boundary*0=a\n--a\n--b\n--c\n", 1), 3u);
}

TEST(MimeSupportTest, ParseMessageRefusesBeforeParsing) {
  MimeLimits limits;
  limits.max_parts = 2;
  std::string raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
  for (int i = 0; i < 3; ++i) raw += "--b\r\n\r\n-- signature-like\r\n";
  EXPECT_EQ(gmime::ParseMessage(raw, limits).error().message, "the message has more than 2 parts");
  limits.max_parts = 3;
  auto parsed = gmime::ParseMessage(raw, limits);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
}

}  // namespace
}  // namespace faxgate::mail
