#include "queue/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "base/files.h"

namespace faxgate {
namespace {

using ::testing::ElementsAre;

// Records dial requests; the test decides how each call ends.
class FakeDialer : public Dialer {
 public:
  bool HasFreeLine() const override { return static_cast<int>(active.size()) < lines; }
  Status Dial(const DialRequest& r) override {
    if (refuse) return MakeError(ErrorCode::kUnavailable, "no trunk is up");
    dialled.push_back(r);
    active.push_back(r.job);
    return Status::Ok();
  }
  void HangUp(JobId job) override { hung_up.push_back(job); }

  int lines = 1;
  bool refuse = false;
  std::vector<DialRequest> dialled;
  std::vector<JobId> active;
  std::vector<JobId> hung_up;
};

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fg-sched-" + RandomHex(6));
    std::filesystem::create_directories(dir_);
    OpenStore();
    User u;
    u.name = "alice";
    owner_ = store_->CreateUser(u)->id;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void OpenStore() {
    scheduler_.reset();
    store_.reset();
    store_ = std::move(OpenSqliteStore(dir_ / "faxgate.db").value());
    spool_ = std::make_unique<Spool>(dir_ / "spool");
    scheduler_ = std::make_unique<Scheduler>(*store_, *spool_, dialer_, clock_,
                                             [this] { return settings_; });
  }

  // Submits a 3-page fax to `dial` and hands it to the scheduler.
  JobId Submit(const std::string& dial, int priority = 127, Duration delay = Duration(0)) {
    NewSubmission s;
    s.owner_id = owner_;
    Job j;
    j.owner_id = owner_;
    j.number.canonical = "+86755" + dial;
    j.number.dial_string = dial;
    j.number.display = dial;
    j.priority = priority;
    j.submitted_at = clock_.Now();
    j.send_at = clock_.Now() + delay;
    j.kill_at = j.send_at + std::chrono::hours(3);
    j.state = delay.count() > 0 ? JobState::kScheduled : JobState::kQueued;
    j.max_tries = settings_.max_tries;
    j.max_dials = settings_.max_dials;
    j.pages_total = 3;
    j.document = "0000";
    s.jobs.push_back(j);
    auto jobs = store_->CreateSubmission(s).value();
    scheduler_->OnSubmitted(jobs);
    return jobs[0].id;
  }

  void End(JobId job, FailureKind kind, int pages, std::string reason = "") {
    CallReport r;
    r.kind = kind;
    r.pages = pages;
    r.reason = reason.empty() ? std::string(ToString(kind)) : reason;
    std::erase(dialer_.active, job);
    scheduler_->OnCallEnded(job, r);
  }

  Job Stored(JobId id) { return store_->GetJob(id).value(); }
  void After(Duration d) {
    clock_.Advance(d);
    scheduler_->RunDue();
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  FakeDialer dialer_;
  SystemSettings settings_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<Scheduler> scheduler_;
  UserId owner_ = 0;
};

TEST_F(SchedulerTest, QueuedJobIsDialledAndSucceeds) {
  JobId id = Submit("8001");
  scheduler_->RunDue();
  ASSERT_EQ(dialer_.dialled.size(), 1u);
  EXPECT_EQ(dialer_.dialled[0].number.dial_string, "8001");
  EXPECT_EQ(Stored(id).state, JobState::kSending);
  End(id, FailureKind::kNone, 3);
  Job done = Stored(id);
  EXPECT_EQ(done.state, JobState::kSucceeded);
  EXPECT_EQ(done.pages_sent, 3);
  EXPECT_EQ(done.dials, 1);
  EXPECT_EQ(done.tries, 1);
  auto attempts = store_->ListAttempts(id).value();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_TRUE(attempts[0].ended_at.has_value());
  EXPECT_EQ(attempts[0].result, FailureKind::kNone);
}

TEST_F(SchedulerTest, LowerPriorityNumberGoesFirst) {
  JobId low = Submit("1111", 200);
  JobId high = Submit("2222", 10);
  JobId mid = Submit("3333", 127);
  dialer_.lines = 1;
  scheduler_->RunDue();
  End(high, FailureKind::kNone, 3);
  scheduler_->RunDue();
  End(mid, FailureKind::kNone, 3);
  scheduler_->RunDue();
  ASSERT_EQ(dialer_.dialled.size(), 3u);
  EXPECT_THAT(
      std::vector<JobId>({dialer_.dialled[0].job, dialer_.dialled[1].job, dialer_.dialled[2].job}),
      ElementsAre(high, mid, low));
}

TEST_F(SchedulerTest, SendAtInTheFutureWaits) {
  JobId id = Submit("8001", 127, std::chrono::minutes(10));
  scheduler_->RunDue();
  EXPECT_TRUE(dialer_.dialled.empty());
  EXPECT_EQ(Stored(id).state, JobState::kScheduled);
  EXPECT_EQ(scheduler_->NextWakeup(), clock_.Now() + std::chrono::minutes(10));
  After(std::chrono::minutes(10));
  ASSERT_EQ(dialer_.dialled.size(), 1u);
}

TEST_F(SchedulerTest, BusyIsRetriedAfterTheBusyWait) {
  settings_.retry_busy_s = 120;
  JobId id = Submit("8009");
  scheduler_->RunDue();
  End(id, FailureKind::kBusy, 0, "Busy signal detected");
  Job j = Stored(id);
  EXPECT_EQ(j.state, JobState::kRetrying);
  EXPECT_EQ(j.status_text, "Busy signal detected");
  EXPECT_EQ(j.tries, 0) << "a busy line did not reach a fax machine";
  EXPECT_EQ(j.dials, 1);
  After(std::chrono::seconds(119));
  EXPECT_EQ(dialer_.dialled.size(), 1u);
  After(std::chrono::seconds(1));
  ASSERT_EQ(dialer_.dialled.size(), 2u);
  End(id, FailureKind::kNone, 3);
  EXPECT_EQ(Stored(id).state, JobState::kSucceeded);
}

TEST_F(SchedulerTest, HangUpResumesFromFirstUnconfirmedPage) {
  JobId id = Submit("8006");
  scheduler_->RunDue();
  scheduler_->OnPageConfirmed(id, 1);
  scheduler_->OnPageConfirmed(id, 2);
  EXPECT_EQ(Stored(id).pages_sent, 2) << "progress is durable during the call";
  End(id, FailureKind::kHungUp, 2, "far end hung up");
  After(std::chrono::seconds(settings_.retry_interval_s));
  ASSERT_EQ(dialer_.dialled.size(), 2u);
  EXPECT_EQ(dialer_.dialled[1].first_page, 2);
  End(id, FailureKind::kNone, 1);
  Job j = Stored(id);
  EXPECT_EQ(j.state, JobState::kSucceeded);
  EXPECT_EQ(j.pages_sent, 3);
  EXPECT_EQ(store_->ListAttempts(id).value().size(), 2u);
}

TEST_F(SchedulerTest, TriesAndDialsAreCountedApart) {
  settings_.max_tries = 2;
  settings_.retry_interval_s = 1;
  settings_.retry_busy_s = 1;
  JobId id = Submit("8006");
  scheduler_->RunDue();
  End(id, FailureKind::kBusy, 0);
  After(std::chrono::seconds(1));
  End(id, FailureKind::kProtocol, 0, "training failed");
  After(std::chrono::seconds(1));
  End(id, FailureKind::kProtocol, 0, "training failed");
  Job j = Stored(id);
  EXPECT_EQ(j.state, JobState::kFailed);
  EXPECT_EQ(j.dials, 3);
  EXPECT_EQ(j.tries, 2);
  EXPECT_THAT(j.status_text, ::testing::HasSubstr("gave up after 2 tries"));
}

TEST_F(SchedulerTest, BadNumberFailsWithoutRetry) {
  JobId id = Submit("404");
  scheduler_->RunDue();
  End(id, FailureKind::kBadNumber, 0, "the number does not exist");
  EXPECT_EQ(Stored(id).state, JobState::kFailed);
  EXPECT_EQ(Stored(id).status_text, "the number does not exist");
  EXPECT_FALSE(scheduler_->NextWakeup().has_value());
}

TEST_F(SchedulerTest, KillTimeEndsARetryingJob) {
  settings_.retry_no_answer_s = 3600;
  JobId id = Submit("8008");
  scheduler_->RunDue();
  End(id, FailureKind::kNoAnswer, 0, "no answer");
  After(std::chrono::hours(1));
  End(id, FailureKind::kNoAnswer, 0, "no answer");
  // The next try would be at 2 h, still before the 3 h kill time; the one after is not.
  After(std::chrono::hours(1));
  End(id, FailureKind::kNoAnswer, 0, "no answer");
  Job j = Stored(id);
  EXPECT_EQ(j.state, JobState::kFailed);
  EXPECT_THAT(j.status_text, ::testing::HasSubstr("kill time"));
}

TEST_F(SchedulerTest, CancelWhileSendingHangsUp) {
  JobId id = Submit("8001");
  scheduler_->RunDue();
  ASSERT_TRUE(scheduler_->Cancel(id, "alice").ok());
  EXPECT_THAT(dialer_.hung_up, ElementsAre(id));
  EXPECT_EQ(Stored(id).state, JobState::kCancelled);
  End(id, FailureKind::kHungUp, 1);
  EXPECT_EQ(Stored(id).state, JobState::kCancelled);
  EXPECT_EQ(store_->ListAttempts(id).value()[0].result, FailureKind::kCancelled);
  auto again = scheduler_->Cancel(id, "alice");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(SchedulerTest, CancelScheduledJob) {
  JobId id = Submit("8001", 127, std::chrono::hours(1));
  ASSERT_TRUE(scheduler_->Cancel(id, "alice").ok());
  EXPECT_EQ(Stored(id).state, JobState::kCancelled);
  After(std::chrono::hours(2));
  EXPECT_TRUE(dialer_.dialled.empty());
}

TEST_F(SchedulerTest, ConcurrencyLimitIsRespected) {
  dialer_.lines = 2;
  for (int i = 0; i < 5; ++i) Submit("80" + std::to_string(10 + i));
  scheduler_->RunDue();
  EXPECT_EQ(dialer_.dialled.size(), 2u);
  End(dialer_.dialled[0].job, FailureKind::kNone, 3);
  scheduler_->RunDue();
  EXPECT_EQ(dialer_.dialled.size(), 3u);
}

TEST_F(SchedulerTest, CrashDuringCallIsCountedAndResumed) {
  JobId id = Submit("8001");
  scheduler_->RunDue();
  scheduler_->OnPageConfirmed(id, 1);
  // The process dies here: a new scheduler over the same store recovers.
  dialer_ = FakeDialer();
  OpenStore();
  ASSERT_TRUE(scheduler_->Recover().ok());
  auto attempts = store_->ListAttempts(id).value();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].result, FailureKind::kInterrupted);
  EXPECT_TRUE(attempts[0].ended_at.has_value());
  scheduler_->RunDue();
  ASSERT_EQ(dialer_.dialled.size(), 1u);
  EXPECT_EQ(dialer_.dialled[0].first_page, 1);
  EXPECT_EQ(Stored(id).tries, 1);
}

TEST_F(SchedulerTest, CrashAfterLastPageConfirmedCountsAsSent) {
  JobId id = Submit("8001");
  scheduler_->RunDue();
  scheduler_->OnPageConfirmed(id, 3);
  dialer_ = FakeDialer();
  OpenStore();
  ASSERT_TRUE(scheduler_->Recover().ok());
  Job j = Stored(id);
  EXPECT_EQ(j.state, JobState::kSucceeded);
  EXPECT_THAT(j.status_text, ::testing::HasSubstr("all were confirmed"));
  EXPECT_EQ(store_->ListAttempts(id).value()[0].pages_sent, 3);
  scheduler_->RunDue();
  EXPECT_TRUE(dialer_.dialled.empty()) << "nothing is left to send";
}

TEST_F(SchedulerTest, HangUpAfterTheLastPageIsASuccess) {
  JobId id = Submit("8001");
  scheduler_->RunDue();
  scheduler_->OnPageConfirmed(id, 3);
  End(id, FailureKind::kHungUp, 3, "far end hung up without DCN");
  Job j = Stored(id);
  EXPECT_EQ(j.state, JobState::kSucceeded);
  EXPECT_THAT(j.status_text, ::testing::HasSubstr("far end hung up without DCN"));
}

TEST_F(SchedulerTest, DialerRefusalIsAFailedAttempt) {
  dialer_.refuse = true;
  JobId id = Submit("8001");
  scheduler_->RunDue();
  Job j = Stored(id);
  EXPECT_EQ(j.state, JobState::kRetrying);
  EXPECT_EQ(j.status_text, "no trunk is up");
}

}  // namespace
}  // namespace faxgate
