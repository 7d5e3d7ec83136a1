#include "lines/line_pool.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "base/files.h"
#include "fax/tiff_document.h"

namespace faxgate {
namespace {

// A page with text-like content: rows of small black marks of varying width.
Bitmap TestPage(int seed) {
  Bitmap b;
  b.width = 1728;
  b.height = 1146;
  b.stride = b.width / 8;
  b.x_dpi = 204;
  b.y_dpi = 98;
  b.bits.assign(static_cast<size_t>(b.stride) * b.height, 0);
  std::mt19937 rng(seed);
  for (int line = 40; line < b.height - 40; line += 24) {
    for (int x = 100; x < b.width - 120;) {
      int w = 6 + static_cast<int>(rng() % 30);
      for (int y = line; y < line + 12; ++y)
        for (int i = x; i < x + w; ++i) b.bits[y * b.stride + i / 8] |= 0x80 >> (i % 8);
      x += w + 8 + static_cast<int>(rng() % 20);
    }
  }
  return b;
}

struct Recorder : InboundHandler, OutboundEvents {
  Result<InboundTicket> OnIncomingCall(const IncomingCall& call) override {
    if (call.called_number == "9999") return MakeError(ErrorCode::kNotFound, "no such DID");
    InboundTicket t;
    t.id = ++inbound_count;
    t.receive_path = dir / ("rx-" + std::to_string(t.id) + ".tif");
    received_paths.push_back(t.receive_path);
    return t;
  }
  void OnInboundPage(InboundId, int pages) override { inbound_pages = pages; }
  void OnInboundEnded(InboundId, const CallReport& r) override { inbound_reports.push_back(r); }
  void OnPageConfirmed(JobId, int pages) override { confirmed.push_back(pages); }
  void OnCallEnded(JobId, const CallReport& r) override {
    outbound_reports.push_back(r);
    io->stop();
  }

  std::filesystem::path dir;
  boost::asio::io_context* io = nullptr;
  int inbound_count = 0;
  int inbound_pages = 0;
  std::vector<std::filesystem::path> received_paths;
  std::vector<CallReport> inbound_reports, outbound_reports;
  std::vector<int> confirmed;
};

class LinePoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fg-lines-" + RandomHex(6));
    std::filesystem::create_directories(dir_);
    rec_.dir = dir_;
    rec_.io = &io_;
    pages_ = {TestPage(1), TestPage(2), TestPage(3)};
    ASSERT_TRUE(WriteFaxTiff(dir_ / "doc.tif", pages_).ok());
    config_.loopback.pace = Pace::kFast;
    config_.media_workers = 1;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Places one call to `number` and runs the control loop until it has ended.
  CallReport Call(const std::string& number, int first_page = 0) {
    LinePool pool(
        io_, config_,
        [] {
          FaxOptions o;
          o.local_ident = "+86 755 0000";
          return o;
        },
        rec_, rec_);
    if (!pool.Start().ok()) {
      ADD_FAILURE() << "the line pool did not start";
      return {};
    }
    DialRequest r;
    r.job = 1;
    r.number.dial_string = number;
    r.number.display = number;
    r.document = dir_ / "doc.tif";
    r.first_page = first_page;
    r.pages_total = 3;
    EXPECT_TRUE(pool.Dial(r).ok());
    io_.restart();
    io_.run();
    pool.Stop();
    io_.restart();
    io_.poll();  // the inbound side's last report
    EXPECT_EQ(rec_.outbound_reports.size(), 1u);
    return rec_.outbound_reports.empty() ? CallReport{} : rec_.outbound_reports.back();
  }

  std::filesystem::path dir_;
  boost::asio::io_context io_;
  // The control loop has no work of its own here; the guard keeps run() waiting for the
  // worker's posts until OnCallEnded stops it.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_ =
      boost::asio::make_work_guard(io_);
  Recorder rec_;
  Config config_;
  std::vector<Bitmap> pages_;
};

TEST_F(LinePoolTest, FaxArrivesPixelIdenticalOnTheInboundSide) {
  CallReport r = Call("8001");
  EXPECT_EQ(r.kind, FailureKind::kNone) << r.reason;
  EXPECT_EQ(r.pages, 3);
  EXPECT_EQ(r.trunk, "loopback");
  ASSERT_EQ(rec_.inbound_reports.size(), 1u);
  EXPECT_EQ(rec_.inbound_reports[0].kind, FailureKind::kNone);
  auto got = ReadBitmaps(rec_.received_paths[0]);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE((*got)[i] == pages_[i]) << "page " << i + 1;
  EXPECT_EQ(rec_.confirmed.back(), 3);
}

TEST_F(LinePoolTest, ResumeSendsOnlyTheRemainingPages) {
  CallReport r = Call("8001", 2);
  EXPECT_EQ(r.kind, FailureKind::kNone) << r.reason;
  auto got = ReadBitmaps(rec_.received_paths[0]);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_TRUE((*got)[0] == pages_[2]);
}

TEST_F(LinePoolTest, BusyNumberIsBusy) {
  config_.loopback.busy = {"8009"};
  CallReport r = Call("8009");
  EXPECT_EQ(r.kind, FailureKind::kBusy);
  EXPECT_NE(r.reason.find("Busy"), std::string::npos);
  EXPECT_TRUE(rec_.inbound_reports.empty());
}

TEST_F(LinePoolTest, FailCountMakesTheNumberWorkLater) {
  config_.loopback.busy = {"8009"};
  config_.loopback.fail_count = 1;
  LinePool pool(
      io_, config_, [] { return FaxOptions{}; }, rec_, rec_);
  ASSERT_TRUE(pool.Start().ok());
  DialRequest r;
  r.job = 1;
  r.number.dial_string = "8009";
  r.document = dir_ / "doc.tif";
  ASSERT_TRUE(pool.Dial(r).ok());
  io_.run();
  ASSERT_TRUE(pool.Dial(r).ok());
  io_.restart();
  io_.run();
  pool.Stop();
  ASSERT_EQ(rec_.outbound_reports.size(), 2u);
  EXPECT_EQ(rec_.outbound_reports[0].kind, FailureKind::kBusy);
  EXPECT_EQ(rec_.outbound_reports[1].kind, FailureKind::kNone) << rec_.outbound_reports[1].reason;
}

TEST_F(LinePoolTest, DropAfterTwoPagesKeepsTwoConfirmed) {
  config_.loopback.drop_after_pages = {{"8006", 2}};
  CallReport r = Call("8006");
  EXPECT_EQ(r.kind, FailureKind::kHungUp) << r.reason;
  EXPECT_EQ(r.pages, 2);
  ASSERT_EQ(rec_.inbound_reports.size(), 1u);
  EXPECT_EQ(rec_.inbound_pages, 2);
}

TEST_F(LinePoolTest, NoAnswerAndNoFax) {
  config_.loopback.no_answer = {"8008"};
  EXPECT_EQ(Call("8008").kind, FailureKind::kNoAnswer);
  rec_.outbound_reports.clear();
  config_.loopback.no_fax = {"8007"};
  CallReport r = Call("8007");
  EXPECT_EQ(r.kind, FailureKind::kNoFax);
  EXPECT_NE(r.reason.find("not with a fax machine"), std::string::npos);
}

TEST_F(LinePoolTest, UnknownDidIsRefused) {
  CallReport r = Call("9999");
  EXPECT_EQ(r.kind, FailureKind::kBadNumber);
  EXPECT_NE(r.reason.find("no such DID"), std::string::npos);
}

TEST_F(LinePoolTest, HangUpEndsTheCall) {
  LinePool pool(
      io_, config_, [] { return FaxOptions{}; }, rec_, rec_);
  ASSERT_TRUE(pool.Start().ok());
  DialRequest r;
  r.job = 7;
  r.number.dial_string = "8001";
  r.document = dir_ / "doc.tif";
  ASSERT_TRUE(pool.Dial(r).ok());
  pool.HangUp(7);
  io_.run();
  pool.Stop();
  ASSERT_EQ(rec_.outbound_reports.size(), 1u);
  EXPECT_NE(rec_.outbound_reports[0].kind, FailureKind::kNone);
}

}  // namespace
}  // namespace faxgate
