#include "sip/sip_status.h"

#include <gtest/gtest.h>

#include <string>

namespace faxgate {
namespace {

struct Row {
  int status;
  std::string phrase;
  FailureKind kind;
  std::string reason;
};

void ExpectDescribed(const std::vector<Row>& rows, std::string_view number,
                     std::string_view trunk) {
  for (const Row& row : rows) {
    SCOPED_TRACE(std::to_string(row.status));
    SipFailure failure = DescribeSipFailure(row.status, row.phrase, number, trunk);
    EXPECT_EQ(ToString(failure.kind), ToString(row.kind));
    EXPECT_EQ(failure.reason, row.reason);
  }
}

TEST(SipStatusTest, TheCalledPartysAnswersSpeakOfTheNumber) {
  ExpectDescribed(
      {
          {486, "Busy Here", FailureKind::kBusy,
           "The line was busy (486 Busy Here from trunk carrier-a)"},
          {600, "Busy Everywhere", FailureKind::kBusy,
           "The line was busy (600 Busy Everywhere from trunk carrier-a)"},
          {480, "Temporarily Unavailable", FailureKind::kNoAnswer,
           "+86 755 8323 5170 did not answer (480 Temporarily Unavailable from trunk carrier-a)"},
          {408, "Request Timeout", FailureKind::kNoAnswer,
           "+86 755 8323 5170 did not answer (408 Request Timeout from trunk carrier-a)"},
          {487, "Request Terminated", FailureKind::kNoAnswer,
           "The call to +86 755 8323 5170 was cancelled before it was answered (487 Request "
           "Terminated from trunk carrier-a)"},
          {404, "Not Found", FailureKind::kBadNumber,
           "The number +86 755 8323 5170 does not exist (404 Not Found from trunk carrier-a)"},
          {484, "Address Incomplete", FailureKind::kBadNumber,
           "The number +86 755 8323 5170 is incomplete (484 Address Incomplete from trunk "
           "carrier-a)"},
          {410, "Gone", FailureKind::kBadNumber,
           "The number +86 755 8323 5170 is no longer in service (410 Gone from trunk carrier-a)"},
          {488, "Not Acceptable Here", FailureKind::kRejected,
           "The far end cannot take a fax call (488 Not Acceptable Here from trunk carrier-a)"},
          {606, "Not Acceptable", FailureKind::kRejected,
           "The far end cannot take a fax call (606 Not Acceptable from trunk carrier-a)"},
          {603, "Decline", FailureKind::kRejected,
           "+86 755 8323 5170 declined the call (603 Decline from trunk carrier-a)"},
      },
      "+86 755 8323 5170", "carrier-a");
}

TEST(SipStatusTest, TheTrunksAnswersNameTheTrunk) {
  ExpectDescribed(
      {
          {403, "Forbidden", FailureKind::kRejected,
           "Trunk carrier-a refused the call: authentication failed or the call is not allowed "
           "(403 Forbidden)"},
          {401, "Unauthorized", FailureKind::kRejected,
           "Trunk carrier-a refused the call: authentication failed (401 Unauthorized)"},
          {407, "Proxy Authentication Required", FailureKind::kRejected,
           "Trunk carrier-a refused the call: authentication failed (407 Proxy Authentication "
           "Required)"},
          {402, "Payment Required", FailureKind::kRejected,
           "Trunk carrier-a refused the call: payment required (402 Payment Required)"},
          {503, "Service Unavailable", FailureKind::kNetwork,
           "Trunk carrier-a is unavailable (503 Service Unavailable)"},
          {502, "Bad Gateway", FailureKind::kNetwork,
           "Trunk carrier-a could not reach the far end (502 Bad Gateway)"},
          {504, "Server Time-out", FailureKind::kNetwork,
           "Trunk carrier-a timed out (504 Server Time-out)"},
          {500, "Server Internal Error", FailureKind::kNetwork,
           "Trunk carrier-a failed (500 Server Internal Error)"},
          {482, "Loop Detected", FailureKind::kNetwork,
           "Trunk carrier-a rejected the call (482 Loop Detected)"},
          {302, "Moved Temporarily", FailureKind::kNetwork,
           "Trunk carrier-a redirected the call, which faxgate does not follow (302 Moved "
           "Temporarily)"},
          {699, "Odd", FailureKind::kRejected, "The far end refused the call (699 Odd)"},
          {0, "", FailureKind::kNetwork, "Trunk carrier-a could not be reached (0)"},
          {904, "No matching challenge", FailureKind::kNetwork,
           "Trunk carrier-a could not be reached (904 No matching challenge)"},
      },
      "+1 604 555 7977", "carrier-a");
}

TEST(SipStatusTest, MissingPhraseNumberAndTrunkReadNaturally) {
  ExpectDescribed(
      {
          {404, "", FailureKind::kBadNumber,
           "The number +1 604 555 7977 does not exist (404 Not Found)"},
          {480, "  ", FailureKind::kNoAnswer,
           "+1 604 555 7977 did not answer (480 Temporarily Unavailable)"},
          {503, "", FailureKind::kNetwork, "The trunk is unavailable (503 Service Unavailable)"},
          {488, "", FailureKind::kRejected,
           "The far end cannot take a fax call (488 Not Acceptable Here)"},
      },
      "+1 604 555 7977", "");
  EXPECT_EQ(DescribeSipFailure(480, "", "", "").reason,
            "The called number did not answer (480 Temporarily Unavailable)");
}

TEST(SipStatusTest, PhrasesFromTheNetworkAreMadePrintableAndShort) {
  SipFailure failure =
      DescribeSipFailure(486, "Busy\r\nX-Injected: 1" + std::string(100, '!'), "+1", "t");
  EXPECT_EQ(failure.reason, "The line was busy (486 Busy??X-Injected: 1" + std::string(41, '!') +
                                "... from trunk t)");
}

TEST(SipStatusTest, RetryFollowsTheKind) {
  EXPECT_TRUE(IsRetryable(DescribeSipFailure(486, "", "+1", "t").kind));
  EXPECT_TRUE(IsRetryable(DescribeSipFailure(480, "", "+1", "t").kind));
  EXPECT_TRUE(IsRetryable(DescribeSipFailure(503, "", "+1", "t").kind));
  EXPECT_FALSE(IsRetryable(DescribeSipFailure(404, "", "+1", "t").kind));
  EXPECT_FALSE(IsRetryable(DescribeSipFailure(403, "", "+1", "t").kind));
  EXPECT_FALSE(IsRetryable(DescribeSipFailure(488, "", "+1", "t").kind));
}

TEST(SipStatusTest, FailOverOnlyWhenTheTrunkFailed) {
  for (int status : {0, 401, 402, 403, 407, 408, 500, 502, 503, 504, 599, 900, 904})
    EXPECT_TRUE(ShouldFailOver(status)) << status;
  for (int status : {302, 404, 480, 484, 486, 487, 488, 600, 603, 604, 606})
    EXPECT_FALSE(ShouldFailOver(status)) << status;
}

}  // namespace
}  // namespace faxgate
