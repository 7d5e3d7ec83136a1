// Two T38FaxSessions back to back, IFP packets in memory, as fast as the CPU goes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fax/background_writer_threads.h"
#include "fax/fax_session.h"
#include "fax/fax_test_support.h"
#include "fax/tiff_document.h"

namespace faxgate {
namespace {

using fax_test::MakeTestDocument;
using fax_test::PageResolution;
using fax_test::RecordingEvents;
using fax_test::T38Link;
using fax_test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class T38FaxSessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InstallFaxLogging(); }

  // Sends `pages` from a calling T.38 terminal to an answering one.
  void Dial(const std::vector<Bitmap>& pages, const FaxOptions& options, const T38Params& t38) {
    ASSERT_TRUE(WriteFaxTiff(dir_ / "send.tif", pages).ok());
    FaxSessionParams send;
    send.role = FaxRole::kSender;
    send.file = dir_ / "send.tif";
    send.options = options;
    send.options.local_ident = "T38 SENDER";
    FaxSessionParams receive;
    receive.role = FaxRole::kReceiver;
    receive.calling_party = false;
    receive.file = dir_ / "received.tif";
    receive.options = options;
    receive.options.local_ident = "T38 RECEIVER";
    auto sender = T38FaxSession::Create(send, t38, link_.SinkFromA(), &sender_events_);
    auto receiver = T38FaxSession::Create(receive, t38, link_.SinkFromB(), &receiver_events_);
    ASSERT_TRUE(sender.ok()) << sender.error().message;
    ASSERT_TRUE(receiver.ok()) << receiver.error().message;
    sender_ = std::move(sender).value();
    receiver_ = std::move(receiver).value();
    link_.Connect(sender_.get(), receiver_.get());
  }

  std::vector<Bitmap> ReceivedPages() {
    auto pages = ReadBitmaps(dir_ / "received.tif");
    EXPECT_TRUE(pages.ok()) << (pages.ok() ? "" : pages.error().message);
    return pages.ok() ? *pages : std::vector<Bitmap>{};
  }

  TempDir dir_;
  T38Link link_;
  RecordingEvents sender_events_;
  RecordingEvents receiver_events_;
  std::unique_ptr<T38FaxSession> sender_;
  std::unique_ptr<T38FaxSession> receiver_;
};

class T38EcmTest : public T38FaxSessionTest, public ::testing::WithParamInterface<bool> {};

TEST_P(T38EcmTest, ThreePagesArriveIdentical) {
  bool ecm = GetParam();
  FaxOptions options;
  options.ecm = ecm;
  auto pages = MakeTestDocument(PageResolution::kFine, 3);
  Dial(pages, options, T38Params{});
  ASSERT_NE(sender_, nullptr);
  ASSERT_TRUE(link_.RunUntilFinished());

  const FaxOutcome& sent = sender_->outcome();
  EXPECT_TRUE(sent.success) << sent.reason;
  EXPECT_TRUE(receiver_->outcome().success) << receiver_->outcome().reason;
  EXPECT_EQ(sent.pages, 3);
  EXPECT_EQ(receiver_->outcome().pages, 3);
  EXPECT_THAT(sender_events_.confirmed, ElementsAre(1, 2, 3));
  EXPECT_EQ(sent.params.bit_rate, 14400);
  EXPECT_EQ(sent.params.ecm, ecm);
  EXPECT_EQ(sent.params.compression, ecm ? "MMR" : "MR");
  EXPECT_EQ(sent.params.remote_ident, "T38 RECEIVER");
  EXPECT_EQ(receiver_->outcome().params.remote_ident, "T38 SENDER");
  EXPECT_GT(link_.max_copies(), 1) << "spandsp asks for indicators to be repeated";
  EXPECT_TRUE(ReceivedPages() == pages);
  // spandsp's own file for the pages (it never gets one) is gone.
  EXPECT_FALSE(std::filesystem::exists(dir_ / "received.tif.spandsp"));
}

INSTANTIATE_TEST_SUITE_P(EcmOnAndOff, T38EcmTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Ecm" : "NoEcm"; });

TEST_F(T38FaxSessionTest, MaxBitRateLimitsTheModem) {
  T38Params t38;
  t38.max_bit_rate = 9600;
  auto pages = MakeTestDocument(PageResolution::kStandard, 1);
  Dial(pages, FaxOptions{}, t38);
  ASSERT_NE(sender_, nullptr);
  ASSERT_TRUE(link_.RunUntilFinished());
  EXPECT_TRUE(sender_->outcome().success) << sender_->outcome().reason;
  EXPECT_EQ(sender_->outcome().params.bit_rate, 9600);
  EXPECT_EQ(sender_->outcome().params.resolution, "standard");
  EXPECT_TRUE(ReceivedPages() == pages);
}

TEST_F(T38FaxSessionTest, ReceiverHangupMidCallIsReportedOnBothSides) {
  auto pages = MakeTestDocument(PageResolution::kFine, 3);
  Dial(pages, FaxOptions{}, T38Params{});
  ASSERT_NE(sender_, nullptr);
  ASSERT_TRUE(link_.RunUntil([&] { return sender_events_.confirmed.size() == 1; }));
  receiver_->Hangup("caller hung up");
  sender_->Hangup("far end hung up");
  link_.Tick();  // the receiver finishes once its pages are written
  EXPECT_TRUE(receiver_->finished());
  EXPECT_EQ(sender_->outcome().kind, FailureKind::kHungUp);
  EXPECT_EQ(sender_->outcome().pages, 1);
  EXPECT_EQ(receiver_->outcome().pages, 1);
  EXPECT_EQ(ReceivedPages().size(), 1u);
}

TEST_F(T38FaxSessionTest, CreateRefusesAnUnknownT38Version) {
  FaxSessionParams receive;
  receive.role = FaxRole::kReceiver;
  receive.file = dir_ / "received.tif";
  T38Params t38;
  t38.version = 7;
  auto session = T38FaxSession::Create(receive, t38, nullptr, nullptr);
  ASSERT_FALSE(session.ok());
  EXPECT_THAT(session.error().message, HasSubstr("T.38 version 7"));
}

// The sender heard the MCF for the last page, then its end of the link stalls: the receiver
// is told a V.21 carrier came up (as before a DCN) and nothing more, until its T.30 gives up
// on the frame. It holds the whole document, so it must not file it as a failed reception;
// nor may the sender call it failed, which would fax it again. (Seen under load, when a
// stalled worker delivered a DCN's indicator but not its data in time.)
TEST_F(T38FaxSessionTest, StuckCarrierAfterTheLastPageIsStillADeliveredFax) {
  auto pages = MakeTestDocument(PageResolution::kStandard, 2);
  Dial(pages, FaxOptions{}, T38Params{});
  ASSERT_NE(sender_, nullptr);
  ASSERT_TRUE(link_.RunUntil([&] { return sender_events_.confirmed.size() == 2; }));
  ASSERT_FALSE(receiver_->finished()) << "the DCN must not have arrived yet";
  // T.38 IFP, t30-indicator v21-preamble (3): type bit 0, value in bits 6..1.
  const uint8_t v21_preamble[] = {0x06};
  receiver_->ReceiveIfp(v21_preamble, 60000);
  for (int tick = 0; tick < 60 * 50 && !receiver_->finished(); ++tick) {
    WaitForBackgroundWork();
    receiver_->Tick(160);
  }
  ASSERT_TRUE(receiver_->finished()) << "the receiver never gave up on the frame";
  sender_->Hangup("far end hung up");

  const FaxOutcome& received = receiver_->outcome();
  EXPECT_NE(received.t30_code, 0) << "spandsp saw the ending go wrong";
  EXPECT_TRUE(received.success) << received.reason;
  EXPECT_EQ(received.reason, "2 pages received");
  EXPECT_TRUE(sender_->outcome().success) << sender_->outcome().reason;
  EXPECT_TRUE(ReceivedPages() == pages);
}

}  // namespace
}  // namespace faxgate
