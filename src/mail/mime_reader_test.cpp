// Mail as clients really write it: Chinese subjects and file names in GB2312 that hold GBK and
// GB18030 characters, nested multiparts, broken structure, wrong charsets, HTML-only and
// text/enriched bodies, thousands of parts.
#include "mail/mime_reader.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mail/mime_test_support.h"

namespace faxgate::mail {
namespace {

using testing::Crlf;
using ::testing::ElementsAre;
using testing::FileNames;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::Testdata;

ParsedMail Parse(const std::string& raw) {
  auto mail = ParseMail(raw);
  EXPECT_TRUE(mail.ok()) << mail.error().message;
  return mail.ok() ? std::move(*mail) : ParsedMail{};
}

TEST(MimeReaderTest, ChineseClientMailGivesSubjectNamesAndTextInUtf8) {
  const ParsedMail m = Parse(Testdata("in1.eml"));
  EXPECT_EQ(m.subject, "86-10-12345678/张三; 010-87654321/李四");
  EXPECT_EQ(m.from_name, "张三");
  EXPECT_EQ(m.from_address, "zhangsan@fax.test");
  EXPECT_THAT(m.to, ElementsAre("fax@fax.test"));
  EXPECT_EQ(m.message_id, "in1@fax.test");
  EXPECT_EQ(m.date, "Sun, 22 Nov 2026 10:00:00 +0800");
  EXPECT_EQ(m.body_text, "请传真附件。\n谢谢！\n");  // GB2312 quoted-printable
  // RFC 2231 in GB2312, and Outlook's encoded word in a quoted name holding 喆 (GBK only).
  EXPECT_THAT(FileNames(m), ElementsAre("合同.pdf", "王喆.pdf"));
  EXPECT_EQ(m.attachments[0].content_type, "application/pdf");
  EXPECT_EQ(m.attachments[0].bytes, "%PDF-1.4\n%fake pdf for test\n");
  EXPECT_FALSE(m.is_report);
}

TEST(MimeReaderTest, CrlfAndLfInputReadTheSame) {
  const std::string crlf = Testdata("in1.eml");
  std::string lf;
  for (char c : crlf) {
    if (c != '\r') lf += c;
  }
  ASSERT_NE(lf, crlf);
  const ParsedMail a = Parse(crlf);
  const ParsedMail b = Parse(lf);
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_EQ(a.body_text, b.body_text);
  EXPECT_EQ(FileNames(a), FileNames(b));
  EXPECT_EQ(b.attachments.at(1).bytes, a.attachments.at(1).bytes);
}

TEST(MimeReaderTest, Gb2312LabelsAreReadAsGb18030EvenForFourByteCharacters) {
  // 𠮷 is 0x9534B235 in GB18030: neither GB2312 nor GBK has it.
  const ParsedMail m =
      Parse(Crlf("From: =?gb2312?B?zfWGtA==?= <wz@Example.TEST>\n"
                 "Subject: =?GB2312?B?lTSyNQ==?= =?gb2312?Q?=CD=F5=86=B4?=\n"
                 "MIME-Version: 1.0\n"
                 "Content-Type: multipart/mixed; boundary=b\n\n"
                 "--b\n"
                 "Content-Type: text/plain; charset=gb2312\n"
                 "Content-Transfer-Encoding: base64\n\n"
                 "lTSyNQ==\n"
                 "--b\n"
                 "Content-Type: application/pdf; name=\"=?gb2312?B?lTSyNS5wZGY=?=\"\n\n"
                 "%PDF\n"
                 "--b\n"
                 "Content-Type: application/pdf\n"
                 "Content-Disposition: attachment; filename*=gb2312'zh'%95%34%B2%35.pdf\n\n"
                 "%PDF\n"
                 "--b--\n"));
  EXPECT_EQ(m.subject, "𠮷王喆");
  EXPECT_EQ(m.from_name, "王喆");
  EXPECT_EQ(m.from_address, "wz@example.test");
  EXPECT_EQ(m.body_text, "𠮷\n");
  EXPECT_THAT(FileNames(m), ElementsAre("𠮷.pdf", "𠮷.pdf"));
}

TEST(MimeReaderTest, UndeclaredEightBitSubjectInGb18030IsDecoded) {
  const ParsedMail m = Parse("From: a@b.test\r\nSubject: \xB4\xAB\xD5\xE6 10\r\n\r\nx\r\n");
  EXPECT_EQ(m.subject, "传真 10");
  const ParsedMail utf8 = Parse("From: a@b.test\r\nSubject: 传真 10\r\n\r\nx\r\n");
  EXPECT_EQ(utf8.subject, "传真 10");
}

TEST(MimeReaderTest, NestedMixedAlternativeRelatedSkipsTheLogoAndKeepsTheDocument) {
  const ParsedMail m =
      Parse(Crlf("From: a@b.test\nSubject: x\nMIME-Version: 1.0\n"
                 "Content-Type: multipart/mixed; boundary=MIX\n\n"
                 "--MIX\nContent-Type: multipart/alternative; boundary=ALT\n\n"
                 "--ALT\nContent-Type: text/plain; charset=utf-8\n\n"
                 "Please fax this.\n-- \nAlice, Example Ltd.\n"
                 "--ALT\nContent-Type: multipart/related; boundary=REL\n\n"
                 "--REL\nContent-Type: text/html; charset=utf-8\n\n"
                 "<p>Please fax this.</p><img src=\"cid:Logo1@example\">\n"
                 "--REL\nContent-Type: image/png; name=logo.png\nContent-ID: <logo1@example>\n"
                 "Content-Disposition: inline; filename=logo.png\n"
                 "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
                 "--REL--\n"
                 "--ALT--\n"
                 "--MIX\nContent-Type: application/pdf; name=a.pdf\n"
                 "Content-Disposition: attachment; filename=a.pdf\n"
                 "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
                 "--MIX\nContent-Type: image/jpeg; name=photo.jpg\nContent-ID: <photo@example>\n"
                 "Content-Transfer-Encoding: base64\n\n/9j/4A==\n"
                 "--MIX--\n"));
  EXPECT_EQ(m.body_text, "Please fax this.\n");  // the plain alternative, signature removed
  // The logo is only shown by the HTML; the photo has a Content-ID that nothing refers to.
  EXPECT_THAT(FileNames(m), ElementsAre("a.pdf", "photo.jpg"));
  EXPECT_EQ(m.attachments[0].bytes, "%PDF-1.4\n");
}

TEST(MimeReaderTest, MissingClosingBoundaryStillGivesThePartsThere) {
  const ParsedMail m = Parse(
      Crlf("From: a@b.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
           "--B\nContent-Type: text/plain\n\nhello\n"
           "--B\nContent-Type: application/pdf; name=cut.pdf\nContent-Transfer-Encoding: base64\n\n"
           "JVBERi0xLjQKJWZha2UgcGRm"));  // and the base64 ends mid-way
  EXPECT_EQ(m.body_text, "hello\n");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].file_name, "cut.pdf");
  EXPECT_THAT(m.attachments[0].bytes, ::testing::StartsWith("%PDF-1.4\n%fake"));
}

TEST(MimeReaderTest, WrongAndUnknownCharsetLabelsAreReadAsWellAsPossible) {
  auto body = [](const std::string& charset, const std::string& bytes) {
    return Parse("From: a@b.test\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=" +
                 charset + "\r\n\r\n" + bytes + "\r\n")
        .body_text;
  };
  EXPECT_EQ(body("gb2312", "\xCD\xF5\x86\xB4"), "王喆\n");      // GBK-only under a GB2312 label
  EXPECT_EQ(body("x-nonsense", "\xB4\xAB\xD5\xE6"), "传真\n");  // unknown label, GB18030 text
  EXPECT_EQ(body("x-nonsense", "hi"), "hi\n");
  EXPECT_EQ(body("utf-8", "\xB4\xAB\xD5\xE6"), "传真\n");  // labelled UTF-8, is not
  EXPECT_EQ(body("us-ascii", "传真"), "传真\n");           // labelled ASCII, is UTF-8
  EXPECT_EQ(body("iso-8859-1", "caf\xE9"), "café\n");
  EXPECT_EQ(body("utf-8", "ok \xFF\xFE end"), "ok \xEF\xBF\xBD\xEF\xBF\xBD end\n");
}

TEST(MimeReaderTest, Big5BodyFromTaiwanAndHongKong) {
  EXPECT_EQ(Parse("From: a@b.test\r\nContent-Type: text/plain; charset=big5\r\n\r\n"
                  "\xB6\xC7\xAF\x75\r\n")
                .body_text,
            "傳真\n");
  // 0x8862 is a Hong Kong (HKSCS) character that plain Big5 lacks.
  EXPECT_EQ(Parse("From: a@b.test\r\nContent-Type: text/plain; charset=Big5-HKSCS\r\n\r\n"
                  "\x88\x62\r\n")
                .body_text,
            "Ê̄\n");
}

TEST(MimeReaderTest, HtmlOnlyBodyBecomesPlainText) {
  const ParsedMail m = Parse(
      Crlf("From: a@b.test\nContent-Type: text/html; charset=utf-8\n\n"
           "<html><head><title>t</title><style>p {color: red}</style></head>\n"
           "<body><p>Dear&nbsp;Sir &amp; Madam,</p>\n<p>please fax\n   page&nbsp;2 &lt;only&gt;"
           "<br>to +86&#8209;10 &#x4F20;&#30495;</p></body></html>\n"));
  EXPECT_EQ(m.body_text, "Dear Sir & Madam,\nplease fax page 2 <only>\nto +86‑10 传真\n");
}

TEST(MimeReaderTest, EmptyPlainAlternativeFallsBackToTheHtml) {
  const ParsedMail m =
      Parse(Crlf("From: a@b.test\nContent-Type: multipart/alternative; boundary=A\n\n"
                 "--A\nContent-Type: text/plain\n\n\n"
                 "--A\nContent-Type: text/html\n\n<div>Only here</div>\n--A--\n"));
  EXPECT_EQ(m.body_text, "Only here\n");
}

TEST(MimeReaderTest, EnrichedBodyBecomesPlainText) {
  const ParsedMail m =
      Parse(Crlf("From: a@b.test\nContent-Type: text/enriched\n\n"
                 "<bold>Fax</bold> this to\n<color><param>red</param>Bob</color> <<now>.\n\n"
                 "<nofill>line 1\nline 2</nofill>\n"));
  EXPECT_EQ(m.body_text, "Fax this to Bob <now>.\nline 1\nline 2\n");
}

TEST(MimeReaderTest, UuencodedAttachmentIsDecoded) {
  const ParsedMail m =
      Parse(Crlf("From: a@b.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
                 "--B\nContent-Type: text/plain\n\nsee file\n"
                 "--B\nContent-Type: application/octet-stream; name=a.bin\n"
                 "Content-Transfer-Encoding: x-uuencode\n\n"
                 "begin 644 a.bin\n#86)C\n`\nend\n"
                 "--B--\n"));
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].file_name, "a.bin");
  EXPECT_EQ(m.attachments[0].bytes, "abc");
}

TEST(MimeReaderTest, TextFilesAreAttachmentsAndBodyTextIsNot) {
  const ParsedMail m =
      Parse(Crlf("From: a@b.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
                 "--B\nContent-Type: text/plain\n\nPart one.\n"
                 "--B\nContent-Type: text/plain; name=notes.txt\n\nnotes\n"
                 "--B\nContent-Type: text/csv\n\na,b\n"
                 "--B\nContent-Type: text/plain\nContent-Disposition: inline\n\nPart two.\n"
                 "--B\nContent-Type: application/pdf\nContent-Disposition: attachment;"
                 " filename=\"C:\\\\Users\\\\bob\\\\..\\\\report.pdf\"\n\n%PDF\n"
                 "--B--\n"));
  // Clients split a body around inline pictures: the pieces are joined.
  EXPECT_EQ(m.body_text, "Part one.\nPart two.\n");
  EXPECT_THAT(FileNames(m), ElementsAre("notes.txt", "", "report.pdf"));
  EXPECT_EQ(m.attachments[0].bytes, "notes");  // the CRLF before a boundary is the boundary's
  EXPECT_EQ(m.attachments[1].content_type, "text/csv");
}

TEST(MimeReaderTest, ForwardedMessageAttachmentsAreRead) {
  const ParsedMail m =
      Parse(Crlf("From: a@b.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=O\n\n"
                 "--O\nContent-Type: text/plain\n\nForwarding.\n"
                 "--O\nContent-Type: message/rfc822\n\n"
                 "From: c@d.test\nSubject: contract\nContent-Type: multipart/mixed; boundary=I\n\n"
                 "--I\nContent-Type: text/plain\n\nOriginal text.\n"
                 "--I\nContent-Type: application/pdf; name=contract.pdf\n\n%PDF\n--I--\n"
                 "--O--\n"));
  EXPECT_EQ(m.body_text, "Forwarding.\nOriginal text.\n");
  EXPECT_THAT(FileNames(m), ElementsAre("contract.pdf"));
}

TEST(MimeReaderTest, HeadersForRepliesAndSenderChecks) {
  const ParsedMail m =
      Parse(Crlf("Return-Path: <Bounce@Example.test>\n"
                 "Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=example.test\n"
                 "Authentication-Results: mx.example.test;\n dkim=pass header.d=example.test\n"
                 "From: \"Bob\" <Bob@Example.TEST>\n"
                 "Reply-To: Office <office@Example.test>\n"
                 "To: FAX=+861012345678@fax.test, team: x@fax.test, y@Fax.Test;\n"
                 "In-Reply-To: <fg-7@fax.test> (our result)\n"
                 "References: <a@x.test>\n <fg-7@fax.test>\n"
                 "Disposition-Notification-To: \"Bob\" <bob@example.test>\n"
                 "Auto-Submitted: no\n\nbody\n"));
  EXPECT_EQ(m.return_path, "Bounce@Example.test");
  EXPECT_FALSE(m.has_null_return_path);
  EXPECT_EQ(m.from_address, "Bob@example.test");
  EXPECT_EQ(m.reply_to, "office@example.test");
  EXPECT_THAT(m.to, ElementsAre("FAX=+861012345678@fax.test", "x@fax.test", "y@fax.test"));
  EXPECT_EQ(m.in_reply_to, "fg-7@fax.test");
  EXPECT_EQ(m.references, "<a@x.test> <fg-7@fax.test>");
  EXPECT_EQ(m.disposition_notification_to, "bob@example.test");
  EXPECT_EQ(m.auto_submitted, "no");
  EXPECT_EQ(m.authentication_results,
            "mx.example.test; spf=pass smtp.mailfrom=example.test\n"
            "mx.example.test; dkim=pass header.d=example.test");
  EXPECT_FALSE(m.is_report);
}

TEST(MimeReaderTest, AutomaticMailIsMarkedSoItIsNeverAnswered) {
  EXPECT_TRUE(Parse("From: a@b.test\r\nAuto-Submitted: auto-replied\r\n\r\nx\r\n").is_report);
  EXPECT_TRUE(
      Parse("From: a@b.test\r\nAuto-Submitted: Auto-Generated; x=y\r\n\r\nx\r\n").is_report);
  const ParsedMail null_sender = Parse("Return-Path: <>\r\nFrom: a@b.test\r\n\r\nx\r\n");
  EXPECT_TRUE(null_sender.has_null_return_path);
  EXPECT_EQ(null_sender.return_path, "");
  EXPECT_TRUE(null_sender.is_report);
  const ParsedMail dsn = Parse(Testdata("dsn-failure.eml"));
  EXPECT_TRUE(dsn.is_report);
  EXPECT_THAT(dsn.body_text, HasSubstr("could not\nbe delivered"));
  EXPECT_FALSE(Parse("From: a@b.test\r\n\r\nx\r\n").is_report);
}

TEST(MimeReaderTest, WhatIsNotAMailIsAnError) {
  EXPECT_THAT(ParseMail("").error().message, HasSubstr("not a mail message"));
  EXPECT_THAT(ParseMail(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)).error().message,
              HasSubstr("not a mail message"));
  MimeLimits small;
  small.max_bytes = 100;
  EXPECT_THAT(ParseMail("From: a@b.test\r\n\r\n" + std::string(200, 'x'), small).error().message,
              HasSubstr("more than the 100 accepted"));
}

std::string ManyAttachments(int n) {
  std::string raw =
      "From: a@b.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
      "--B\r\nContent-Type: text/plain\r\n\r\nMany files.\r\n";
  for (int i = 0; i < n; ++i) {
    raw += fmt::format(
        "--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
        "filename=f{}.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        i, i % 2 ? "AAEC" : "/w==");
  }
  return raw + "--B--\r\n";
}

TEST(MimeReaderTest, TenThousandAttachmentsAreAllRead) {
  const ParsedMail m = Parse(ManyAttachments(10000));
  EXPECT_EQ(m.body_text, "Many files.\n");
  ASSERT_EQ(m.attachments.size(), 10000u);
  EXPECT_EQ(m.attachments[0].bytes, "\xFF");
  EXPECT_EQ(m.attachments[9999].file_name, "f9999.bin");
  EXPECT_EQ(m.attachments[9999].bytes, std::string("\0\1\2", 3));
}

TEST(MimeReaderTest, MoreThanMaxPartsIsRefusedWithAClearError) {
  MimeLimits limits;
  limits.max_parts = 100;
  // Refused before GMime builds the parts (a mail of tiny parts costs GMime far more memory).
  auto refused = ParseMail(ManyAttachments(150), limits);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "the message has more than 100 parts");
  // The default limit.
  std::string flood = "From: a@b.test\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n";
  for (int i = 0; i < 20001; ++i) flood += "--B\r\n\r\n";
  EXPECT_EQ(ParseMail(flood).error().message, "the message has more than 20000 parts");
  // Lines that only look like boundaries are text, not parts.
  std::string dashes = "From: a@b.test\r\nContent-Type: text/plain\r\n\r\n";
  for (int i = 0; i < 300; ++i) dashes += "-----Original Message-----\r\n";
  auto text = ParseMail(dashes, limits);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_THAT(text->body_text, HasSubstr("-----Original Message-----\n"));
}

TEST(MimeReaderTest, TooDeeplyNestedIsRefused) {
  std::string raw = "From: a@b.test\r\n";
  for (int i = 0; i < 30; ++i)
    raw += fmt::format("Content-Type: multipart/mixed; boundary=b{}\r\n\r\n--b{}\r\n", i, i);
  raw += "Content-Type: text/plain\r\n\r\ndeep\r\n";
  EXPECT_EQ(ParseMail(raw).error().message, "the message has parts nested more than 20 deep");
  MimeLimits deep;
  deep.max_depth = 40;
  auto read = ParseMail(raw, deep);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->body_text, "deep\n");
}

}  // namespace
}  // namespace faxgate::mail
