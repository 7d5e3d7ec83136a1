#include "media/jitter_buffer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace faxgate {
namespace {

using Fill = JitterBuffer::Fill;
using ::testing::Each;

constexpr uint8_t kSilence = 0xFF;  // µ-law
constexpr int kDelay = 480;
constexpr int kCapacity = 8000;
constexpr size_t kTick = 160;

// Every sample tells which timestamp it belongs to (never the silence byte), so a test can
// see exactly which slots were played.
uint8_t SampleAt(uint32_t timestamp) { return static_cast<uint8_t>(timestamp % 251); }

std::vector<uint8_t> Samples(uint32_t timestamp, size_t count) {
  std::vector<uint8_t> out(count);
  for (size_t i = 0; i < count; ++i) out[i] = SampleAt(timestamp + static_cast<uint32_t>(i));
  return out;
}

void Put(JitterBuffer& buffer, uint32_t timestamp, size_t count = kTick) {
  buffer.Put(timestamp, Samples(timestamp, count));
}

struct Taken {
  Fill fill;
  std::vector<uint8_t> samples;
};

Taken Take(JitterBuffer& buffer, size_t count = kTick) {
  Taken taken{Fill::kWaiting, std::vector<uint8_t>(count, 0)};
  taken.fill = buffer.Take(taken.samples);
  return taken;
}

// True when `samples` are exactly the ones stamped `timestamp`, `timestamp + 1`, ...
bool PlaysFrom(const std::vector<uint8_t>& samples, uint32_t timestamp) {
  return samples == Samples(timestamp, samples.size());
}

// Puts the first packet and waits out the initial delay: the next take plays `first`.
JitterBuffer Started(uint32_t first) {
  JitterBuffer buffer(kDelay, kCapacity, kSilence);
  for (uint32_t i = 0; i < kDelay / kTick; ++i) {
    Put(buffer, first + i * kTick);
    EXPECT_EQ(Take(buffer).fill, Fill::kWaiting);
  }
  return buffer;
}

TEST(JitterBufferTest, WaitsForTheFirstPacket) {
  JitterBuffer buffer(kDelay, kCapacity, kSilence);
  for (int i = 0; i < 10; ++i) {
    Taken taken = Take(buffer);
    EXPECT_EQ(taken.fill, Fill::kWaiting);
    EXPECT_THAT(taken.samples, Each(kSilence));
  }
  EXPECT_EQ(buffer.stats().lost_ticks, 0u);
}

TEST(JitterBufferTest, WaitsOutTheInitialDelay) {
  JitterBuffer buffer(kDelay, kCapacity, kSilence);
  Put(buffer, 1000);
  EXPECT_EQ(Take(buffer).fill, Fill::kWaiting);
  EXPECT_EQ(Take(buffer).fill, Fill::kWaiting);
  Taken third = Take(buffer);
  EXPECT_EQ(third.fill, Fill::kWaiting);
  EXPECT_THAT(third.samples, Each(kSilence));
  Taken fourth = Take(buffer);
  EXPECT_EQ(fourth.fill, Fill::kAudio);
  EXPECT_TRUE(PlaysFrom(fourth.samples, 1000));
}

TEST(JitterBufferTest, ZeroDelayPlaysAtOnce) {
  JitterBuffer buffer(0, kCapacity, kSilence);
  Put(buffer, 7);
  Taken taken = Take(buffer);
  EXPECT_EQ(taken.fill, Fill::kAudio);
  EXPECT_TRUE(PlaysFrom(taken.samples, 7));
}

TEST(JitterBufferTest, InOrderPlaysEverySample) {
  JitterBuffer buffer = Started(1000);
  const uint32_t ahead = kDelay;
  for (uint32_t tick = 0; tick < 200; ++tick) {
    Put(buffer, 1000 + ahead + tick * kTick);
    Taken taken = Take(buffer);
    ASSERT_EQ(taken.fill, Fill::kAudio) << tick;
    ASSERT_TRUE(PlaysFrom(taken.samples, 1000 + tick * kTick)) << tick;
  }
  EXPECT_EQ(buffer.stats().packets, 203u);
  EXPECT_EQ(buffer.stats().late, 0u);
  EXPECT_EQ(buffer.stats().lost_ticks, 0u);
  EXPECT_EQ(buffer.stats().partial_ticks, 0u);
  EXPECT_EQ(buffer.stats().duplicates, 0u);
  EXPECT_EQ(buffer.stats().resyncs, 0u);
}

TEST(JitterBufferTest, ReorderedWithinTheDelay) {
  JitterBuffer buffer(kDelay, kCapacity, kSilence);
  // 1000, 1320, 1160, 1640, 1480: each pair swapped, all well inside 60 ms.
  Put(buffer, 1000);
  EXPECT_EQ(Take(buffer).fill, Fill::kWaiting);
  Put(buffer, 1320);
  EXPECT_EQ(Take(buffer).fill, Fill::kWaiting);
  Put(buffer, 1160);
  EXPECT_EQ(Take(buffer).fill, Fill::kWaiting);
  Put(buffer, 1640);
  Put(buffer, 1480);
  for (uint32_t ts = 1000; ts <= 1640; ts += kTick) {
    Taken taken = Take(buffer);
    ASSERT_EQ(taken.fill, Fill::kAudio) << ts;
    EXPECT_TRUE(PlaysFrom(taken.samples, ts)) << ts;
  }
  EXPECT_EQ(buffer.stats().late, 0u);
}

TEST(JitterBufferTest, LatePacketIsDroppedAndCounted) {
  JitterBuffer buffer = Started(0);  // holds 0, 160, 320
  EXPECT_TRUE(PlaysFrom(Take(buffer).samples, 0));
  EXPECT_TRUE(PlaysFrom(Take(buffer).samples, 160));
  EXPECT_TRUE(PlaysFrom(Take(buffer).samples, 320));
  Taken missed = Take(buffer);  // 480 has not arrived
  EXPECT_EQ(missed.fill, Fill::kLost);
  EXPECT_THAT(missed.samples, Each(kSilence));
  Put(buffer, 480);  // too late now
  Put(buffer, 640);
  EXPECT_EQ(buffer.stats().late, 1u);
  Taken next = Take(buffer);
  EXPECT_EQ(next.fill, Fill::kAudio);
  EXPECT_TRUE(PlaysFrom(next.samples, 640));
  EXPECT_EQ(buffer.stats().lost_ticks, 1u);
}

// The peer stalls for 10 ticks (its media thread was busy), then sends what it owes in a burst
// and goes on in time. The burst is late for the slots it was meant for; dropping it would lose
// what the peer said first after the stall (a T.30 response), so playout restarts from it.
TEST(JitterBufferTest, BurstAfterAStalledPeerIsPlayedNotDropped) {
  JitterBuffer buffer = Started(0);  // holds 0, 160, 320
  uint32_t sent = kDelay;            // next timestamp the peer sends
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Take(buffer).fill, Fill::kAudio);
  for (int i = 0; i < 10; ++i) {  // the stall: nothing arrives
    Fill fill = Take(buffer).fill;
    EXPECT_EQ(fill, Fill::kLost);
  }
  const uint32_t first_late = sent;
  for (int i = 0; i < 10; ++i, sent += kTick) Put(buffer, sent);  // the burst
  EXPECT_EQ(buffer.stats().stalls, 1u);
  EXPECT_EQ(buffer.stats().late, 0u);
  // The delay is waited out again (silence), then the burst plays from its first packet and the
  // stream goes on without a gap.
  for (size_t i = 0; i < kDelay / kTick; ++i) {
    Put(buffer, sent);
    sent += kTick;
    EXPECT_EQ(Take(buffer).fill, Fill::kLost);
  }
  for (uint32_t i = 0; i < 20; ++i) {
    Put(buffer, sent);
    sent += kTick;
    Taken taken = Take(buffer);
    EXPECT_EQ(taken.fill, Fill::kAudio) << i;
    EXPECT_TRUE(PlaysFrom(taken.samples, first_late + i * kTick)) << i;
  }
}

// A single late packet after a short loss is still just late: only a silence of kStallTicks
// takes marks a stalled peer.
TEST(JitterBufferTest, LatePacketAfterAShortGapIsStillDropped) {
  JitterBuffer buffer = Started(0);
  for (int i = 0; i < 3; ++i) Take(buffer);
  for (int i = 0; i < JitterBuffer::kStallTicks - 1; ++i) EXPECT_EQ(Take(buffer).fill, Fill::kLost);
  Put(buffer, kDelay);
  EXPECT_EQ(buffer.stats().late, 1u);
  EXPECT_EQ(buffer.stats().stalls, 0u);
}

// Later audio already held means the stream did not stall: the late packet is just late, and
// what is held is not thrown away by a restart.
TEST(JitterBufferTest, LatePacketWhileLaterAudioIsHeldIsDropped) {
  JitterBuffer buffer = Started(0);
  for (int i = 0; i < 3; ++i) Take(buffer);
  Put(buffer, kDelay + 10 * kTick);
  for (int i = 0; i < JitterBuffer::kStallTicks + 1; ++i) EXPECT_EQ(Take(buffer).fill, Fill::kLost);
  Put(buffer, kDelay);
  EXPECT_EQ(buffer.stats().late, 1u);
  EXPECT_EQ(buffer.stats().stalls, 0u);
}

TEST(JitterBufferTest, PartlyLatePacketPlaysItsTail) {
  JitterBuffer buffer(0, kCapacity, kSilence);
  Put(buffer, 0);
  Take(buffer);      // 0..159
  Take(buffer, 80);  // 160..239, nothing there
  Put(buffer, 160);  // 160..319: the first half missed its slot
  EXPECT_EQ(buffer.stats().late, 1u);
  Taken tail = Take(buffer, 80);
  EXPECT_EQ(tail.fill, Fill::kAudio);
  EXPECT_TRUE(PlaysFrom(tail.samples, 240));
}

TEST(JitterBufferTest, LostPacketIsSilenceAndCounted) {
  JitterBuffer buffer = Started(0);
  for (uint32_t tick = 0; tick < 10; ++tick) {
    const uint32_t ts = kDelay + tick * kTick;
    if (tick != 4) Put(buffer, ts);
    Taken taken = Take(buffer);
    if (tick == 7) {  // the slot of the packet sent at tick 4, 480 samples later
      EXPECT_EQ(taken.fill, Fill::kLost);
      EXPECT_THAT(taken.samples, Each(kSilence));
    } else {
      EXPECT_EQ(taken.fill, Fill::kAudio) << tick;
      EXPECT_TRUE(PlaysFrom(taken.samples, tick * kTick)) << tick;
    }
  }
  EXPECT_EQ(buffer.stats().lost_ticks, 1u);
  EXPECT_EQ(buffer.stats().partial_ticks, 0u);
}

TEST(JitterBufferTest, ShortPacketGivesAPartialTick) {
  JitterBuffer buffer(0, kCapacity, kSilence);
  Put(buffer, 0, 100);
  Taken taken = Take(buffer);
  EXPECT_EQ(taken.fill, Fill::kPartial);
  EXPECT_TRUE(
      PlaysFrom(std::vector<uint8_t>(taken.samples.begin(), taken.samples.begin() + 100), 0));
  EXPECT_THAT(std::vector<uint8_t>(taken.samples.begin() + 100, taken.samples.end()),
              Each(kSilence));
  EXPECT_EQ(buffer.stats().partial_ticks, 1u);
}

TEST(JitterBufferTest, DuplicateIsCountedAndHarmless) {
  JitterBuffer buffer(kDelay, kCapacity, kSilence);
  Put(buffer, 0);
  Put(buffer, 0);
  // A copy that disagrees does not replace what was received first.
  buffer.Put(0, std::vector<uint8_t>(kTick, 0x11));
  EXPECT_EQ(buffer.stats().duplicates, 2u);
  for (int i = 0; i < 3; ++i) Take(buffer);
  Taken taken = Take(buffer);
  EXPECT_EQ(taken.fill, Fill::kAudio);
  EXPECT_TRUE(PlaysFrom(taken.samples, 0));
}

TEST(JitterBufferTest, WrapsAroundTwoToTheThirtyTwo) {
  const uint32_t first = 0xFFFFFFFFu - 5 * kTick + 1;  // wraps during the seventh packet
  JitterBuffer buffer = Started(first);
  uint32_t ts = first;
  for (int tick = 0; tick < 20; ++tick, ts += kTick) {
    Put(buffer, ts + kDelay);
    Taken taken = Take(buffer);
    ASSERT_EQ(taken.fill, Fill::kAudio) << tick;
    ASSERT_TRUE(PlaysFrom(taken.samples, ts)) << tick;
  }
  EXPECT_EQ(buffer.stats().resyncs, 0u);
  EXPECT_EQ(buffer.stats().late, 0u);
}

TEST(JitterBufferTest, LateAcrossTheWrapIsLateNotAJump) {
  JitterBuffer buffer(0, kCapacity, kSilence);
  Put(buffer, 0xFFFFFF60u);
  Take(buffer);  // plays 0xFFFFFF60..0xFFFFFFFF; playout is now at 0
  buffer.Put(0xFFFFFF60u, Samples(0xFFFFFF60u, kTick));
  EXPECT_EQ(buffer.stats().late, 1u);
  EXPECT_EQ(buffer.stats().resyncs, 0u);
}

TEST(JitterBufferTest, TimestampJumpRestartsPlayout) {
  JitterBuffer buffer = Started(0);
  for (uint32_t tick = 0; tick < 5; ++tick) {
    Put(buffer, kDelay + tick * kTick);
    ASSERT_EQ(Take(buffer).fill, Fill::kAudio);
  }
  // The peer restarts its clock far ahead; that packet plays `delay` later, and the ones after
  // it keep playing in step.
  const uint32_t jump = 5'000'000;
  for (uint32_t tick = 0; tick < 10; ++tick) {
    Put(buffer, jump + tick * kTick);
    Taken taken = Take(buffer);
    if (tick < kDelay / kTick) {
      EXPECT_EQ(taken.fill, Fill::kLost) << tick;
    } else {
      EXPECT_EQ(taken.fill, Fill::kAudio) << tick;
      EXPECT_TRUE(PlaysFrom(taken.samples, jump + (tick - kDelay / kTick) * kTick)) << tick;
    }
  }
  EXPECT_EQ(buffer.stats().resyncs, 1u);
}

TEST(JitterBufferTest, TimestampJumpBackwardsRestartsPlayout) {
  JitterBuffer buffer = Started(1'000'000);
  ASSERT_EQ(Take(buffer).fill, Fill::kAudio);
  Put(buffer, 100);  // far behind: not late, a new clock
  EXPECT_EQ(buffer.stats().resyncs, 1u);
  EXPECT_EQ(buffer.stats().late, 0u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Take(buffer).fill, Fill::kLost);
  EXPECT_TRUE(PlaysFrom(Take(buffer).samples, 100));
}

TEST(JitterBufferTest, JumpBeforePlayoutRestartsTheWait) {
  JitterBuffer buffer(kDelay, kCapacity, kSilence);
  Put(buffer, 0);
  EXPECT_EQ(Take(buffer).fill, Fill::kWaiting);
  Put(buffer, 1'000'000);
  EXPECT_EQ(buffer.stats().resyncs, 1u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Take(buffer).fill, Fill::kWaiting);
  Taken taken = Take(buffer);
  EXPECT_EQ(taken.fill, Fill::kAudio);
  EXPECT_TRUE(PlaysFrom(taken.samples, 1'000'000));
}

// Packets of `packet` samples arrive on their own cadence while takes run every 20 ms: time
// advances in 10 ms steps. After the initial delay every take must be whole audio, in order.
void PlayStream(size_t packet, int delay) {
  JitterBuffer buffer(delay, kCapacity, kSilence);
  uint32_t next_put = 0;
  uint32_t played = 0;
  bool started = false;
  for (uint32_t now = 0; now < 8000 * 5; now += 80) {
    while (next_put + packet <= now) {  // a packet is sent once its last sample exists
      Put(buffer, next_put, packet);
      next_put += static_cast<uint32_t>(packet);
    }
    if (now % kTick != 0) continue;
    Taken taken = Take(buffer);
    if (taken.fill == Fill::kWaiting) {
      ASSERT_FALSE(started) << now;
      continue;
    }
    started = true;
    ASSERT_EQ(taken.fill, Fill::kAudio) << "packet " << packet << " at " << now;
    ASSERT_TRUE(PlaysFrom(taken.samples, played)) << now;
    played += kTick;
  }
  EXPECT_TRUE(started);
  EXPECT_EQ(buffer.stats().late, 0u);
  EXPECT_EQ(buffer.stats().lost_ticks + buffer.stats().partial_ticks, 0u);
}

TEST(JitterBufferTest, ThirtyMillisecondPackets) { PlayStream(240, kDelay); }
TEST(JitterBufferTest, TenMillisecondPackets) { PlayStream(80, kDelay); }
TEST(JitterBufferTest, FortyMillisecondPackets) { PlayStream(320, kDelay); }

TEST(JitterBufferTest, PlayoutNeverDrifts) {
  // A second of audio held at once; takes of mixed sizes must consume exactly their size.
  JitterBuffer buffer(0, 16000, kSilence);
  for (uint32_t ts = 0; ts < 8000; ts += kTick) Put(buffer, 123 + ts);
  uint32_t expected = 123;
  const size_t sizes[] = {160, 80, 240, 1, 159, 160};
  for (int round = 0; round < 6; ++round) {
    for (size_t size : sizes) {
      Taken taken = Take(buffer, size);
      ASSERT_EQ(taken.fill, Fill::kAudio);
      ASSERT_TRUE(PlaysFrom(taken.samples, expected)) << expected;
      expected += static_cast<uint32_t>(size);
    }
  }
  // N takes of 160 move exactly N × 160 samples: the slot after them is the next timestamp.
  for (int n = 0; n < 10; ++n) Take(buffer);
  expected += 10 * kTick;
  Taken taken = Take(buffer, 1);
  EXPECT_TRUE(PlaysFrom(taken.samples, expected));
}

TEST(JitterBufferTest, PlayoutKeepsTimeThroughSilence) {
  // Nothing arrives for a while (silence suppression): playout keeps running, so the next
  // packet plays at its own time, not as soon as it arrives.
  JitterBuffer buffer(0, kCapacity, kSilence);
  Put(buffer, 0);
  EXPECT_EQ(Take(buffer).fill, Fill::kAudio);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(Take(buffer).fill, Fill::kLost);
  Put(buffer, 10 * kTick);
  Taken taken = Take(buffer);
  EXPECT_EQ(taken.fill, Fill::kAudio);
  EXPECT_TRUE(PlaysFrom(taken.samples, 10 * kTick));
  EXPECT_EQ(buffer.stats().lost_ticks, 9u);
}

TEST(JitterBufferTest, RingSlotsAreReusedCleanly) {
  // A ring of 400 samples goes round many times; a slot once played must not play again when
  // its packet is missing on a later lap.
  JitterBuffer buffer(0, 400, kSilence);
  for (uint32_t tick = 0; tick < 100; ++tick) {
    const uint32_t ts = 77 + tick * kTick;
    const bool missing = tick % 7 == 3;
    if (!missing) Put(buffer, ts);
    Taken taken = Take(buffer);
    if (missing) {
      ASSERT_EQ(taken.fill, Fill::kLost) << tick;
    } else {
      ASSERT_EQ(taken.fill, Fill::kAudio) << tick;
      ASSERT_TRUE(PlaysFrom(taken.samples, ts)) << tick;
    }
  }
  EXPECT_EQ(buffer.stats().resyncs, 0u);
}

TEST(JitterBufferTest, EmptyPacketIsIgnored) {
  JitterBuffer buffer(0, kCapacity, kSilence);
  buffer.Put(0, {});
  EXPECT_EQ(buffer.stats().packets, 0u);
  EXPECT_EQ(Take(buffer).fill, Fill::kWaiting);
}

TEST(JitterBufferTest, TinyCapacityStillHoldsTheDelay) {
  JitterBuffer buffer(kDelay, 10, kSilence);  // capacity below the delay is raised
  for (uint32_t i = 0; i < 4; ++i) Put(buffer, i * kTick);
  EXPECT_EQ(buffer.stats().resyncs, 0u);
}

TEST(JitterBufferTest, ALawSilence) {
  JitterBuffer buffer(0, kCapacity, 0xD5);
  Put(buffer, 0, 10);
  Taken taken = Take(buffer, 20);
  EXPECT_EQ(taken.fill, Fill::kPartial);
  EXPECT_EQ(taken.samples[19], 0xD5);
}

}  // namespace
}  // namespace faxgate
