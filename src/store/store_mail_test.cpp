// The mail face's records: submission origins and the once-only rule for mails, the outgoing
// mail queue, which jobs and receptions have had their mails, mail servers and templates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "store/store_test_util.h"

namespace faxgate {
namespace {

using ::faxgate::testing::At;
using ::faxgate::testing::Must;
using ::faxgate::testing::SampleInbound;
using ::faxgate::testing::SampleJob;
using ::faxgate::testing::SampleUser;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class StoreMailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    user_ = Must(store_->CreateUser(SampleUser("demo", "8001")));
  }

  void Reopen() {
    store_.reset();
    store_ = Must(OpenSqliteStore(dir_.path() / "faxgate.db"));
  }

  Result<std::vector<Job>> SubmitByMail(const std::string& key) {
    NewSubmission s;
    s.owner_id = user_.id;
    s.jobs = {SampleJob("+8675583235170"), SampleJob("+8675583235180")};
    s.origin.channel = "mailbox";
    s.origin.message_key = key;
    s.origin.message_id = "abc@mail.example.com";
    s.origin.reply_to = "alice@example.com";
    s.origin.mail_subject = "83235170; 83235180";
    return store_->CreateSubmission(s);
  }

  QueuedMail Mail(const std::string& envid) {
    QueuedMail m;
    m.kind = "result";
    m.envid = envid;
    m.mail_from = "bounce@fax.example.com";
    m.recipients = {{"alice@example.com", "FAILURE,DELAY", "alice@example.com", ""},
                    {"bob@example.com", "", "", ""}};
    m.ret = "HDRS";
    m.message_hash = "sha256-abc";
    m.subject = "传真已发送";
    m.next_try_at = At(5);
    return m;
  }

  testing::ScratchDir dir_;
  std::unique_ptr<Store> store_;
  User user_;
};

TEST_F(StoreMailTest, AMailMakesOneSubmissionEvenWhenFetchedTwice) {
  std::vector<Job> jobs = Must(SubmitByMail("mailbox:abc@mail.example.com"));

  auto again = SubmitByMail("mailbox:abc@mail.example.com");

  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(Must(store_->ListJobs({})).size(), 2u);
  EXPECT_TRUE(Must(store_->MailSeen("mailbox:abc@mail.example.com")));
  SubmissionOrigin origin = Must(store_->GetSubmissionOrigin(jobs[0].group_id));
  EXPECT_EQ(origin.channel, "mailbox");
  EXPECT_EQ(origin.reply_to, "alice@example.com");
  EXPECT_EQ(origin.message_id, "abc@mail.example.com");
  EXPECT_EQ(origin.mail_subject, "83235170; 83235180");
}

TEST_F(StoreMailTest, ReadReceiptRequestIsKeptAndMarkedSentOnceWithItsMail) {
  NewSubmission s;
  s.owner_id = user_.id;
  s.jobs = {SampleJob("+8675583235170"), SampleJob("+8675583235180")};
  s.origin.channel = "smtp";
  s.origin.message_key = "smtp:mdn@mail.example.com";
  s.origin.reply_to = "alice@example.com";
  s.origin.mdn_to = "alice@example.com";
  s.origin.mail_recipient = "FAX=8001@fax.example.com";
  std::vector<Job> jobs = Must(store_->CreateSubmission(s));
  JobFilter group;
  group.group_id = jobs[0].group_id;
  EXPECT_EQ(Must(store_->ListJobs(group)).size(), 2u);
  group.group_id = jobs[0].group_id + 1;
  EXPECT_THAT(Must(store_->ListJobs(group)), IsEmpty());

  MailEffects fx;
  fx.mdn_sent_for = jobs[0].group_id;
  Must(store_->EnqueueMail({Mail("mdn1")}, fx));
  Reopen();

  SubmissionOrigin origin = Must(store_->GetSubmissionOrigin(jobs[0].group_id));
  EXPECT_EQ(origin.mdn_to, "alice@example.com");
  EXPECT_EQ(origin.mail_recipient, "FAX=8001@fax.example.com");
  EXPECT_TRUE(origin.mdn_sent);
  EXPECT_EQ(Must(store_->FindMailByEnvid("mdn1")).envid, "mdn1");
}

TEST_F(StoreMailTest, QueuedMailReadsBackWithRecipientsAndIsDueAtItsTime) {
  Must(store_->EnqueueMail({Mail("m1")}, {}));
  Reopen();

  EXPECT_THAT(Must(store_->ListDueMail(At(4), 10)), IsEmpty());
  std::vector<QueuedMail> due = Must(store_->ListDueMail(At(5), 10));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].envid, "m1");
  EXPECT_EQ(due[0].subject, "传真已发送");
  EXPECT_EQ(due[0].state, QueuedMailState::kQueued);
  ASSERT_EQ(due[0].recipients.size(), 2u);
  EXPECT_EQ(due[0].recipients[0].notify, "FAILURE,DELAY");
  EXPECT_EQ(due[0].recipients[1].address, "bob@example.com");
  EXPECT_EQ(*Must(store_->NextMailDue()), At(5));
}

TEST_F(StoreMailTest, ChangedRelayMakesWaitingMailDueNow) {
  Must(store_->EnqueueMail({Mail("m1")}, {}));  // next try at 5
  QueuedMail sent = Mail("m2");
  Must(store_->EnqueueMail({sent}, {}));
  sent = Must(store_->FindMailByEnvid("m2"));
  sent.state = QueuedMailState::kSent;
  Must(store_->UpdateQueuedMail(sent));

  EXPECT_EQ(Must(store_->MakeQueuedMailDue(At(2))), 1);

  std::vector<QueuedMail> due = Must(store_->ListDueMail(At(2), 10));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].envid, "m1");
  EXPECT_EQ(Must(store_->MakeQueuedMailDue(At(2))), 0);
}

TEST_F(StoreMailTest, SentMailLeavesTheQueueAndKeepsItsOutcome) {
  Must(store_->EnqueueMail({Mail("m1")}, {}));
  QueuedMail m = Must(store_->FindMailByEnvid("m1"));
  m.state = QueuedMailState::kSent;
  m.attempts = 2;
  m.sent_at = At(7);
  m.last_result = "relay.example.com accepted it";
  m.recipients[0].outcome = "delivered (2.0.0)";
  Must(store_->UpdateQueuedMail(m));

  EXPECT_THAT(Must(store_->ListDueMail(At(100), 10)), IsEmpty());
  EXPECT_FALSE(Must(store_->NextMailDue()).has_value());
  QueuedMail got = Must(store_->FindMailByEnvid("m1"));
  EXPECT_EQ(got.attempts, 2);
  EXPECT_EQ(got.last_result, "relay.example.com accepted it");
  EXPECT_EQ(got.recipients[0].outcome, "delivered (2.0.0)");
}

TEST_F(StoreMailTest, FinishedJobIsListedUntilItsResultMailIsQueued) {
  std::vector<Job> jobs = Must(SubmitByMail("smtp:x@y"));
  EXPECT_THAT(Must(store_->ListJobsToNotify(10)), IsEmpty());  // still in progress
  Job done = jobs[0];
  done.state = JobState::kSucceeded;
  Must(store_->UpdateJob(done));
  ASSERT_EQ(Must(store_->ListJobsToNotify(10)).size(), 1u);

  QueuedMail m = Mail("result-1");
  m.fax_id = done.id;
  MailEffects fx;
  fx.notified_job = done.id;
  Must(store_->EnqueueMail({m}, fx));

  EXPECT_THAT(Must(store_->ListJobsToNotify(10)), IsEmpty());
  std::vector<QueuedMail> about = Must(store_->ListMailAbout(done.id));
  ASSERT_EQ(about.size(), 1u);
  EXPECT_EQ(about[0].envid, "result-1");
}

TEST_F(StoreMailTest, EndedReceptionIsListedUntilMailed) {
  InboundFax fax = SampleInbound(user_.id);
  fax.state = InboundState::kReceived;
  fax = Must(store_->CreateInbound(fax));
  ASSERT_EQ(Must(store_->ListInboundToMail(10)).size(), 1u);

  MailEffects fx;
  fx.mailed_inbound = fax.id;
  Must(store_->EnqueueMail({}, fx));

  EXPECT_THAT(Must(store_->ListInboundToMail(10)), IsEmpty());
}

TEST_F(StoreMailTest, RefusedMailIsRememberedWithItsReply) {
  MailEffects fx;
  fx.seen_message_key = "mailbox:forged@evil";
  fx.seen_outcome = "refused: sender not registered";
  Must(store_->EnqueueMail({Mail("reply-1")}, fx));

  EXPECT_TRUE(Must(store_->MailSeen("mailbox:forged@evil")));
  EXPECT_FALSE(Must(store_->MailSeen("mailbox:other@x")));
}

TEST_F(StoreMailTest, UserIsFoundByAnyOfTheirAddressesWhateverTheCase) {
  User u = SampleUser("alice", "8002");
  u.email = "Alice@Example.com";
  u.other_emails = {"a.li@example.cn"};
  u = Must(store_->CreateUser(u));

  EXPECT_EQ(Must(store_->FindUserByEmail("alice@example.COM")).name, "alice");
  EXPECT_EQ(Must(store_->FindUserByEmail("A.LI@example.cn")).name, "alice");
  auto none = store_->FindUserByEmail("mallory@example.com");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

TEST_F(StoreMailTest, MailServersAndTemplatesAreReplacedByName) {
  MailServer relay;
  relay.name = "relay";
  relay.host = "smtp.example.com";
  relay.port = 587;
  relay.user = "fax";
  relay.password = "s3cret";
  Must(store_->PutMailServer(relay));
  relay.port = 25;
  Must(store_->PutMailServer(relay));
  std::vector<MailServer> servers = Must(store_->ListMailServers());
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0].port, 25);
  EXPECT_EQ(servers[0].password, "s3cret");
  Must(store_->DeleteMailServer("relay"));
  EXPECT_THAT(Must(store_->ListMailServers()), IsEmpty());
  EXPECT_EQ(store_->DeleteMailServer("relay").error().code, ErrorCode::kNotFound);

  Must(store_->PutMailTemplate({"fax_sent", "zh-CN", "传真已发送：{$TO}", "正文", {}}));
  std::vector<MailTemplateRecord> templates = Must(store_->ListMailTemplates());
  ASSERT_EQ(templates.size(), 1u);
  EXPECT_EQ(templates[0].subject, "传真已发送：{$TO}");
  Must(store_->DeleteMailTemplate("fax_sent", "zh-CN"));
  EXPECT_THAT(Must(store_->ListMailTemplates()), IsEmpty());
}

}  // namespace
}  // namespace faxgate
