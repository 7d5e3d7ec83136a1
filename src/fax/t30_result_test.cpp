#include "fax/t30_result.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spandsp.h>

#include <set>

namespace faxgate {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(T30ResultTest, OkIsDelivered) {
  EXPECT_EQ(ClassifyT30Result(T30_ERR_OK), FailureKind::kNone);
  EXPECT_EQ(DescribeT30Result(T30_ERR_OK), "The fax was delivered");
}

TEST(T30ResultTest, NoFaxAnsweringIsNoFax) {
  EXPECT_EQ(ClassifyT30Result(T30_ERR_T0_EXPIRED), FailureKind::kNoFax);
  EXPECT_THAT(DescribeT30Result(T30_ERR_T0_EXPIRED), HasSubstr("no fax machine answered"));
  EXPECT_THAT(DescribeT30Result(T30_ERR_T0_EXPIRED),
              HasSubstr("(spandsp: Timed out waiting for initial communication)"));
}

TEST(T30ResultTest, FarEndLeavingIsAHangUp) {
  for (int code : {T30_ERR_CALLDROPPED, T30_ERR_TX_BADPG, T30_ERR_TX_GOTDCN, T30_ERR_RX_NOCARRIER,
                   T30_ERR_RX_DCNDATA, T30_ERR_RX_DCNFAX, T30_ERR_RX_T2EXPD}) {
    EXPECT_EQ(ClassifyT30Result(code), FailureKind::kHungUp) << code;
  }
}

TEST(T30ResultTest, TrainingAndPageExchangeFailuresAreProtocolErrors) {
  for (int code :
       {T30_ERR_CANNOT_TRAIN, T30_ERR_TX_PHBDEAD, T30_ERR_TX_PHDDEAD, T30_ERR_TX_ECMPHD,
        T30_ERR_RX_ECMPHD, T30_ERR_INCOMPATIBLE, T30_ERR_RX_INCAPABLE, T30_ERR_RETRYDCN}) {
    EXPECT_EQ(ClassifyT30Result(code), FailureKind::kProtocol) << code;
  }
}

TEST(T30ResultTest, DocumentProblemsAreNotRetried) {
  for (int code : {T30_ERR_FILEERROR, T30_ERR_BADTIFF, T30_ERR_NOPAGE, T30_ERR_NORESSUPPORT,
                   T30_ERR_NOSIZESUPPORT}) {
    EXPECT_EQ(ClassifyT30Result(code), FailureKind::kDocument) << code;
    EXPECT_FALSE(IsRetryable(ClassifyT30Result(code))) << code;
  }
}

TEST(T30ResultTest, EveryCodeHasItsOwnSentence) {
  std::set<std::string> sentences;
  for (int code = T30_ERR_OK; code <= T30_ERR_CSA_UNACCEPTABLE; ++code) {
    std::string text = DescribeT30Result(code);
    EXPECT_THAT(text, Not(HasSubstr("unknown"))) << code;
    EXPECT_TRUE(sentences.insert(text).second) << "duplicate: " << text;
  }
}

TEST(T30ResultTest, UnknownCodesAreRetriedAsProtocolErrors) {
  EXPECT_EQ(ClassifyT30Result(999), FailureKind::kProtocol);
  EXPECT_THAT(DescribeT30Result(999), HasSubstr("unknown T.30 result code 999"));
}

}  // namespace
}  // namespace faxgate
