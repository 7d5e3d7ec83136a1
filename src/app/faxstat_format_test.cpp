#include "app/faxstat_format.h"

#include <gtest/gtest.h>

#include "base/time_format.h"

namespace faxgate {
namespace {

TEST(FaxstatFormatTest, JobRowMatchesHylafaxColumns) {
  TimePoint now = *ParseTime("2026-11-22T08:00:00Z", TimePoint{});
  nlohmann::json job = {{"id", 7},
                        {"priority", 127},
                        {"status", "retrying"},
                        {"owner", "administrator"},
                        {"to", {{"input", "5551234"}, {"display", "+86 755 5551234"}}},
                        {"pages", 3},
                        {"pages_sent", 0},
                        {"dials", 1},
                        {"max_dials", 12},
                        {"next_try_at", nullptr},
                        {"status_text", "Busy signal detected"}};
  std::string row = FormatJobRow(job, now);
  EXPECT_EQ(row.substr(0, 30), "7    127 S admini 5551234     ");
  EXPECT_NE(row.find(" 0:3 "), std::string::npos);
  EXPECT_NE(row.find(" 1:12"), std::string::npos);
  EXPECT_TRUE(row.ends_with("Busy signal detected"));
}

TEST(FaxstatFormatTest, StatusIsCutAt25Characters) {
  nlohmann::json job = {{"id", 1},
                        {"status", "failed"},
                        {"to", {{"input", "1"}}},
                        {"status_text", "abcdefghijklmnopqrstuvwxyz0123"}};
  EXPECT_TRUE(FormatJobRow(job, TimePoint{}).ends_with("abcdefghijklmnopqrstuvwxy"));
  EXPECT_EQ(StateLetter("failed"), 'F');
  EXPECT_EQ(StateLetter("sending"), 'R');
}

TEST(FaxstatFormatTest, CompactTimes) {
  TimePoint now = *ParseTime("2026-11-22T12:00:00Z", TimePoint{});
  EXPECT_EQ(CompactTime(now - std::chrono::minutes(1), now, true), "");
  EXPECT_EQ(CompactTime(now + std::chrono::hours(24 * 30), now, true).size(), 7u);
}

TEST(FaxstatFormatTest, ReceivedRowShowsPagesOwnerSender) {
  nlohmann::json fax = {{"id", 12},
                        {"pages", 3},
                        {"status", "received"},
                        {"owner", "demo"},
                        {"remote_ident", "+86 755 0000"},
                        {"started_at", nullptr}};
  std::string row = FormatReceivedRow(fax, TimePoint{});
  EXPECT_EQ(row.substr(0, 14), "-rw-r--    3  ");
  EXPECT_NE(row.find("demo"), std::string::npos);
  EXPECT_NE(row.find("+86 755 0000"), std::string::npos);
  EXPECT_TRUE(row.ends_with("fax00000012.tif"));
}

}  // namespace
}  // namespace faxgate
