// Two AudioFaxSessions back to back through G.711, as fast as the CPU goes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "fax/background_writer_threads.h"
#include "fax/fax_session.h"
#include "fax/fax_test_support.h"
#include "fax/tiff_document.h"

namespace faxgate {
namespace {

using fax_test::AudioLink;
using fax_test::Codec;
using fax_test::MakeBlankPage;
using fax_test::MakeTestDocument;
using fax_test::PageResolution;
using fax_test::RecordingEvents;
using fax_test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

enum class Offer { kMh, kMhMr, kMhMrMmr };

FaxOptions Offering(Offer offer, bool ecm) {
  FaxOptions options;
  options.ecm = ecm;
  options.mr = offer != Offer::kMh;
  options.mmr = offer == Offer::kMhMrMmr;
  return options;
}

// A dialled call: the caller sends, the answerer receives.
struct AudioCall {
  RecordingEvents sender_events;
  RecordingEvents receiver_events;
  std::unique_ptr<AudioFaxSession> sender;
  std::unique_ptr<AudioFaxSession> receiver;
  std::unique_ptr<AudioLink> link;
};

class AudioFaxSessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InstallFaxLogging(); }

  std::filesystem::path WriteDocument(const std::vector<Bitmap>& pages) {
    auto path = dir_ / "send.tif";
    EXPECT_TRUE(WriteFaxTiff(path, pages).ok());
    return path;
  }

  FaxSessionParams SenderParams(const std::filesystem::path& file, FaxOptions options) {
    FaxSessionParams params;
    params.role = FaxRole::kSender;
    params.calling_party = true;
    params.file = file;
    params.options = std::move(options);
    params.options.local_ident = "+1 555 0100";
    params.log_tag = "sender";
    return params;
  }

  FaxSessionParams ReceiverParams(FaxOptions options) {
    FaxSessionParams params;
    params.role = FaxRole::kReceiver;
    params.calling_party = false;
    params.file = received_path();
    params.options = std::move(options);
    params.options.local_ident = "+1 555 0199";
    params.log_tag = "receiver";
    return params;
  }

  std::unique_ptr<AudioCall> Dial(const FaxSessionParams& send, const FaxSessionParams& receive,
                                  Codec codec = Codec::kUlaw) {
    auto call = std::make_unique<AudioCall>();
    auto sender = AudioFaxSession::Create(send, &call->sender_events);
    auto receiver = AudioFaxSession::Create(receive, &call->receiver_events);
    EXPECT_TRUE(sender.ok()) << (sender.ok() ? "" : sender.error().message);
    EXPECT_TRUE(receiver.ok()) << (receiver.ok() ? "" : receiver.error().message);
    if (!sender.ok() || !receiver.ok()) return nullptr;
    call->sender = std::move(sender).value();
    call->receiver = std::move(receiver).value();
    call->link = std::make_unique<AudioLink>(*call->sender, *call->receiver, codec);
    return call;
  }

  // Sends `pages` with these options on both sides and returns the finished call.
  std::unique_ptr<AudioCall> SendDocument(const std::vector<Bitmap>& pages,
                                          const FaxOptions& options, Codec codec) {
    auto call = Dial(SenderParams(WriteDocument(pages), options), ReceiverParams(options), codec);
    if (call == nullptr) return nullptr;
    EXPECT_TRUE(call->link->RunUntilFinished()) << "call did not finish";
    return call;
  }

  std::vector<Bitmap> ReceivedPages() {
    auto pages = ReadBitmaps(received_path());
    EXPECT_TRUE(pages.ok()) << (pages.ok() ? "" : pages.error().message);
    return pages.ok() ? *pages : std::vector<Bitmap>{};
  }

  std::filesystem::path received_path() const { return dir_ / "received.tif"; }

  TempDir dir_;
};

TEST_F(AudioFaxSessionTest, ThreeFinePagesArriveIdenticalWithMmrAndEcm) {
  auto pages = MakeTestDocument(PageResolution::kFine, 3);
  auto call = SendDocument(pages, Offering(Offer::kMhMrMmr, true), Codec::kUlaw);
  ASSERT_NE(call, nullptr);
  EXPECT_TRUE(call->sender->outcome().success) << call->sender->outcome().reason;
  EXPECT_TRUE(call->receiver->outcome().success) << call->receiver->outcome().reason;
  EXPECT_EQ(call->sender->outcome().pages, 3);
  EXPECT_EQ(call->receiver->outcome().pages, 3);
  EXPECT_THAT(call->sender_events.confirmed, ElementsAre(1, 2, 3));
  EXPECT_THAT(call->receiver_events.received, ElementsAre(1, 2, 3));
  EXPECT_EQ(call->sender_events.finished_calls, 1);
  EXPECT_EQ(call->receiver_events.finished_calls, 1);
  EXPECT_TRUE(ReceivedPages() == pages);
}

TEST_F(AudioFaxSessionTest, ThreeStandardPagesArriveIdenticalWithMrOverAlaw) {
  auto pages = MakeTestDocument(PageResolution::kStandard, 3);
  auto call = SendDocument(pages, Offering(Offer::kMhMr, false), Codec::kAlaw);
  ASSERT_NE(call, nullptr);
  EXPECT_TRUE(call->sender->outcome().success) << call->sender->outcome().reason;
  EXPECT_EQ(call->sender->outcome().params.compression, "MR");
  EXPECT_FALSE(call->sender->outcome().params.ecm);
  EXPECT_EQ(call->receiver->outcome().pages, 3);
  EXPECT_TRUE(ReceivedPages() == pages);
}

TEST_F(AudioFaxSessionTest, ThreeFinePagesArriveIdenticalWithMhOnly) {
  auto pages = MakeTestDocument(PageResolution::kFine, 3);
  auto call = SendDocument(pages, Offering(Offer::kMh, false), Codec::kUlaw);
  ASSERT_NE(call, nullptr);
  EXPECT_TRUE(call->receiver->outcome().success) << call->receiver->outcome().reason;
  EXPECT_EQ(call->receiver->outcome().params.compression, "MH");
  EXPECT_TRUE(ReceivedPages() == pages);
}

TEST_F(AudioFaxSessionTest, NegotiationReportsWhatBothSidesOffered) {
  auto call = SendDocument(MakeTestDocument(PageResolution::kFine, 1),
                           Offering(Offer::kMhMrMmr, true), Codec::kUlaw);
  ASSERT_NE(call, nullptr);
  for (const RecordingEvents* events : {&call->sender_events, &call->receiver_events}) {
    ASSERT_EQ(events->negotiated.size(), 1u);
    const NegotiatedParams& params = events->negotiated[0];
    EXPECT_EQ(params.bit_rate, 14400);
    EXPECT_TRUE(params.ecm);
    EXPECT_EQ(params.compression, "MMR");
    EXPECT_EQ(params.resolution, "fine");
    EXPECT_EQ(params.page_width, 1728);
  }
  EXPECT_EQ(call->sender_events.negotiated[0].remote_ident, "+1 555 0199");
  EXPECT_EQ(call->receiver_events.negotiated[0].remote_ident, "+1 555 0100");
  EXPECT_EQ(call->sender->outcome().params.compression, "MMR");
  // The caller hears DIS and answers with DCS; the answerer confirms the page with MCF.
  EXPECT_TRUE(call->sender_events.Saw(/*incoming=*/true, "DIS"));
  EXPECT_TRUE(call->sender_events.Saw(false, "DCS"));
  EXPECT_TRUE(call->sender_events.Saw(true, "MCF"));
  EXPECT_TRUE(call->receiver_events.Saw(false, "DIS"));
  EXPECT_TRUE(call->receiver_events.Saw(true, "DCS"));
  EXPECT_TRUE(call->receiver_events.Saw(false, "MCF"));
  EXPECT_FALSE(call->receiver_events.Saw(true, "FCD")) << "ECM image frames are not traced";
}

TEST_F(AudioFaxSessionTest, ResumeAtThirdPageSendsOnlyThatPage) {
  auto pages = MakeTestDocument(PageResolution::kFine, 3);
  auto send = SenderParams(WriteDocument(pages), Offering(Offer::kMhMrMmr, true));
  send.first_page = 2;
  auto call = Dial(send, ReceiverParams(Offering(Offer::kMhMrMmr, true)));
  ASSERT_NE(call, nullptr);
  ASSERT_TRUE(call->link->RunUntilFinished());
  EXPECT_TRUE(call->sender->outcome().success) << call->sender->outcome().reason;
  EXPECT_EQ(call->sender->outcome().pages, 1);
  EXPECT_THAT(call->sender_events.confirmed, ElementsAre(1));
  auto received = ReceivedPages();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(received[0] == pages[2]);
}

// The far end hangs up while page 3 is on its way: two pages are confirmed, and a retry
// will resume at page 3.
TEST_F(AudioFaxSessionTest, HangupDuringThirdPageKeepsTwoConfirmedPages) {
  auto pages = MakeTestDocument(PageResolution::kFine, 3);
  auto options = Offering(Offer::kMhMrMmr, true);
  auto call = Dial(SenderParams(WriteDocument(pages), options), ReceiverParams(options));
  ASSERT_NE(call, nullptr);
  ASSERT_TRUE(call->link->RunUntil([&] { return call->sender_events.confirmed.size() == 2; }));
  call->receiver->Hangup("caller hung up");
  call->sender->Hangup("far end hung up");
  call->sender->Hangup("hung up twice");  // idempotent
  // The receiver's outcome is known at once; it has finished once its pages are written.
  call->link->Tick();
  EXPECT_TRUE(call->receiver->finished());

  const FaxOutcome& sent = call->sender->outcome();
  EXPECT_FALSE(sent.success);
  EXPECT_EQ(sent.kind, FailureKind::kHungUp);
  EXPECT_EQ(sent.pages, 2);
  EXPECT_THAT(sent.reason, HasSubstr("Far end hung up before page 3 was confirmed"));
  EXPECT_EQ(sent.params.compression, "MMR");
  const FaxOutcome& received = call->receiver->outcome();
  EXPECT_FALSE(received.success);
  EXPECT_EQ(received.kind, FailureKind::kHungUp);
  EXPECT_EQ(received.pages, 2);
  EXPECT_THAT(received.reason, HasSubstr("Caller hung up after 2 pages received"));
  EXPECT_EQ(call->sender_events.finished_calls, 1);
  EXPECT_EQ(call->receiver_events.finished_calls, 1);
  auto kept = ReceivedPages();
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_TRUE(kept[0] == pages[0]);
  EXPECT_TRUE(kept[1] == pages[1]);
}

// The receiver hangs up from inside its page callback, the moment page 2 is written. Its MCF
// for page 2 is never sent, so the sender has only page 1 confirmed: a retry sends page 2
// again rather than risk losing it.
TEST_F(AudioFaxSessionTest, HangupRightAfterPageTwoIsWrittenLeavesItUnconfirmed) {
  auto pages = MakeTestDocument(PageResolution::kStandard, 3);
  auto options = Offering(Offer::kMhMr, false);
  auto call = Dial(SenderParams(WriteDocument(pages), options), ReceiverParams(options));
  ASSERT_NE(call, nullptr);
  AudioFaxSession* receiver = call->receiver.get();
  call->receiver_events.on_page_received = [receiver](int pages_so_far) {
    if (pages_so_far == 2) receiver->Hangup("receiver hung up");
  };
  ASSERT_TRUE(call->link->RunUntil([&] { return call->receiver->finished(); }));
  call->sender->Hangup("far end hung up");

  EXPECT_EQ(call->receiver->outcome().pages, 2);
  EXPECT_EQ(ReceivedPages().size(), 2u);
  EXPECT_EQ(call->sender->outcome().kind, FailureKind::kHungUp);
  EXPECT_EQ(call->sender->outcome().pages, 1);
  EXPECT_THAT(call->sender->outcome().reason, HasSubstr("before page 2 was confirmed"));
}

// The receiver cuts the call once it holds max_receive_pages, but only after its MCF for the
// last page has gone out, so the sender knows that page arrived. With and without ECM.
TEST_F(AudioFaxSessionTest, ReceiverStopsAtItsPageLimitAfterConfirmingTheLastPage) {
  auto pages = MakeTestDocument(PageResolution::kStandard, 3);
  for (bool ecm : {true, false}) {
    SCOPED_TRACE(ecm ? "ECM" : "no ECM");
    auto options = Offering(Offer::kMhMrMmr, ecm);
    auto receive = ReceiverParams(options);
    receive.options.max_receive_pages = 2;
    auto call = Dial(SenderParams(WriteDocument(pages), options), receive);
    ASSERT_NE(call, nullptr);
    ASSERT_TRUE(call->link->RunUntil([&] { return call->receiver->finished(); }));
    call->sender->Hangup("far end hung up");  // what the BYE would do

    EXPECT_FALSE(call->receiver->outcome().success);
    EXPECT_EQ(call->receiver->outcome().pages, 2);
    EXPECT_THAT(call->receiver->outcome().reason,
                HasSubstr("The receive limit of 2 pages was reached after 2 pages received"));
    EXPECT_EQ(ReceivedPages().size(), 2u);
    EXPECT_EQ(call->sender->outcome().pages, 2) << "the MCF for page 2 got through";
  }
}

// Page 1 of 2 is in and confirmed, then the line drops: the receiver holds an incomplete fax
// and says so, even though it has every page it was sent so far.
TEST_F(AudioFaxSessionTest, LossBeforeTheLastPageIsAFailedReception) {
  auto pages = MakeTestDocument(PageResolution::kStandard, 2);
  auto options = Offering(Offer::kMhMrMmr, true);
  auto call = Dial(SenderParams(WriteDocument(pages), options), ReceiverParams(options));
  ASSERT_NE(call, nullptr);
  ASSERT_TRUE(call->link->RunUntil([&] { return call->sender_events.confirmed.size() == 1; }));
  call->receiver->Hangup("caller hung up");
  call->sender->Hangup("far end hung up");
  EXPECT_FALSE(call->receiver->outcome().success);
  EXPECT_THAT(call->receiver->outcome().reason, HasSubstr("after 1 page received"));
  EXPECT_FALSE(call->sender->outcome().success);
}

// 200 ms of the receiver's audio are lost during the training that follows the first DCS (as
// happens on G.711 with packet loss). The receiver cannot train, so it does not answer; the
// sender repeats the DCS, and the second training check goes through. spandsp 0.0.6 alone
// would call that repeated DCS unexpected and hang up (t30_repair.h).
TEST_F(AudioFaxSessionTest, TrainingLostOnceIsTriedAgain) {
  auto pages = MakeTestDocument(PageResolution::kStandard, 1);
  auto options = Offering(Offer::kMhMrMmr, true);
  auto call = Dial(SenderParams(WriteDocument(pages), options), ReceiverParams(options));
  ASSERT_NE(call, nullptr);
  std::vector<int16_t> to_receiver(160), to_sender(160);
  int ticks_since_dcs = -1;
  for (int tick = 0; tick < 120 * 50 && !call->receiver->finished(); ++tick) {
    WaitForBackgroundWork();  // page writing takes no call time here (see AudioLink::Tick)
    if (ticks_since_dcs < 0 && call->receiver_events.Saw(true, "DCS")) ticks_since_dcs = 0;
    call->sender->Transmit(to_receiver);
    call->receiver->Transmit(to_sender);
    bool lost = ticks_since_dcs >= 5 && ticks_since_dcs < 15;
    if (ticks_since_dcs >= 0) ++ticks_since_dcs;
    if (lost) {
      call->receiver->ReceiveLost(160);
    } else {
      call->receiver->Receive(to_receiver);
    }
    call->sender->Receive(to_sender);
  }
  ASSERT_TRUE(call->receiver->finished());
  call->sender->Hangup("far end hung up");
  int dcs_heard = 0;
  for (const auto& [incoming, frame] : call->receiver_events.frames)
    dcs_heard += incoming && frame == "DCS";
  EXPECT_GE(dcs_heard, 2) << "the first training check must have failed";
  EXPECT_TRUE(call->receiver->outcome().success) << call->receiver->outcome().reason;
  EXPECT_TRUE(call->sender->outcome().success) << call->sender->outcome().reason;
  EXPECT_TRUE(ReceivedPages() == pages);
}

TEST_F(AudioFaxSessionTest, HangupAfterTheEndChangesNothing) {
  auto call = SendDocument(MakeTestDocument(PageResolution::kStandard, 1),
                           Offering(Offer::kMhMrMmr, true), Codec::kUlaw);
  ASSERT_NE(call, nullptr);
  call->sender->Hangup("late BYE");
  EXPECT_TRUE(call->sender->outcome().success);
  EXPECT_EQ(call->sender->outcome().t30_code, 0);
  EXPECT_EQ(call->sender->outcome().kind, FailureKind::kNone);
  EXPECT_EQ(call->sender_events.finished_calls, 1);
}

TEST_F(AudioFaxSessionTest, HangupBeforeAnswerIsAHangUpWithNoPages) {
  auto call = Dial(
      SenderParams(WriteDocument(MakeTestDocument(PageResolution::kStandard, 1)), FaxOptions{}),
      ReceiverParams(FaxOptions{}));
  ASSERT_NE(call, nullptr);
  call->link->Tick();
  call->sender->Hangup("");
  EXPECT_TRUE(call->sender->finished());
  EXPECT_EQ(call->sender->outcome().kind, FailureKind::kHungUp);
  EXPECT_EQ(call->sender->outcome().pages, 0);
  EXPECT_THAT(call->sender->outcome().reason, HasSubstr("before page 1 was confirmed"));
}

TEST_F(AudioFaxSessionTest, TransmitFillsTheWholeSpan) {
  auto call = Dial(
      SenderParams(WriteDocument(MakeTestDocument(PageResolution::kStandard, 1)), FaxOptions{}),
      ReceiverParams(FaxOptions{}));
  ASSERT_NE(call, nullptr);
  for (size_t size : {160u, 1u, 1000u}) {
    std::vector<int16_t> out(size, 31111);  // a value no fax signal produces here
    call->receiver->Transmit(out);
    EXPECT_EQ(std::count(out.begin(), out.end(), 31111), 0) << size;
  }
}

TEST_F(AudioFaxSessionTest, DestroyingAnUnfinishedSessionReportsNothing) {
  RecordingEvents events;
  {
    auto session = AudioFaxSession::Create(ReceiverParams(FaxOptions{}), &events);
    ASSERT_TRUE(session.ok());
  }
  EXPECT_EQ(events.finished_calls, 0);
}

// --- Create refuses documents a fax line cannot carry -------------------------------------

class AudioFaxCreateTest : public AudioFaxSessionTest {
 protected:
  std::string CreateError(const std::filesystem::path& file, int first_page = 0) {
    auto params = SenderParams(file, FaxOptions{});
    params.first_page = first_page;
    RecordingEvents events;
    auto session = AudioFaxSession::Create(params, &events);
    return session.ok() ? "" : session.error().message;
  }
};

TEST_F(AudioFaxCreateTest, MissingFile) {
  auto file = dir_ / "nothing.tif";
  std::string error = CreateError(file);
  EXPECT_THAT(error, HasSubstr(file.string()));
  EXPECT_THAT(error, HasSubstr("does not exist"));
}

TEST_F(AudioFaxCreateTest, PageOfWrongWidth) {
  auto file = dir_ / "narrow.tif";
  ASSERT_TRUE(WriteFaxTiff(file, {MakeBlankPage(1700, 1146, 204, 98)}).ok());
  EXPECT_EQ(CreateError(file), file.string() +
                                   " page 1 is 1700 pixels wide; a fax page is 1728 (A4/Letter), "
                                   "2048 (B4) or 2432 (A3)");
}

TEST_F(AudioFaxCreateTest, PageAt300Dpi) {
  auto file = dir_ / "scan.tif";
  ASSERT_TRUE(WriteFaxTiff(file, {MakeBlankPage(1728, 3300, 300, 300)}).ok());
  EXPECT_EQ(CreateError(file),
            file.string() + " page 1 has 300 dpi across; a fax page has 204 (8 pixels per mm)");
}

TEST_F(AudioFaxCreateTest, RandomBytes) {
  auto file = dir_ / "noise.tif";
  std::string noise("II*\0", 4);  // a TIFF signature, then rubbish
  for (int i = 0; i < 1000; ++i) noise.push_back(static_cast<char>((i * 7919) % 251));
  std::ofstream(file, std::ios::binary) << noise;
  std::string error = CreateError(file);
  EXPECT_THAT(error, HasSubstr(file.string()));
  EXPECT_THAT(error, HasSubstr("is not a TIFF file"));
}

TEST_F(AudioFaxCreateTest, FirstPageBeyondTheEnd) {
  auto file = WriteDocument(MakeTestDocument(PageResolution::kStandard, 2));
  EXPECT_EQ(CreateError(file, 2), file.string() + " has 2 pages; cannot start at page 3");
}

TEST_F(AudioFaxCreateTest, IdentTooLong) {
  auto params =
      SenderParams(WriteDocument(MakeTestDocument(PageResolution::kStandard, 1)), FaxOptions{});
  params.options.local_ident = "+1 555 0100 0100 0100 0100";
  auto session = AudioFaxSession::Create(params, nullptr);
  ASSERT_FALSE(session.ok());
  EXPECT_THAT(session.error().message, HasSubstr("at most 20"));
}

// --- every offer, ECM on and off, both resolutions, both laws: one page each ---------------

struct MatrixCase {
  Codec codec;
  Offer offer;
  bool ecm;
  PageResolution resolution;
};

std::string Name(const MatrixCase& c) {
  std::string name = c.codec == Codec::kUlaw ? "Ulaw" : "Alaw";
  name += c.offer == Offer::kMh ? "Mh" : c.offer == Offer::kMhMr ? "MhMr" : "MhMrMmr";
  name += c.ecm ? "Ecm" : "NoEcm";
  name += c.resolution == PageResolution::kFine ? "Fine" : "Standard";
  return name;
}

// Names the case in test output and in the ctest test names.
void PrintTo(const MatrixCase& c, std::ostream* os) { *os << Name(c); }

std::vector<MatrixCase> AllCases() {
  std::vector<MatrixCase> cases;
  for (Codec codec : {Codec::kUlaw, Codec::kAlaw}) {
    for (Offer offer : {Offer::kMh, Offer::kMhMr, Offer::kMhMrMmr}) {
      for (bool ecm : {true, false}) {
        for (auto resolution : {PageResolution::kStandard, PageResolution::kFine}) {
          cases.push_back({codec, offer, ecm, resolution});
        }
      }
    }
  }
  return cases;
}

class AudioFaxMatrixTest : public AudioFaxSessionTest,
                           public ::testing::WithParamInterface<MatrixCase> {};

TEST_P(AudioFaxMatrixTest, PageArrivesIdentical) {
  const MatrixCase& c = GetParam();
  auto pages = MakeTestDocument(c.resolution, 1, /*first_seed=*/7);
  auto call = SendDocument(pages, Offering(c.offer, c.ecm), c.codec);
  ASSERT_NE(call, nullptr);
  const FaxOutcome& sent = call->sender->outcome();
  EXPECT_TRUE(sent.success) << sent.reason;
  EXPECT_TRUE(call->receiver->outcome().success) << call->receiver->outcome().reason;
  EXPECT_EQ(sent.pages, 1);
  EXPECT_EQ(sent.params.bit_rate, 14400);
  EXPECT_EQ(sent.params.ecm, c.ecm);
  const char* expected = c.offer == Offer::kMh                 ? "MH"
                         : c.offer == Offer::kMhMrMmr && c.ecm ? "MMR"
                                                               : "MR";
  EXPECT_EQ(sent.params.compression, expected);
  EXPECT_EQ(sent.params.resolution, c.resolution == PageResolution::kFine ? "fine" : "standard");
  EXPECT_TRUE(ReceivedPages() == pages);
}

INSTANTIATE_TEST_SUITE_P(AllOffers, AudioFaxMatrixTest, ::testing::ValuesIn(AllCases()),
                         [](const auto& info) { return Name(info.param); });

}  // namespace
}  // namespace faxgate
