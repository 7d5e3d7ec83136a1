// Jobs, attempts, inbound faxes, their shared ids, lists and counters.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "store/store_test_util.h"

namespace faxgate {
namespace {

using ::faxgate::testing::At;
using ::faxgate::testing::Must;
using ::faxgate::testing::SampleAttempt;
using ::faxgate::testing::SampleInbound;
using ::faxgate::testing::SampleJob;
using ::faxgate::testing::SampleUser;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    demo_ = Must(store_->CreateUser(SampleUser("demo", "8001")));
    bob_ = Must(store_->CreateUser(SampleUser("bob", "8002")));
  }

  void Reopen() {
    store_.reset();
    store_ = Must(OpenSqliteStore(DbPath()));
  }

  std::filesystem::path DbPath() const { return dir_.path() / "faxgate.db"; }

  // Submits one job per number, owned by `owner`, with two documents.
  std::vector<Job> Submit(const User& owner, std::vector<Job> jobs) {
    NewSubmission s;
    s.owner_id = owner.id;
    s.documents = {Document{0, 0, 0, "offer.pdf", std::string(64, 'a'), 2},
                   Document{0, 0, 0, "terms.docx", std::string(64, 'b'), 5}};
    s.jobs = std::move(jobs);
    return Must(store_->CreateSubmission(s));
  }

  Job SubmitOne(const User& owner, TimePoint submitted_at = At(0)) {
    Job job = SampleJob("83235170");
    job.submitted_at = submitted_at;
    return Submit(owner, {job}).at(0);
  }

  std::vector<JobId> ListJobIds(const JobFilter& filter) {
    std::vector<JobId> ids;
    for (const Job& job : Must(store_->ListJobs(filter))) ids.push_back(job.id);
    return ids;
  }

  testing::ScratchDir dir_;
  std::unique_ptr<Store> store_;
  User demo_;
  User bob_;
};

// ---- Submissions and jobs ----

TEST_F(StoreTest, SubmissionGetsOneGroupAndAnIdPerJob) {
  std::vector<Job> jobs = Submit(demo_, {SampleJob("83235170"), SampleJob("83235180")});

  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_GT(jobs[0].id, 0);
  EXPECT_GT(jobs[1].id, jobs[0].id);
  EXPECT_GT(jobs[0].group_id, 0);
  EXPECT_EQ(jobs[0].group_id, jobs[1].group_id);
  EXPECT_EQ(jobs[1].owner_id, demo_.id);
  EXPECT_EQ(jobs[1].owner_name, "demo");
  EXPECT_EQ(Must(store_->GetJob(jobs[1].id)).number.canonical, "+8675583235180");
}

TEST_F(StoreTest, DocumentsKeepTheirOrder) {
  GroupId group = SubmitOne(demo_).group_id;

  std::vector<Document> docs = Must(store_->ListDocuments(group));

  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].file_name, "offer.pdf");
  EXPECT_EQ(docs[0].ordinal, 0);
  EXPECT_EQ(docs[0].content_hash, std::string(64, 'a'));
  EXPECT_EQ(docs[0].pages, 2);
  EXPECT_EQ(docs[1].file_name, "terms.docx");
  EXPECT_EQ(docs[1].ordinal, 1);
  EXPECT_EQ(docs[1].group_id, group);
  EXPECT_GT(docs[1].id, docs[0].id);
}

TEST_F(StoreTest, ConversionResultsAreSavedOnTheDocumentAndCached) {
  GroupId group = SubmitOne(demo_).group_id;
  std::vector<Document> docs = Must(store_->ListDocuments(group));
  docs[1].type = "docx";
  docs[1].pages = 4;
  docs[1].converted_hash = std::string(64, 'c');
  Must(store_->UpdateDocument(docs[1]));
  Document got = Must(store_->ListDocuments(group))[1];
  EXPECT_EQ(got.type, "docx");
  EXPECT_EQ(got.pages, 4);
  EXPECT_EQ(got.converted_hash, std::string(64, 'c'));

  EXPECT_FALSE(Must(store_->FindConversion(docs[1].content_hash, "fine/a4/cluster")).has_value());
  Must(store_->PutConversion(
      {docs[1].content_hash, "fine/a4/cluster", "docx", got.converted_hash, 4}));
  auto cached = Must(store_->FindConversion(docs[1].content_hash, "fine/a4/cluster"));
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(cached->tiff_hash, got.converted_hash);
  EXPECT_EQ(cached->pages, 4);
  EXPECT_FALSE(
      Must(store_->FindConversion(docs[1].content_hash, "standard/a4/cluster")).has_value());
}

TEST_F(StoreTest, CoverTemplatesAreStoredReplacedAndDeleted) {
  EXPECT_TRUE(Must(store_->ListCoverTemplates()).empty());
  Must(store_->PutCoverTemplate({"acme", "Acme letterhead", "<svg/>", At(0)}));
  Must(store_->PutCoverTemplate({"acme", "Acme letterhead 2", "<svg>2</svg>", At(1)}));
  CoverTemplateRecord t = Must(store_->GetCoverTemplate("acme"));
  EXPECT_EQ(t.title, "Acme letterhead 2");
  EXPECT_EQ(t.svg, "<svg>2</svg>");
  EXPECT_EQ(Must(store_->ListCoverTemplates()).size(), 1u);
  Must(store_->DeleteCoverTemplate("acme"));
  EXPECT_EQ(store_->GetCoverTemplate("acme").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->DeleteCoverTemplate("acme").error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, JobReadsBackWithEveryField) {
  Job created = SubmitOne(demo_);

  testing::ExpectSameJob(created, Must(store_->GetJob(created.id)));
  Reopen();
  testing::ExpectSameJob(created, Must(store_->GetJob(created.id)));
}

TEST_F(StoreTest, UpdateJobWritesEveryMutableField) {
  Job job = SubmitOne(demo_);
  job.number = PhoneNumber{"+1 604 555 7977",         "+16045557977",   "0016045557977", "",
                           CallClass::kInternational, "+1 604 555 7977"};
  job.recipient_name = "Other";
  job.subject = "Changed";
  job.priority = 7;
  job.state = JobState::kSucceeded;
  job.send_at = At(30);
  job.kill_at = At(300);
  job.next_try_at = TimePoint{};  // "none" must survive as none
  job.max_dials = 20;
  job.max_tries = 6;
  job.dials = 3;
  job.tries = 2;
  job.pages_total = 11;
  job.pages_sent = 11;
  job.document = std::string(64, 'f');
  job.status_text = "Sent";
  job.last_failure = FailureKind::kNone;
  job.finished_at = At(31);

  Must(store_->UpdateJob(job));

  testing::ExpectSameJob(job, Must(store_->GetJob(job.id)));
}

TEST_F(StoreTest, MissingJobIsNotFound) {
  Result<Job> got = store_->GetJob(42);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(got.error().message, "no job 42");

  Job job = SampleJob("83235170");
  job.id = 42;
  Status updated = store_->UpdateJob(job);
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(updated.error().message, "no job 42");
}

TEST_F(StoreTest, SubmissionOfUnknownUserLeavesNothingBehind) {
  User ghost;
  ghost.id = 999;
  NewSubmission s{
      ghost.id, {Document{0, 0, 0, "a.pdf", std::string(64, 'a'), 1}}, {SampleJob("83235170")}};

  Result<std::vector<Job>> jobs = store_->CreateSubmission(s);

  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(jobs.error().message, "no user 999");
  EXPECT_THAT(Must(store_->ListJobs({})), IsEmpty());
}

TEST_F(StoreTest, SubmissionWithoutRecipientsIsRefused) {
  Result<std::vector<Job>> jobs = store_->CreateSubmission(NewSubmission{demo_.id, {}, {}});
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.error().code, ErrorCode::kInvalidArgument);
}

// A kill -9 the instant CreateSubmission returns must not lose the job: the commit is done
// before the call returns, not buffered in the process.
TEST_F(StoreTest, JobSurvivesKillRightAfterCreate) {
  store_.reset();
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    JobId id = -1;
    auto store = OpenSqliteStore(DbPath());
    if (store.ok()) {
      auto jobs = (*store)->CreateSubmission(NewSubmission{demo_.id, {}, {SampleJob("1")}});
      if (jobs.ok()) id = jobs->at(0).id;
    }
    (void)!write(pipe_fds[1], &id, sizeof id);
    raise(SIGKILL);
  }
  close(pipe_fds[1]);
  JobId id = 0;
  ASSERT_EQ(read(pipe_fds[0], &id, sizeof id), static_cast<ssize_t>(sizeof id));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_GT(id, 0);

  Reopen();
  EXPECT_EQ(Must(store_->GetJob(id)).owner_name, "demo");
}

TEST_F(StoreTest, ConcurrentSubmissionsGetDistinctIds) {
  constexpr int kThreads = 4;
  constexpr int kEach = 5;
  std::vector<std::vector<JobId>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto jobs = store_->CreateSubmission(NewSubmission{demo_.id, {}, {SampleJob("1")}});
        ids[t].push_back(jobs.ok() ? jobs->at(0).id : -1);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::set<JobId> distinct;
  for (const auto& list : ids) distinct.insert(list.begin(), list.end());
  EXPECT_EQ(distinct.size(), size_t{kThreads * kEach});
  EXPECT_EQ(distinct.count(-1), 0u);
}

// ---- Lists ----

TEST_F(StoreTest, ListJobsNewestFirstFilteredByOwner) {
  JobId a = SubmitOne(demo_).id;
  JobId b = SubmitOne(bob_).id;
  JobId c = SubmitOne(demo_).id;

  EXPECT_THAT(ListJobIds({}), ElementsAre(c, b, a));
  EXPECT_THAT(ListJobIds({.owner_id = demo_.id}), ElementsAre(c, a));
  EXPECT_THAT(ListJobIds({.owner_id = bob_.id}), ElementsAre(b));
  EXPECT_EQ(Must(store_->ListJobs({.owner_id = bob_.id})).at(0).owner_name, "bob");
}

TEST_F(StoreTest, ListJobsFilteredByState) {
  Job queued = SubmitOne(demo_);
  Job failed = SubmitOne(demo_);
  Job sent = SubmitOne(demo_);
  queued.state = JobState::kQueued;
  failed.state = JobState::kFailed;
  sent.state = JobState::kSucceeded;
  for (const Job& job : {queued, failed, sent}) Must(store_->UpdateJob(job));

  EXPECT_THAT(ListJobIds({.states = {JobState::kQueued}}), ElementsAre(queued.id));
  EXPECT_THAT(ListJobIds({.states = {JobState::kSucceeded, JobState::kFailed}}),
              ElementsAre(sent.id, failed.id));
  EXPECT_THAT(ListJobIds({.states = {JobState::kSending}}), IsEmpty());
}

TEST_F(StoreTest, ListJobsFilteredBySubmissionTime) {
  JobId monday = SubmitOne(demo_, At(0)).id;
  JobId tuesday = SubmitOne(demo_, At(24 * 60)).id;
  JobId wednesday = SubmitOne(demo_, At(48 * 60)).id;

  EXPECT_THAT(ListJobIds({.since = At(24 * 60)}), ElementsAre(wednesday, tuesday));
  EXPECT_THAT(ListJobIds({.until = At(24 * 60)}), ElementsAre(monday));
  EXPECT_THAT(ListJobIds({.since = At(1), .until = At(48 * 60)}), ElementsAre(tuesday));
}

TEST_F(StoreTest, ListJobsPagesWithTheCursor) {
  std::vector<Job> batch(25, SampleJob("83235170"));
  std::vector<Job> jobs = Submit(demo_, batch);
  Submit(bob_, {SampleJob("83235170")});

  std::vector<JobId> seen;
  std::vector<size_t> page_sizes;
  JobFilter filter{.owner_id = demo_.id, .limit = 10};
  while (true) {
    std::vector<Job> page = Must(store_->ListJobs(filter));
    if (page.empty()) break;
    page_sizes.push_back(page.size());
    for (const Job& job : page) seen.push_back(job.id);
    filter.before_id = page.back().id;
  }

  EXPECT_THAT(page_sizes, ElementsAre(10u, 10u, 5u));
  std::vector<JobId> want;
  for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) want.push_back(it->id);
  EXPECT_EQ(seen, want);
}

TEST_F(StoreTest, ListLimitBelowOneIsRefused) {
  Result<std::vector<Job>> jobs = store_->ListJobs({.limit = 0});
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.error().code, ErrorCode::kInvalidArgument);
}

// ---- Attempts ----

TEST_F(StoreTest, AttemptIsOpenUntilItEnds) {
  Job job = SubmitOne(demo_);
  Attempt attempt = SampleAttempt(job.id);
  attempt.ended_at.reset();
  attempt.id = Must(store_->BeginAttempt(attempt));
  ASSERT_GT(attempt.id, 0);

  std::vector<Attempt> open = Must(store_->ListOpenAttempts());
  ASSERT_EQ(open.size(), 1u);
  testing::ExpectSameAttempt(attempt, open[0]);

  attempt.ended_at = At(4);
  attempt.result = FailureKind::kProtocol;
  attempt.pages_sent = 2;
  attempt.reason = "DCN after page 5";
  Must(store_->EndAttempt(attempt));

  EXPECT_THAT(Must(store_->ListOpenAttempts()), IsEmpty());
  std::vector<Attempt> all = Must(store_->ListAttempts(job.id));
  ASSERT_EQ(all.size(), 1u);
  testing::ExpectSameAttempt(attempt, all[0]);
}

TEST_F(StoreTest, AttemptsListInOrderPerJob) {
  Job job = SubmitOne(demo_);
  Job other = SubmitOne(demo_);
  for (int n : {1, 2, 3}) {
    Attempt a = SampleAttempt(job.id);
    a.number = n;
    Must(store_->BeginAttempt(a));
  }
  Must(store_->BeginAttempt(SampleAttempt(other.id)));

  std::vector<int> numbers;
  for (const Attempt& a : Must(store_->ListAttempts(job.id))) numbers.push_back(a.number);
  EXPECT_THAT(numbers, ElementsAre(1, 2, 3));
}

TEST_F(StoreTest, AttemptOfUnknownJobIsNotFound) {
  Result<int64_t> id = store_->BeginAttempt(SampleAttempt(77));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(id.error().message, "no job 77");

  Attempt missing = SampleAttempt(SubmitOne(demo_).id);
  missing.id = 5;
  Status ended = store_->EndAttempt(missing);
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.error().message, "no attempt 5");
}

// ---- Inbound faxes ----

TEST_F(StoreTest, InboundReadsBackWithEveryField) {
  InboundFax fax = SampleInbound(demo_.id);
  fax.state = InboundState::kReceiving;
  fax.ended_at.reset();

  InboundFax created = Must(store_->CreateInbound(fax));
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.owner_name, "demo");
  fax.id = created.id;
  fax.owner_name = "demo";
  testing::ExpectSameInbound(fax, created);

  fax.state = InboundState::kReceived;
  fax.ended_at = At(13);
  fax.pages = 9;
  fax.owner_id = bob_.id;
  fax.owner_name = "bob";
  Must(store_->UpdateInbound(fax));
  testing::ExpectSameInbound(fax, Must(store_->GetInbound(fax.id)));
}

TEST_F(StoreTest, InboundWithoutOwnerGoesToTheDefaultInbox) {
  InboundFax created = Must(store_->CreateInbound(SampleInbound(std::nullopt)));

  InboundFax got = Must(store_->GetInbound(created.id));
  EXPECT_FALSE(got.owner_id.has_value());
  EXPECT_EQ(got.owner_name, "");
}

TEST_F(StoreTest, InboundOfUnknownOwnerOrIdIsNotFound) {
  Result<InboundFax> created = store_->CreateInbound(SampleInbound(UserId{555}));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().message, "no user 555");

  Result<InboundFax> got = store_->GetInbound(9);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(got.error().message, "no inbound fax 9");
}

TEST_F(StoreTest, ListInboundFiltersAndPages) {
  InboundFax early = SampleInbound(demo_.id);
  early.started_at = At(0);
  InboundFax failed = SampleInbound(demo_.id);
  failed.state = InboundState::kFailed;
  failed.started_at = At(60);
  InboundFax bobs = SampleInbound(bob_.id);
  bobs.started_at = At(120);
  InboundId a = Must(store_->CreateInbound(early)).id;
  InboundId b = Must(store_->CreateInbound(failed)).id;
  InboundId c = Must(store_->CreateInbound(bobs)).id;

  auto ids = [&](const InboundFilter& filter) {
    std::vector<InboundId> out;
    for (const InboundFax& f : Must(store_->ListInbound(filter))) out.push_back(f.id);
    return out;
  };
  EXPECT_THAT(ids({}), ElementsAre(c, b, a));
  EXPECT_THAT(ids({.owner_id = demo_.id}), ElementsAre(b, a));
  EXPECT_THAT(ids({.states = {InboundState::kFailed}}), ElementsAre(b));
  EXPECT_THAT(ids({.since = At(60), .until = At(120)}), ElementsAre(b));
  EXPECT_THAT(ids({.before_id = c, .limit = 1}), ElementsAre(b));
}

// ---- Ids shared by both directions ----

TEST_F(StoreTest, JobsAndInboundFaxesShareOneIdSequence) {
  std::vector<int64_t> ids;
  ids.push_back(SubmitOne(demo_).id);
  ids.push_back(Must(store_->CreateInbound(SampleInbound(demo_.id))).id);
  for (const Job& job : Submit(demo_, {SampleJob("1"), SampleJob("2")})) ids.push_back(job.id);
  ids.push_back(Must(store_->CreateInbound(SampleInbound(std::nullopt))).id);
  Reopen();
  ids.push_back(SubmitOne(demo_).id);

  for (size_t i = 1; i < ids.size(); ++i) EXPECT_GT(ids[i], ids[i - 1]) << "at " << i;
  EXPECT_EQ(store_->GetInbound(ids[0]).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetJob(ids[1]).error().code, ErrorCode::kNotFound);
}

// ---- Counters ----

TEST_F(StoreTest, CountersAddUpJobsAttemptsAndReceivedFaxes) {
  std::vector<Job> jobs = Submit(demo_, {SampleJob("1"), SampleJob("2"), SampleJob("3")});
  jobs[0].state = JobState::kSucceeded;
  jobs[1].state = JobState::kSucceeded;
  jobs[2].state = JobState::kQueued;
  for (const Job& job : jobs) Must(store_->UpdateJob(job));
  Attempt delivered = SampleAttempt(jobs[0].id);
  delivered.result = FailureKind::kNone;
  delivered.pages_sent = 4;
  Attempt busy = SampleAttempt(jobs[1].id);
  busy.result = FailureKind::kBusy;
  busy.pages_sent = 0;
  Attempt open = SampleAttempt(jobs[2].id);
  open.ended_at.reset();
  open.pages_sent = 1;
  delivered.ended_at = busy.ended_at = At(9);
  for (const Attempt& a : {delivered, busy, open}) Must(store_->BeginAttempt(a));
  InboundFax received = SampleInbound(demo_.id);  // 4 pages
  InboundFax failed = SampleInbound(demo_.id);
  failed.state = InboundState::kFailed;
  for (const InboundFax& f : {received, received, failed}) Must(store_->CreateInbound(f));

  StoreCounters c = Must(store_->Counters());

  EXPECT_EQ(c.jobs_by_state,
            (std::map<JobState, int64_t>{{JobState::kQueued, 1}, {JobState::kSucceeded, 2}}));
  EXPECT_EQ(c.attempts_by_result,
            (std::map<FailureKind, int64_t>{{FailureKind::kNone, 1}, {FailureKind::kBusy, 1}}));
  EXPECT_EQ(c.pages_sent, 5);
  EXPECT_EQ(c.faxes_received, 2);
  EXPECT_EQ(c.pages_received, 8);
}

TEST_F(StoreTest, CountersOfAnEmptyStoreAreZero) {
  StoreCounters c = Must(store_->Counters());
  EXPECT_THAT(c.jobs_by_state, IsEmpty());
  EXPECT_EQ(c.pages_sent, 0);
  EXPECT_EQ(c.faxes_received, 0);
  EXPECT_EQ(c.pages_received, 0);
}

}  // namespace
}  // namespace faxgate
