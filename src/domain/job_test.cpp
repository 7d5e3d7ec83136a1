#include <gtest/gtest.h>

#include "domain/job.h"

namespace faxgate {
namespace {

TEST(JobStateTest, NamesRoundTrip) {
  for (auto s :
       {JobState::kPreparing, JobState::kScheduled, JobState::kQueued, JobState::kSending,
        JobState::kRetrying, JobState::kSucceeded, JobState::kFailed, JobState::kCancelled}) {
    EXPECT_EQ(ParseJobState(ToString(s)), s);
  }
  EXPECT_FALSE(ParseJobState("done").has_value());
}

TEST(JobStateTest, LifecycleMoves) {
  EXPECT_TRUE(CanTransition(JobState::kScheduled, JobState::kQueued));
  EXPECT_TRUE(CanTransition(JobState::kQueued, JobState::kSending));
  EXPECT_TRUE(CanTransition(JobState::kSending, JobState::kRetrying));
  EXPECT_TRUE(CanTransition(JobState::kRetrying, JobState::kQueued));
  EXPECT_TRUE(CanTransition(JobState::kSending, JobState::kSucceeded));
  EXPECT_TRUE(CanTransition(JobState::kSending, JobState::kCancelled));
}

TEST(JobStateTest, PreparedJobsWaitOrQueueAndUnconvertibleOnesFail) {
  EXPECT_TRUE(CanTransition(JobState::kPreparing, JobState::kScheduled));
  EXPECT_TRUE(CanTransition(JobState::kPreparing, JobState::kQueued));
  EXPECT_TRUE(CanTransition(JobState::kPreparing, JobState::kFailed));
  EXPECT_TRUE(CanTransition(JobState::kPreparing, JobState::kCancelled));
  EXPECT_FALSE(CanTransition(JobState::kPreparing, JobState::kSending));
  EXPECT_FALSE(CanTransition(JobState::kQueued, JobState::kPreparing));
}

TEST(JobStateTest, FinalStatesAreFinal) {
  for (auto s : {JobState::kSucceeded, JobState::kFailed, JobState::kCancelled}) {
    EXPECT_FALSE(CanTransition(s, JobState::kQueued));
    EXPECT_FALSE(CanTransition(s, JobState::kCancelled));
  }
  EXPECT_FALSE(CanTransition(JobState::kQueued, JobState::kSucceeded));
  EXPECT_FALSE(CanTransition(JobState::kScheduled, JobState::kSending));
}

TEST(FailureKindTest, RetryRules) {
  EXPECT_TRUE(IsRetryable(FailureKind::kBusy));
  EXPECT_TRUE(IsRetryable(FailureKind::kHungUp));
  EXPECT_FALSE(IsRetryable(FailureKind::kBadNumber));
  EXPECT_FALSE(IsRetryable(FailureKind::kDocument));
  EXPECT_TRUE(ReachedFax(FailureKind::kProtocol));
  EXPECT_FALSE(ReachedFax(FailureKind::kBusy));
  for (auto k : {FailureKind::kBusy, FailureKind::kNoFax, FailureKind::kInterrupted})
    EXPECT_EQ(ParseFailureKind(ToString(k)), k);
}

}  // namespace
}  // namespace faxgate
