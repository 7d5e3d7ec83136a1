// MIME as mail clients really write it, and as we write it: Chinese subjects and file names in
// GB2312 (read as GB18030), nested multiparts, broken structure, thousands of parts, reports.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mail/delivery_report.h"
#include "mail/mime_reader.h"
#include "mail/mime_writer.h"

namespace faxgate::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Sample(const std::string& name) {
  const char* source = std::getenv("FAXGATE_SOURCE_DIR");
  std::filesystem::path dir = source ? std::filesystem::path(source) / "src/mail/testdata"
                                     : std::filesystem::path("src/mail/testdata");
  std::ifstream in(dir / name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Names(const ParsedMail& m) {
  std::vector<std::string> out;
  for (const auto& a : m.attachments) out.push_back(a.file_name);
  return out;
}

TEST(MimeReaderTest, ChineseMailFromAChineseClient) {
  auto m = ParseMail(Sample("in1.eml"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->subject, "86-10-12345678/张三; 010-87654321/李四");
  EXPECT_EQ(m->from_name, "张三");
  EXPECT_EQ(m->from_address, "zhangsan@fax.test");
  EXPECT_EQ(m->message_id, "in1@fax.test");
  EXPECT_THAT(m->body_text, HasSubstr("请传真附件。"));
  // RFC 2231 in GB2312, and Outlook's encoded word in a quoted name holding 喆 (GBK only).
  EXPECT_THAT(Names(*m), ElementsAre("合同.pdf", "王喆.pdf"));
  EXPECT_EQ(m->attachments[0].bytes.substr(0, 5), "%PDF-");
  EXPECT_FALSE(m->is_report);
}

TEST(MimeReaderTest, NestedAlternativeWithInlineLogoKeepsOnlyTheRealAttachment) {
  const std::string raw =
      "From: a@b.test\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=OUT\r\n\r\n"
      "--OUT\r\nContent-Type: multipart/related; boundary=REL\r\n\r\n"
      "--REL\r\nContent-Type: multipart/alternative; boundary=ALT\r\n\r\n"
      "--ALT\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain text\r\n-- \r\nSignature\r\n"
      "--ALT\r\nContent-Type: text/html\r\n\r\n<p>Html <img src=\"cid:logo1\"></p>\r\n"
      "--ALT--\r\n"
      "--REL\r\nContent-Type: image/png\r\nContent-ID: <logo1>\r\nContent-Transfer-Encoding: "
      "base64\r\n\r\niVBORw0KGgo=\r\n"
      "--REL--\r\n"
      "--OUT\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Disposition: attachment; "
      "filename=a.pdf\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--OUT--\r\n";
  auto m = ParseMail(raw);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->body_text, "Plain text\n");  // signature removed
  EXPECT_THAT(Names(*m), ElementsAre("a.pdf"));
}

TEST(MimeReaderTest, MissingClosingBoundaryStillGivesThePartsThere) {
  const std::string raw =
      "From: a@b.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
      "--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
      "--B\r\nContent-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; "
      "filename=notes.txt\r\n\r\nnotes\r\n";
  auto m = ParseMail(raw);
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(m->body_text, HasSubstr("hello"));
  ASSERT_EQ(m->attachments.size(), 1u);
  EXPECT_EQ(m->attachments[0].file_name, "notes.txt");
}

TEST(MimeReaderTest, WrongAndMissingCharsetsAreReadAsWellAsPossible) {
  // Labelled GB2312 but holding GBK-only 喆 (0x86B4); an unknown label; undeclared 8-bit GB18030.
  const std::string gbk = "Content-Type: text/plain; charset=gb2312\r\n\r\n\xCD\xF5\x86\xB4\r\n";
  auto m = ParseMail("From: a@b.test\r\nMIME-Version: 1.0\r\n" + gbk);
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(m->body_text, HasSubstr("王喆"));
  auto unknown =
      ParseMail("From: a@b.test\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\nhi\r\n");
  ASSERT_TRUE(unknown.ok());
  EXPECT_THAT(unknown->body_text, HasSubstr("hi"));
  auto raw8 = ParseMail("From: a@b.test\r\nSubject: \xB4\xAB\xD5\xE6\r\n\r\nx\r\n");
  ASSERT_TRUE(raw8.ok());
  EXPECT_EQ(raw8->subject, "传真");
  auto big5 = ParseMail(
      "From: a@b.test\r\nContent-Type: text/plain; charset=big5\r\n\r\n\xB6\xC7\xAF\x75\r\n");
  ASSERT_TRUE(big5.ok());
  EXPECT_THAT(big5->body_text, HasSubstr("傳真"));
}

TEST(MimeReaderTest, HtmlAndEnrichedBodiesBecomePlainText) {
  auto html = ParseMail(
      "From: a@b.test\r\nContent-Type: text/html\r\n\r\n<html><head><style>p{}</style></head>"
      "<body><p>Dear&nbsp;Sir &amp; Madam</p>Line 2<br>Line 3</body></html>\r\n");
  ASSERT_TRUE(html.ok());
  EXPECT_THAT(html->body_text, HasSubstr("Dear Sir & Madam\nLine 2\nLine 3"));
  auto enriched =
      ParseMail("From: a@b.test\r\nContent-Type: text/enriched\r\n\r\n<bold>Hi</bold> <<there\r\n");
  ASSERT_TRUE(enriched.ok());
  EXPECT_THAT(enriched->body_text, HasSubstr("Hi <there"));
}

TEST(MimeReaderTest, TenThousandAttachmentsAreRead) {
  std::string raw =
      "From: a@b.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n";
  for (int i = 0; i < 10000; ++i) {
    raw += fmt::format(
        "--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: "
        "attachment; filename=f{}.bin\r\n\r\n{}\r\n",
        i, i);
  }
  raw += "--B--\r\n";
  auto m = ParseMail(raw);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->attachments.size(), 10000u);
  EXPECT_EQ(m->attachments[9999].file_name, "f9999.bin");
  MimeLimits tight;
  tight.max_parts = 100;
  EXPECT_THAT(ParseMail(raw, tight).error().message, HasSubstr("more than 100 parts"));
}

TEST(MimeReaderTest, AutomaticMailIsMarkedSoItIsNeverAnswered) {
  EXPECT_TRUE(ParseMail("From: a@b.test\r\nAuto-Submitted: auto-replied\r\n\r\nx\r\n")->is_report);
  EXPECT_TRUE(ParseMail("Return-Path: <>\r\nFrom: a@b.test\r\n\r\nx\r\n")->is_report);
  EXPECT_TRUE(ParseMail(Sample("dsn-failure.eml"))->is_report);
}

TEST(MimeWriterTest, WhatWeWriteReadsBackTheSameAndIsSevenBitWithCrlf) {
  OutgoingMessage m;
  m.from_name = "传真服务器";
  m.from_address = "fax@fax.test";
  m.to = {"alice@fax.test"};
  m.subject = "传真来自 +86 10 1234 5678（2 页）";
  m.message_id = "fg-1@fax.test";
  m.text_body = "您收到一份传真。\nPages: 2\n";
  m.extra_headers = {{"X-Faxgate-Job", "fg-1"}};
  std::string tiff("II*\0\x08\0\0\0", 8);
  tiff += std::string(5000, '\xff');
  m.attachments.push_back(
      {"传真-1.tif", "image/tiff", {{"application", "faxbw"}}, tiff, "", false});
  const std::string wire = BuildMessage(m);
  for (size_t i = 0; i < wire.size(); ++i) {
    ASSERT_LT(static_cast<unsigned char>(wire[i]), 0x80) << "8-bit byte at " << i;
    if (wire[i] == '\n') {
      ASSERT_EQ(wire[i - 1], '\r') << "bare LF at " << i;
    }
  }
  EXPECT_THAT(wire, HasSubstr("application=faxbw"));
  auto back = ParseMail(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->subject, m.subject);
  EXPECT_EQ(back->from_name, m.from_name);
  EXPECT_EQ(back->message_id, "fg-1@fax.test");
  EXPECT_THAT(back->body_text, HasSubstr("您收到一份传真。"));
  ASSERT_EQ(back->attachments.size(), 1u);
  EXPECT_EQ(back->attachments[0].file_name, "传真-1.tif");
  EXPECT_EQ(back->attachments[0].bytes, tiff);
}

TEST(DeliveryReportTest, PostfixFailureReportNamesEnvelopeRecipientAndReason) {
  auto r = ReadDeliveryReport(Sample("dsn-failure.eml"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->envelope_id, "job-4711");
  ASSERT_FALSE(r->recipients.empty());
  const ReportRecipient& failed = r->recipients.back();
  EXPECT_EQ(failed.action, "failed");
  EXPECT_EQ(failed.status, "5.1.1");
  EXPECT_THAT(failed.diagnostic, HasSubstr("User doesn't exist"));  // folded over two lines
  EXPECT_FALSE(r->original_message_id.empty());
}

TEST(DeliveryReportTest, SuccessReportAndTheLibcurlDefectAreReadAsWritten) {
  auto ok = ReadDeliveryReport(Sample("dsn-success.eml"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->recipients.at(0).action, "relayed");
  // libcurl appends a stray '>' to ENVID: kept as written, so it matches nothing of ours.
  auto defect = ReadDeliveryReport(Sample("dsn-failure-libcurl-defect.eml"));
  ASSERT_TRUE(defect);
  EXPECT_EQ(defect->envelope_id, "job-4711>");
  EXPECT_FALSE(ReadDeliveryReport(Sample("in1.eml")));
}

}  // namespace
}  // namespace faxgate::mail
