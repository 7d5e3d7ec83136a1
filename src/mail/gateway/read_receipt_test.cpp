// The read receipt a mail-submitted fax sends back: its disposition follows the faxes' ends, and
// the message is an RFC 8098 report from the null sender naming the original mail.
#include "mail/gateway/read_receipt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace faxgate::mail {
namespace {

using ::testing::HasSubstr;

Job Ended(JobState state, const std::string& number, int pages, const std::string& status = "") {
  Job j;
  j.id = 40 + pages;
  j.state = state;
  j.number.display = number;
  j.pages_sent = pages;
  j.status_text = status;
  return j;
}

class ReadReceiptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/faxgate-receipt-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    config_.hostname = "fax.example.com";
    origin_.message_id = "m1@mail.example.com";
    origin_.mail_subject = "报价单";
    origin_.mdn_to = "alice@example.com";
    origin_.mail_recipient = "FAX=8001@fax.example.com";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Written(const QueuedMail& q) {
    std::ifstream in(Spool(dir_).PathOf(q.message_hash), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::filesystem::path dir_;
  MailConfig config_;
  SubmissionOrigin origin_;
};

TEST(ReadReceiptDispositionTest, FollowsHowTheFaxesEnded) {
  EXPECT_EQ(ReadReceiptDisposition(
                {Ended(JobState::kSucceeded, "8001", 2), Ended(JobState::kSucceeded, "8002", 2)}),
            "processed");
  EXPECT_EQ(ReadReceiptDisposition({Ended(JobState::kSucceeded, "8001", 2),
                                    Ended(JobState::kFailed, "8002", 0, "busy")}),
            "failed");
  EXPECT_EQ(ReadReceiptDisposition({Ended(JobState::kCancelled, "8001", 0)}), "deleted");
  EXPECT_EQ(ReadReceiptDisposition({}), "failed");
}

TEST_F(ReadReceiptTest, IsAReportFromTheNullSenderAboutTheOriginalMail) {
  Spool spool(dir_);
  QueuedMail q = *WriteReadReceipt(
      {Ended(JobState::kSucceeded, "8001", 3), Ended(JobState::kFailed, "8002", 0, "busy")},
      origin_, "en", config_, spool);

  EXPECT_EQ(q.kind, "mdn");
  EXPECT_EQ(q.mail_from, "");
  ASSERT_EQ(q.recipients.size(), 1u);
  EXPECT_EQ(q.recipients[0].address, "alice@example.com");
  const std::string mail = Written(q);
  EXPECT_THAT(mail, HasSubstr("report-type=disposition-notification"));
  EXPECT_THAT(mail, HasSubstr("Disposition: automatic-action/MDN-sent-automatically; failed"));
  EXPECT_THAT(mail, HasSubstr("Final-Recipient: rfc822; FAX=8001@fax.example.com"));
  EXPECT_THAT(mail, HasSubstr("Original-Message-ID: <m1@mail.example.com>"));
  EXPECT_THAT(mail, HasSubstr("In-Reply-To: <m1@mail.example.com>"));
  EXPECT_THAT(mail, HasSubstr("Auto-Submitted: auto-replied"));
}

}  // namespace
}  // namespace faxgate::mail
