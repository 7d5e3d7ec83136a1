#include <gtest/gtest.h>

#include <filesystem>

#include "base/config.h"
#include "base/files.h"
#include "base/time_format.h"

namespace faxgate {
namespace {

TEST(TimeFormatTest, Rfc3339RoundTrips) {
  TimePoint t(std::chrono::seconds(1'795'000'000));
  auto parsed = ParseTime(FormatRfc3339(t), TimePoint{});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, t);
}

TEST(TimeFormatTest, OffsetsAndRelativeTimes) {
  TimePoint now(std::chrono::seconds(1000));
  EXPECT_EQ(*ParseTime("+10m", now), now + std::chrono::minutes(10));
  EXPECT_EQ(*ParseTime("2026-11-22T16:00:00+08:00", now), *ParseTime("2026-11-22T08:00:00Z", now));
  EXPECT_EQ(*ParseTime("2026-11-22 08:00", now), *ParseTime("2026-11-22T08:00:00Z", now));
}

TEST(TimeFormatTest, NonsenseIsRefusedWithTheText) {
  auto r = ParseTime("tomorrow-ish", TimePoint{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("tomorrow-ish"), std::string::npos);
  EXPECT_FALSE(ParseTime("+5y", TimePoint{}).ok());
  EXPECT_FALSE(ParseTime("2026-13-01", TimePoint{}).ok());
}

TEST(ConfigTest, EmptyFileGivesTheDemoDefaults) {
  auto c = ParseConfig("");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->http_listen, "127.0.0.1:8080");
  EXPECT_EQ(c->loopback.pace, Pace::kRealtime);
}

TEST(ConfigTest, LoopbackBehavioursAreRead) {
  auto c = ParseConfig(R"(
data_dir = "/tmp/x"
[loopback]
pace = "fast"
busy = ["8009"]
drop_after_pages = { "8006" = 2 }
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->loopback.pace, Pace::kFast);
  EXPECT_EQ(c->loopback.busy, std::vector<std::string>{"8009"});
  EXPECT_EQ(c->loopback.drop_after_pages.at("8006"), 2);
}

TEST(ConfigTest, TyposAreNamed) {
  auto c = ParseConfig("[loopback]\npase = \"fast\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("loopback.pase"), std::string::npos);
  auto bad = ParseConfig("[loopback]\npace = \"slow\"\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("slow"), std::string::npos);
}

TEST(FilesTest, AtomicWriteReplacesWholeFile) {
  auto dir = std::filesystem::temp_directory_path() / ("fg-files-" + RandomHex(4));
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteFileAtomic(dir / "a", "first").ok());
  ASSERT_TRUE(WriteFileAtomic(dir / "a", "second").ok());
  EXPECT_EQ(*ReadFile(dir / "a"), "second");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
  std::filesystem::remove_all(dir);
}

TEST(FilesTest, Sha256OfKnownText) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace faxgate
