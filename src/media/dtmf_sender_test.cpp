#include "media/dtmf_sender.h"

#include <gtest/gtest.h>
#include <spandsp.h>

#include <string>
#include <vector>

namespace faxgate {
namespace {

constexpr size_t kTick = 160;

// spandsp's DTMF receiver, collecting digits as they come (its own buffer keeps only 128).
class DtmfDecoder {
 public:
  DtmfDecoder() : rx_(dtmf_rx_init(nullptr, &OnDigits, this)) {}
  ~DtmfDecoder() { dtmf_rx_free(rx_); }
  void Feed(std::span<const int16_t> audio) {
    dtmf_rx(rx_, audio.data(), static_cast<int>(audio.size()));
  }
  const std::string& digits() const { return digits_; }

 private:
  static void OnDigits(void* user_data, const char* digits, int len) {
    static_cast<DtmfDecoder*>(user_data)->digits_.append(digits, static_cast<size_t>(len));
  }
  dtmf_rx_state_t* rx_;
  std::string digits_;
};

// Runs the in-band sender tick by tick until done (plus one second of trailing silence) through
// spandsp's DTMF receiver; returns the digits it heard.
std::string DecodeInband(InbandDtmfSender& sender, long* samples_until_done = nullptr) {
  DtmfDecoder decoder;
  std::vector<int16_t> tick(kTick);
  long samples = 0;
  for (int guard = 0; !sender.done() && guard < 100000; ++guard) {
    sender.Generate(tick);
    decoder.Feed(tick);
    samples += static_cast<long>(tick.size());
  }
  if (samples_until_done != nullptr) *samples_until_done = samples;
  for (int i = 0; i < 50; ++i) {
    sender.Generate(tick);
    for (int16_t sample : tick) EXPECT_EQ(sample, 0) << "sound after the last digit";
    decoder.Feed(tick);
  }
  return decoder.digits();
}

TEST(InbandDtmfSenderTest, SpandspHearsTheDigitsInOrder) {
  InbandDtmfSender sender("123*#0");
  EXPECT_FALSE(sender.done());
  long samples = 0;
  EXPECT_EQ(DecodeInband(sender, &samples), "123*#0");
  // Six digits of 100 ms tone and 100 ms gap, and done on the tick that ends the last gap.
  EXPECT_EQ(samples, 6 * 1600);
}

TEST(InbandDtmfSenderTest, TimingIsApplied) {
  InbandDtmfSender fast("123*#0", DtmfTiming{.tone_ms = 60, .gap_ms = 60});
  long samples = 0;
  EXPECT_EQ(DecodeInband(fast, &samples), "123*#0");
  EXPECT_EQ(samples, 6 * 960);

  InbandDtmfSender slow("55", DtmfTiming{.tone_ms = 250, .gap_ms = 150});
  EXPECT_EQ(DecodeInband(slow, &samples), "55");  // a repeated digit needs its gap
  EXPECT_EQ(samples, 2 * 3200);
}

TEST(InbandDtmfSenderTest, ToneIsWhereTheTimingSaysAndSilenceElsewhere) {
  InbandDtmfSender sender("5", DtmfTiming{.tone_ms = 100, .gap_ms = 100});
  std::vector<int16_t> audio(1600);
  sender.Generate(audio);
  auto loud = [](int16_t s) { return s > 500 || s < -500; };
  EXPECT_TRUE(std::any_of(audio.begin(), audio.begin() + 800, loud));
  EXPECT_TRUE(std::all_of(audio.begin() + 800, audio.end(), [](int16_t s) { return s == 0; }));
  EXPECT_TRUE(sender.done());
}

TEST(InbandDtmfSenderTest, TooShortTimingIsStretchedToWhatReceiversHear) {
  InbandDtmfSender sender("1234", DtmfTiming{.tone_ms = 5, .gap_ms = 0});
  long samples = 0;
  EXPECT_EQ(DecodeInband(sender, &samples), "1234");
  EXPECT_EQ(samples, 4 * 640);  // 40 ms + 40 ms
}

TEST(InbandDtmfSenderTest, UnknownCharactersAreSkippedAndLettersUpperCased) {
  InbandDtmfSender sender("1, 2-x3p#abcd");
  EXPECT_EQ(DecodeInband(sender), "123#ABCD");
}

TEST(InbandDtmfSenderTest, MoreDigitsThanSpandspQueues) {
  // spandsp queues at most MAX_DTMF_DIGITS (128); the sender tops the queue up.
  std::string digits;
  for (int i = 0; i < 20; ++i) digits += "0123456789";
  InbandDtmfSender sender(digits, DtmfTiming{.tone_ms = 50, .gap_ms = 50});
  EXPECT_EQ(DecodeInband(sender), digits);
}

TEST(InbandDtmfSenderTest, NothingToDialIsDoneAtOnceAndSilent) {
  for (const char* digits : {"", "xyz, "}) {
    InbandDtmfSender sender(digits);
    EXPECT_TRUE(sender.done()) << digits;
    std::vector<int16_t> audio(kTick, 123);
    sender.Generate(audio);
    EXPECT_TRUE(std::all_of(audio.begin(), audio.end(), [](int16_t s) { return s == 0; }));
  }
}

TEST(InbandDtmfSenderTest, OddBufferSizes) {
  InbandDtmfSender sender("147");
  DtmfDecoder decoder;
  std::vector<int16_t> chunk;
  for (size_t size = 1; !sender.done(); size = size % 997 + 13) {
    chunk.assign(size, 0);
    sender.Generate(chunk);
    decoder.Feed(chunk);
  }
  std::vector<int16_t> tail(8000);
  sender.Generate(tail);
  decoder.Feed(tail);
  EXPECT_EQ(decoder.digits(), "147");
}

// ---------------------------------------------------------------------------------------------

// The RFC 4733 payload decoded by hand, independent of rtp_packet.cpp's parser.
struct Seen {
  int tick;
  int event;
  bool end;
  int volume;
  int duration;
  bool marker;
  uint32_t timestamp;
  bool operator==(const Seen&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Seen& s) {
  return os << "{tick " << s.tick << " event " << s.event << (s.end ? " E" : "") << " vol "
            << s.volume << " dur " << s.duration << (s.marker ? " M" : "") << " ts " << s.timestamp
            << "}";
}

std::vector<Seen> RunRfc4733(Rfc4733DtmfSender& sender, int* ticks_until_done) {
  std::vector<Seen> seen;
  int tick = 0;
  while (!sender.done() && tick < 100000) {
    ++tick;
    for (const auto& p : sender.Tick()) {
      EXPECT_EQ(p.payload.size(), 4u);
      if (p.payload.size() != 4) continue;
      seen.push_back(Seen{tick, p.payload[0], (p.payload[1] & 0x80) != 0, p.payload[1] & 0x3F,
                          p.payload[2] << 8 | p.payload[3], p.marker, p.timestamp_offset});
    }
  }
  *ticks_until_done = tick;
  EXPECT_TRUE(sender.Tick().empty()) << "packets after done";
  return seen;
}

TEST(Rfc4733DtmfSenderTest, ExactPacketSequence) {
  Rfc4733DtmfSender sender("1#");
  int ticks = 0;
  std::vector<Seen> seen = RunRfc4733(sender, &ticks);
  std::vector<Seen> expected = {
      // '1': 100 ms tone = 800 samples, start packet marked, updates every 20 ms.
      {1, 1, false, 10, 160, true, 0},
      {2, 1, false, 10, 320, false, 0},
      {3, 1, false, 10, 480, false, 0},
      {4, 1, false, 10, 640, false, 0},
      // Three end packets with the final duration, then silence to the end of the 100 ms gap.
      {5, 1, true, 10, 800, false, 0},
      {6, 1, true, 10, 800, false, 0},
      {7, 1, true, 10, 800, false, 0},
      // '#' = 11 starts 200 ms = 1600 samples after '1'.
      {11, 11, false, 10, 160, true, 1600},
      {12, 11, false, 10, 320, false, 1600},
      {13, 11, false, 10, 480, false, 1600},
      {14, 11, false, 10, 640, false, 1600},
      {15, 11, true, 10, 800, false, 1600},
      {16, 11, true, 10, 800, false, 1600},
      {17, 11, true, 10, 800, false, 1600},
  };
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(ticks, 20);  // done once the last gap is over
}

TEST(Rfc4733DtmfSenderTest, ToneNotAMultipleOfTheTick) {
  // 90 ms = 720 samples: the fifth tick carries the end with the true length; 50 ms gap.
  Rfc4733DtmfSender sender("0A", DtmfTiming{.tone_ms = 90, .gap_ms = 50});
  int ticks = 0;
  std::vector<Seen> seen = RunRfc4733(sender, &ticks);
  std::vector<Seen> expected = {
      {1, 0, false, 10, 160, true, 0},
      {2, 0, false, 10, 320, false, 0},
      {3, 0, false, 10, 480, false, 0},
      {4, 0, false, 10, 640, false, 0},
      {5, 0, true, 10, 720, false, 0},
      {6, 0, true, 10, 720, false, 0},
      {7, 0, true, 10, 720, false, 0},
      // 720 + 400 = 1120 samples is 7 ticks: 'A' (12) starts at tick 8, offset 1120.
      {8, 12, false, 10, 160, true, 1120},
      {9, 12, false, 10, 320, false, 1120},
      {10, 12, false, 10, 480, false, 1120},
      {11, 12, false, 10, 640, false, 1120},
      {12, 12, true, 10, 720, false, 1120},
      {13, 12, true, 10, 720, false, 1120},
      {14, 12, true, 10, 720, false, 1120},
  };
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(ticks, 14);
}

TEST(Rfc4733DtmfSenderTest, ShortGapWaitsForTheEndPackets) {
  // A 40 ms gap is shorter than three end packets: the next event starts after the third.
  Rfc4733DtmfSender sender("12", DtmfTiming{.tone_ms = 40, .gap_ms = 40});
  int ticks = 0;
  std::vector<Seen> seen = RunRfc4733(sender, &ticks);
  std::vector<Seen> expected = {
      {1, 1, false, 10, 160, true, 0},   {2, 1, true, 10, 320, false, 0},
      {3, 1, true, 10, 320, false, 0},   {4, 1, true, 10, 320, false, 0},
      {5, 2, false, 10, 160, true, 640}, {6, 2, true, 10, 320, false, 640},
      {7, 2, true, 10, 320, false, 640}, {8, 2, true, 10, 320, false, 640},
  };
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(ticks, 8);
}

TEST(Rfc4733DtmfSenderTest, EveryEventCodeAndSkippedCharacters) {
  Rfc4733DtmfSender sender("0123456789*#ABCD x,d");
  int ticks = 0;
  std::vector<int> starts;
  for (const Seen& s : RunRfc4733(sender, &ticks)) {
    if (s.marker) starts.push_back(s.event);
  }
  EXPECT_EQ(starts, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15}));
  EXPECT_EQ(ticks, 17 * 10);
}

TEST(Rfc4733DtmfSenderTest, NothingToDialIsDone) {
  Rfc4733DtmfSender sender("p,");
  EXPECT_TRUE(sender.done());
  EXPECT_TRUE(sender.Tick().empty());
}

}  // namespace
}  // namespace faxgate
