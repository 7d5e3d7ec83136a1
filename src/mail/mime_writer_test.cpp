// What faxgate writes must reach every mail client: read back by our own reader, kept within
// the wire rules (CRLF, 998-octet lines, 7-bit for relays without 8BITMIME), Chinese names
// legible to old Outlook too.
#include "mail/mime_writer.h"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mail/delivery_report.h"
#include "mail/mime_reader.h"
#include "mail/mime_test_support.h"

namespace faxgate::mail {
namespace {

using ::testing::AnyOf;
using testing::CheckWire;
using ::testing::Contains;
using ::testing::ElementsAre;
using testing::FileNames;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

std::string Tiff() {
  std::string tiff("II*\0\x08\0\0\0", 8);
  for (int i = 0; i < 6000; ++i) tiff += static_cast<char>(i * 7);
  return tiff;
}

OutgoingMessage ReceivedFax() {
  OutgoingMessage m;
  m.from_name = "传真 +86 10 1234 5678";
  m.from_address = "fax@fax.test";
  m.to = {"alice@fax.test", "bob@fax.test"};
  m.subject = "传真来自 +86 10 1234 5678 至 8008（2 页）";
  m.message_id = "fg-1@fax.test";
  m.extra_headers = {{"X-Faxgate-Job", "fg-1"}, {"Disposition-Notification-To", "<fax@fax.test>"}};
  m.text_body = "您收到一份传真。\n主叫: +86 10 1234 5678\n页数: 2\n";
  m.attachments.push_back(
      {"传真-20261122.tif", "image/tiff", {{"application", "faxbw"}}, Tiff(), "", false});
  m.attachments.push_back(
      {"传真-20261122.pdf", "application/pdf", {}, "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n", "", false});
  return m;
}

ParsedMail ReadBack(const std::string& wire) {
  auto mail = ParseMail(wire);
  EXPECT_TRUE(mail.ok()) << mail.error().message;
  return mail.ok() ? std::move(*mail) : ParsedMail{};
}

TEST(MimeWriterTest, ReceivedFaxReadsBackTheSame) {
  const OutgoingMessage m = ReceivedFax();
  const ParsedMail back = ReadBack(BuildMessage(m));
  EXPECT_EQ(back.subject, m.subject);
  EXPECT_EQ(back.from_name, m.from_name);
  EXPECT_EQ(back.from_address, "fax@fax.test");
  EXPECT_THAT(back.to, ElementsAre("alice@fax.test", "bob@fax.test"));
  EXPECT_EQ(back.message_id, "fg-1@fax.test");
  EXPECT_EQ(back.disposition_notification_to, "fax@fax.test");
  EXPECT_EQ(back.body_text, m.text_body);
  EXPECT_THAT(FileNames(back), ElementsAre("传真-20261122.tif", "传真-20261122.pdf"));
  EXPECT_EQ(back.attachments[0].content_type, "image/tiff");
  EXPECT_EQ(back.attachments[0].bytes, m.attachments[0].bytes);
  EXPECT_EQ(back.attachments[1].bytes, m.attachments[1].bytes);
  EXPECT_FALSE(back.is_report);
}

TEST(MimeWriterTest, HtmlBodyShowsItsInlineImageAndOtherFilesStayAttachments) {
  OutgoingMessage m = ReceivedFax();
  m.html_body = "<p>您收到一份传真。</p><img src=\"cid:page1@fax.test\">";
  m.attachments.insert(m.attachments.begin(),
                       {"page1.png", "image/png", {}, "\x89PNG\r\n", "page1@fax.test", true});
  const std::string wire = BuildMessage(m);

  const size_t mixed = wire.find("multipart/mixed");
  const size_t alternative = wire.find("multipart/alternative");
  const size_t related = wire.find("multipart/related");
  const size_t png = wire.find("Content-Id: <page1@fax.test>");
  const size_t tiff = wire.find("image/tiff");
  ASSERT_NE(png, std::string::npos) << wire;
  EXPECT_LT(mixed, alternative);
  EXPECT_LT(alternative, related);
  EXPECT_LT(related, png);
  EXPECT_LT(png, tiff);  // the picture sits with the HTML, before the attachments
  const ParsedMail back = ReadBack(wire);
  EXPECT_EQ(back.body_text, m.text_body);  // readers take the text version
  EXPECT_THAT(FileNames(back), ElementsAre("传真-20261122.tif", "传真-20261122.pdf"));
}

TEST(MimeWriterTest, SevenBitMessageKeepsTheWireRules) {
  OutgoingMessage m = ReceivedFax();
  m.text_body += std::string(2000, 'x') + "\n";  // a line no relay would take as it is
  const std::string wire = BuildMessage(m, /*seven_bit=*/true);
  EXPECT_THAT(CheckWire(wire, /*seven_bit=*/true).problems, IsEmpty());
  EXPECT_THAT(wire, HasSubstr("image/tiff; application=faxbw"));
  EXPECT_THAT(wire, HasSubstr("X-Faxgate-Job: fg-1\r\n"));
  EXPECT_EQ(ReadBack(wire).body_text, m.text_body);
}

TEST(MimeWriterTest, EightBitMessageSendsTheTextAsItIsWhereLinesAllow) {
  OutgoingMessage m = ReceivedFax();
  const std::string wire = BuildMessage(m, /*seven_bit=*/false);
  EXPECT_THAT(wire, HasSubstr("Content-Transfer-Encoding: 8bit\r\n\r\n您收到一份传真。\r\n"));
  const auto check = CheckWire(wire, /*seven_bit=*/false);
  EXPECT_THAT(check.problems, IsEmpty());
  // Headers stay 7-bit: only the body of the text part has 8-bit octets.
  const size_t headers_end = wire.find("\r\n\r\n");
  EXPECT_TRUE(std::all_of(wire.begin(), wire.begin() + headers_end,
                          [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
  // A line over 998 octets cannot go as 8bit.
  m.text_body = "短\n" + std::string(1500, 'y') + "\n";
  const std::string long_line = BuildMessage(m, /*seven_bit=*/false);
  EXPECT_THAT(CheckWire(long_line, false).problems, IsEmpty());
  EXPECT_EQ(ReadBack(long_line).body_text, m.text_body);
}

TEST(MimeWriterTest, FileNamesGoAsRfc2231AndAsRfc2047ForOldOutlook) {
  OutgoingMessage m = ReceivedFax();
  m.attachments[0].file_name = std::string("传真") + std::string(60, 'a') + "很长的文件名.tif";
  const std::string wire = BuildMessage(m);
  EXPECT_THAT(CheckWire(wire, true).problems, IsEmpty());
  EXPECT_THAT(wire, HasSubstr("filename*0*=UTF-8''%E4%BC%A0%E7%9C%9F"));
  EXPECT_THAT(wire, HasSubstr("name=\"=?UTF-8?b?"));
  EXPECT_EQ(ReadBack(wire).attachments.at(0).file_name, m.attachments[0].file_name);
  // Every header line stays short enough to fold well.
  for (const std::string& line : CheckWire(wire, true).lines) {
    if (line.empty()) break;  // end of the message headers
    EXPECT_LE(line.size(), 78u) << line;
  }
}

TEST(MimeWriterTest, InlineImageWithContentIdAndOneTextPartWithoutAttachments) {
  OutgoingMessage m = ReceivedFax();
  m.attachments = {{"logo.png", "image/png", {}, "\x89PNG", "<logo@fax.test>", true}};
  const std::string wire = BuildMessage(m);
  EXPECT_THAT(wire, HasSubstr("Content-Disposition: inline; filename=logo.png\r\n"));
  EXPECT_THAT(wire, HasSubstr("Content-Id: <logo@fax.test>\r\n"));
  m.attachments.clear();
  const std::string plain = BuildMessage(m);
  EXPECT_THAT(plain, Not(HasSubstr("multipart")));
  EXPECT_THAT(plain, HasSubstr("Content-Type: text/plain; charset=utf-8\r\n"));
  EXPECT_EQ(ReadBack(plain).body_text, m.text_body);
}

TEST(MimeWriterTest, HeaderValuesCannotInjectHeadersOrStructure) {
  OutgoingMessage m = ReceivedFax();
  m.subject = "Fax\r\nBcc: victim@example.test";
  m.from_name = "Eve\nX-Evil: 1";
  m.extra_headers = {{"X-Note", "a\r\n\r\nbody"},
                     {"Content-Type", "text/html"},
                     {"Bad Name", "x"},
                     {"Auto-Submitted", "auto-generated"}};
  const std::string wire = BuildMessage(m);
  const auto lines = CheckWire(wire, true).lines;
  EXPECT_THAT(lines, Not(Contains(StartsWith("Bcc:"))));
  EXPECT_THAT(lines, Not(Contains(StartsWith("X-Evil:"))));
  EXPECT_THAT(lines, Not(Contains(StartsWith("Bad Name"))));
  EXPECT_THAT(lines, Contains("X-Note: a body"));
  EXPECT_THAT(lines, Contains("Auto-Submitted: auto-generated"));
  const ParsedMail back = ReadBack(wire);
  EXPECT_EQ(back.subject, "Fax Bcc: victim@example.test");
  EXPECT_EQ(back.attachments.size(), 2u);  // still multipart/mixed
}

TEST(MimeWriterTest, DateAndIdsAsGivenOrMadeUp) {
  OutgoingMessage m = ReceivedFax();
  m.date = "Sun, 22 Nov 2026 10:00:00 +0800";
  m.in_reply_to = "<orig@example.test>";
  m.references = "<a@example.test> <orig@example.test>";
  ParsedMail back = ReadBack(BuildMessage(m));
  EXPECT_EQ(back.date, m.date);
  EXPECT_EQ(back.in_reply_to, "orig@example.test");
  EXPECT_EQ(back.references, m.references);
  m.message_id.clear();
  m.date.clear();
  back = ReadBack(BuildMessage(m));
  EXPECT_THAT(back.message_id, ::testing::EndsWith("@fax.test"));
  EXPECT_FALSE(back.date.empty());
}

TEST(MimeWriterTest, TextLineEndsAndBadUtf8AreMadeRight) {
  OutgoingMessage m = ReceivedFax();
  m.text_body = "one\r\ntwo\rthree\n\xFF\n";
  const ParsedMail back = ReadBack(BuildMessage(m, /*seven_bit=*/false));
  EXPECT_EQ(back.body_text, "one\ntwo\nthree\n\xEF\xBF\xBD\n");
}

TEST(MimeWriterTest, ReadReceiptIsAnMdnOurReportReaderUnderstands) {
  OutgoingMessage envelope;
  envelope.from_address = "fax@fax.test";
  envelope.to = {"bob@example.test"};
  envelope.message_id = "fg-mdn-1@fax.test";
  envelope.extra_headers = {{"X-Faxgate-Job", "fg-mdn-1"}};
  envelope.attachments.push_back({"x.pdf", "application/pdf", {}, "%PDF", "", false});
  MdnRequest request{"fax.test; faxgate", "FAX=+861012345678@fax.test", "<orig-7@example.test>",
                     "processed", "Your fax to +86 10 1234 5678 has been sent (2 pages).\n"};
  const OutgoingMessage mdn = BuildMdn(envelope, request);
  EXPECT_TRUE(mdn.attachments.empty());
  const std::string wire = BuildMessage(mdn);
  EXPECT_THAT(CheckWire(wire, true).problems, IsEmpty());
  EXPECT_THAT(wire, HasSubstr("report-type=disposition-notification"));
  EXPECT_THAT(wire, HasSubstr("Content-Type: message/disposition-notification\r\n"));

  const auto report = ReadDeliveryReport(wire);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->kind, DeliveryReport::Kind::kDisposition);
  EXPECT_EQ(report->disposition, "automatic-action/MDN-sent-automatically; processed");
  EXPECT_EQ(report->original_message_id, "orig-7@example.test");
  ASSERT_EQ(report->recipients.size(), 1u);
  EXPECT_EQ(report->recipients[0].final_recipient, "FAX=+861012345678@fax.test");
  EXPECT_EQ(report->recipients[0].action, "processed");

  const ParsedMail back = ReadBack(wire);
  EXPECT_TRUE(back.is_report);  // Auto-Submitted and multipart/report: nobody answers it
  EXPECT_EQ(back.in_reply_to, "orig-7@example.test");
  EXPECT_EQ(back.body_text, request.human_text);
  EXPECT_THAT(back.subject, HasSubstr("processed"));

  request.disposition_type = "exploded";  // not a disposition type: reported as failed
  EXPECT_THAT(BuildMessage(BuildMdn(envelope, request)),
              HasSubstr("MDN-sent-automatically; failed"));
}

}  // namespace
}  // namespace faxgate::mail
