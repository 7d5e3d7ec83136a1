// Reports about mail faxgate sent, as Postfix 3.7 really wrote them (src/mail/testdata) and as
// mail clients write read receipts: matched back by envelope id, message id or X-Faxgate-Job.
#include "mail/delivery_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mail/mime_test_support.h"

namespace faxgate::mail {
namespace {

using testing::Crlf;
using ::testing::SizeIs;
using testing::Testdata;

TEST(DeliveryReportTest, PostfixFailureNamesTheRecipientAndTheFoldedReason) {
  const auto r = ReadDeliveryReport(Testdata("dsn-failure.eml"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, DeliveryReport::Kind::kDelivery);
  EXPECT_EQ(r->envelope_id, "job-4711");
  EXPECT_EQ(r->original_message_id, "fax-20261122-0001@fax.test");
  ASSERT_THAT(r->recipients, SizeIs(1));
  const ReportRecipient& failed = r->recipients[0];
  EXPECT_EQ(failed.final_recipient, "ghost@fax.test");
  EXPECT_EQ(failed.original_recipient, "ghost@fax.test");
  EXPECT_EQ(failed.action, "failed");
  EXPECT_EQ(failed.status, "5.1.1");
  EXPECT_EQ(failed.remote_mta, "127.0.0.1");
  // Diagnostic-Code is folded over two lines in the report.
  EXPECT_EQ(failed.diagnostic, "550 5.1.1 <ghost@fax.test> User doesn't exist: ghost@fax.test");
}

TEST(DeliveryReportTest, PostfixSuccessIsRelayedWithTheReturnedMessageId) {
  const auto r = ReadDeliveryReport(Testdata("dsn-success.eml"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->envelope_id, "job-4711");
  ASSERT_THAT(r->recipients, SizeIs(1));
  EXPECT_EQ(r->recipients[0].action, "relayed");
  EXPECT_EQ(r->recipients[0].status, "2.0.0");
  EXPECT_EQ(r->recipients[0].final_recipient, "alice@fax.test");
}

// libcurl's "<addr> PARAM" trick appends a stray '>' to ENVID and ORCPT (reference/mail.md §3).
// The reports are read as written, so such an id matches no job of ours: this is the reason
// faxgate has its own SMTP client, not something to repair here.
TEST(DeliveryReportTest, LibcurlDefectIsKeptAsWritten) {
  const auto failure = ReadDeliveryReport(Testdata("dsn-failure-libcurl-defect.eml"));
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->envelope_id, "job-4711>");
  ASSERT_THAT(failure->recipients, SizeIs(1));
  EXPECT_EQ(failure->recipients[0].original_recipient, "ghost@fax.test>");
  EXPECT_EQ(failure->recipients[0].final_recipient, "ghost@fax.test");
  EXPECT_EQ(failure->recipients[0].action, "failed");
  EXPECT_EQ(failure->original_message_id, "dsn-test-1@fax.test");

  const auto success = ReadDeliveryReport(Testdata("dsn-success-libcurl-defect.eml"));
  ASSERT_TRUE(success);
  EXPECT_EQ(success->envelope_id, "job-4711>");
  EXPECT_EQ(success->recipients.at(0).original_recipient, "alice@fax.test>");
  EXPECT_EQ(success->recipients.at(0).action, "relayed");
}

TEST(DeliveryReportTest, ReadReceiptFromAMailClientWithOurJobInTheReturnedHeaders) {
  const auto r = ReadDeliveryReport(
      Crlf("From: Bob <bob@example.test>\nTo: fax@fax.test\nSubject: Read: your fax\n"
           "MIME-Version: 1.0\n"
           "Content-Type: multipart/report; report-type=disposition-notification; boundary=R\n\n"
           "--R\nContent-Type: text/plain\n\nThe message was displayed.\n"
           "--R\nContent-Type: message/disposition-notification\n\n"
           "Reporting-UA: mail.example.test; Thunderbird\n"
           "Original-Recipient: rfc822;bob@example.test\n"
           "Final-Recipient: rfc822;bob@example.test\n"
           "Original-Message-ID: <fg-9@fax.test>\n"
           "Disposition: manual-action/MDN-sent-manually;\n displayed\n"
           "--R\nContent-Type: text/rfc822-headers\n\n"
           "From: fax@fax.test\nMessage-ID: <other@fax.test>\nX-Faxgate-Job: fg-9\n"
           "--R--\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, DeliveryReport::Kind::kDisposition);
  EXPECT_EQ(r->disposition, "manual-action/MDN-sent-manually; displayed");
  EXPECT_EQ(r->original_message_id, "fg-9@fax.test");  // the MDN's own field wins
  EXPECT_EQ(r->faxgate_job, "fg-9");
  ASSERT_THAT(r->recipients, SizeIs(1));
  EXPECT_EQ(r->recipients[0].action, "displayed");
  EXPECT_EQ(r->recipients[0].original_recipient, "bob@example.test");
}

TEST(DeliveryReportTest, WholeReturnedMessageAndBase64StatusAreRead) {
  const auto r = ReadDeliveryReport(
      Crlf("From: MAILER-DAEMON@example.test\nMIME-Version: 1.0\n"
           "Content-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\n\n"
           "--R\nContent-Type: text/plain\n\nDelayed.\n"
           "--R\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n"
           // "Original-Envelope-Id: fg-3\n\nFinal-Recipient: rfc822; a@b.test\nAction: delayed\n"
           // "Status: 4.4.1\n"
           "T3JpZ2luYWwtRW52ZWxvcGUtSWQ6IGZnLTMKCkZpbmFsLVJlY2lwaWVudDogcmZjODIyOyBhQGIudGVzdApB\n"
           "Y3Rpb246IGRlbGF5ZWQKU3RhdHVzOiA0LjQuMQo=\n"
           "--R\nContent-Type: message/rfc822\n\n"
           "From: fax@fax.test\nMessage-Id: <fg-3@fax.test>\nX-Faxgate-Job: fg-3\n\nthe fax\n"
           "--R--\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->envelope_id, "fg-3");
  EXPECT_EQ(r->original_message_id, "fg-3@fax.test");
  EXPECT_EQ(r->faxgate_job, "fg-3");
  ASSERT_THAT(r->recipients, SizeIs(1));
  EXPECT_EQ(r->recipients[0].action, "delayed");
  EXPECT_EQ(r->recipients[0].status, "4.4.1");
}

TEST(DeliveryReportTest, OtherMailIsNoReport) {
  EXPECT_FALSE(ReadDeliveryReport(Testdata("in1.eml")));
  EXPECT_FALSE(ReadDeliveryReport(""));
  EXPECT_FALSE(ReadDeliveryReport("Subject: hi\r\n\r\nDelivery failed.\r\n"));
  // A report without its machine-readable part says nothing we can match.
  EXPECT_FALSE(ReadDeliveryReport(
      Crlf("From: a@b.test\nContent-Type: multipart/report; report-type=delivery-status; "
           "boundary=R\n\n--R\nContent-Type: text/plain\n\nfailed\n--R--\n")));
}

}  // namespace
}  // namespace faxgate::mail
