// Tier 2: our SMTP client against a real Postfix 3.7 (+ Dovecot behind it) from
// scripts/mailenv: STARTTLS with a checked certificate, the submission port with AUTH, a wrong
// password, and a DSN bounce that carries our envelope id back. Skipped when Postfix is not
// installed.
#include <unistd.h>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mail/smtp_client.h"
#include "mail/smtp_client_test_support.h"

namespace faxgate::mail {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::PostfixEnvironment;
using testing::SendMail;
using Kind = SmtpOutcome::Kind;

constexpr std::chrono::seconds kPatience{60};  // for Postfix to deliver or bounce

class SmtpClientPostfixTest : public ::testing::Test {
 protected:
  // One environment for the suite: starting Postfix and Dovecot takes seconds.
  static void SetUpTestSuite() {
    if (!PostfixEnvironment::Installed()) return;
    env_ = new PostfixEnvironment();
    start_ = new Status(env_->Start());
  }
  static void TearDownTestSuite() {
    delete env_;  // stops Postfix and Dovecot by the PIDs start recorded
    env_ = nullptr;
    delete start_;
    start_ = nullptr;
  }
  void SetUp() override {
    if (!env_) GTEST_SKIP() << "postfix is not installed";
    ASSERT_TRUE(start_->ok()) << start_->error().message;
  }

  static SmtpRelay Relay(uint16_t port) {
    SmtpRelay relay;
    relay.host = "127.0.0.1";
    relay.port = port;
    relay.helo_name = "faxgate.test";
    relay.timeout = std::chrono::seconds(30);
    return relay;
  }

  // A message that can be found again by its subject.
  static OutgoingMail Message(const std::string& from, const std::string& to,
                              const std::string& subject) {
    OutgoingMail mail;
    mail.mail_from = from;
    mail.recipients.push_back({to, "", ""});
    mail.data = fmt::format(
        "From: <{}>\r\nTo: <{}>\r\nSubject: {}\r\nMessage-ID: <{}.{}@faxgate.test>\r\n"
        "Date: Sun, 22 Nov 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\nA fax came in.\r\n.\r\n..\r\n",
        from, to, subject, subject, getpid());
    return mail;
  }

  static PostfixEnvironment* env_;
  static Status* start_;
};

PostfixEnvironment* SmtpClientPostfixTest::env_ = nullptr;
Status* SmtpClientPostfixTest::start_ = nullptr;

TEST_F(SmtpClientPostfixTest, StartTlsWithCheckedCertificateDeliversToTheMailbox) {
  SmtpRelay relay = Relay(env_->relay_port());
  relay.tls = "required";
  relay.ca_file = env_->ca_file();  // the certificate names 127.0.0.1
  testing::SmtpLogCapture log;
  SmtpOutcome o = SendMail(relay, Message("alice@fax.test", "fax@fax.test", "starttls-1"));
  EXPECT_EQ(o.kind, Kind::kDelivered) << o.summary;
  EXPECT_THAT(o.summary, StartsWith(fmt::format("127.0.0.1:{} took the message: 250 2.0.0 Ok: "
                                                "queued as ",
                                                env_->relay_port())));
  EXPECT_EQ(o.server_banner, "mail.fax.test ESMTP Postfix (Debian/GNU)");
  EXPECT_THAT(log.text(), HasSubstr("C: STARTTLS\n"));
  EXPECT_THAT(log.text(), HasSubstr("S: 220 2.0.0 Ready to start TLS\n"));
  const std::string stored = env_->WaitForMail("fax", "Subject: starttls-1", kPatience);
  ASSERT_NE(stored, "") << "not delivered to fax@fax.test";
  EXPECT_THAT(stored, HasSubstr("\nA fax came in.\n.\n..\n"));  // the dots survived
  EXPECT_THAT(stored, HasSubstr("with ESMTPS id"));             // Postfix: it came over TLS
}

TEST_F(SmtpClientPostfixTest, CertificateNotTrustedIsTheSettings) {
  SmtpRelay relay = Relay(env_->relay_port());
  relay.tls = "required";  // verify_certificate against the system's CAs
  SmtpOutcome o = SendMail(relay, Message("alice@fax.test", "fax@fax.test", "untrusted-1"));
  EXPECT_EQ(o.kind, Kind::kConfig);
  EXPECT_EQ(o.failed_command, "STARTTLS");
  EXPECT_THAT(o.summary, HasSubstr(fmt::format("127.0.0.1:{}'s certificate is not accepted: "
                                               "self-signed certificate",
                                               env_->relay_port())));
}

TEST_F(SmtpClientPostfixTest, SubmissionWithAuthPlainAfterStartTls) {
  SmtpRelay relay = Relay(env_->submission_port());
  relay.verify_certificate = false;
  relay.user = "alice@fax.test";
  relay.password = "alicepass";
  testing::SmtpLogCapture log;
  SmtpOutcome o = SendMail(relay, Message("alice@fax.test", "fax@fax.test", "submission-1"));
  EXPECT_EQ(o.kind, Kind::kDelivered) << o.summary;
  EXPECT_THAT(log.text(), HasSubstr("C: AUTH PLAIN ****\n"));
  EXPECT_THAT(log.text(), HasSubstr("S: 235 2.7.0 Authentication successful\n"));
  EXPECT_THAT(log.text(), Not(HasSubstr("alicepass")));
  const std::string stored = env_->WaitForMail("fax", "Subject: submission-1", kPatience);
  ASSERT_NE(stored, "") << "not delivered to fax@fax.test";
  EXPECT_THAT(stored, HasSubstr("(Authenticated sender: alice@fax.test)"));
}

TEST_F(SmtpClientPostfixTest, WrongPasswordIsTheSettings) {
  SmtpRelay relay = Relay(env_->submission_port());
  relay.verify_certificate = false;
  relay.user = "alice@fax.test";
  relay.password = "wrongpass";
  SmtpOutcome o = SendMail(relay, Message("alice@fax.test", "fax@fax.test", "wrong-1"));
  EXPECT_EQ(o.kind, Kind::kConfig) << o.summary;
  EXPECT_EQ(o.code, 535);
  EXPECT_EQ(o.failed_command, "AUTH PLAIN");
  EXPECT_THAT(o.summary, HasSubstr("refused the login of alice@fax.test: 535 5.7.8 "));
}

TEST_F(SmtpClientPostfixTest, BounceCarriesOurEnvelopeId) {
  const std::string envid = fmt::format("faxgate-{}-4711", getpid());
  OutgoingMail mail = Message("fax@fax.test", "ghost@fax.test", "dsn-1");
  mail.ret = "HDRS";
  mail.envid = envid;
  mail.recipients[0].notify = "FAILURE";
  mail.recipients[0].orcpt = "ghost@fax.test";
  SmtpRelay relay = Relay(env_->relay_port());
  relay.verify_certificate = false;
  // Postfix takes it: ghost@fax.test is refused only by Dovecot, behind it.
  SmtpOutcome o = SendMail(relay, mail);
  EXPECT_EQ(o.kind, Kind::kDelivered) << o.summary;
  const std::string bounce =
      env_->WaitForMail("fax", "Original-Envelope-Id: " + envid, kPatience);
  ASSERT_NE(bounce, "") << "no bounce with Original-Envelope-Id: " << envid;
  EXPECT_THAT(bounce, HasSubstr("Content-Type: multipart/report; report-type=delivery-status"));
  EXPECT_THAT(bounce, HasSubstr("Original-Recipient: rfc822;ghost@fax.test"));
  EXPECT_THAT(bounce, HasSubstr("Action: failed"));
  EXPECT_THAT(bounce, HasSubstr("Content-Type: text/rfc822-headers"));  // RET=HDRS
  EXPECT_THAT(bounce, Not(HasSubstr("A fax came in.")));                // ... not FULL
}

}  // namespace
}  // namespace faxgate::mail
