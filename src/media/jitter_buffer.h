// A fixed-delay playout buffer for fax over G.711. Fax modems cannot bear time-stretching or an
// adaptive delay that jumps mid-page, so playout runs at exactly 8 kHz from the first packet on,
// `delay` behind it; a packet that misses its playout slot is dropped (counted as late), and a
// slot nobody filled is reported as lost so the caller can use spandsp's fill-in.
//
// One exception: when the stream has been silent for kStallTicks takes, nothing is held, and a
// packet then arrives late,
// the sender stalled (a busy peer ticks late, then sends what it owed in a burst). Dropping that
// burst would lose whatever the peer said first after its stall, typically a T.30 response
// (MCF after a page), so playout restarts from the first late packet instead, `delay` from now.
// Nothing being played is cut: the stream was already silent for that long. Fax is half-duplex
// and its timers run in seconds, so the added delay costs nothing.
//
// Samples are one byte each (G.711, either law); the buffer does not decode them.
// Not thread-safe: one call owns it on one media worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace faxgate {

struct JitterStats {
  uint64_t packets = 0;     // packets put (empty ones are ignored)
  uint64_t late = 0;        // arrived (wholly or in part) after their playout time
  uint64_t duplicates = 0;  // packets with samples already held (the first copy is kept)
  uint64_t lost_ticks = 0;  // takes with no sample at all
  uint64_t partial_ticks = 0;
  uint64_t resyncs = 0;  // timestamp jumps that restarted playout
  uint64_t stalls = 0;   // late bursts after a silent stall that restarted playout
};

class JitterBuffer {
 public:
  static constexpr int kStallTicks = 2;

  // `delay_samples`: how far playout trails the first packet (e.g. 480 = 60 ms).
  // `capacity_samples`: how far ahead of playout a packet may be before it counts as a
  // timestamp jump (the peer restarted its clock): playout then restarts from that packet,
  // `delay` later (those ticks are kLost; before the first audio tick, the wait starts over).
  // A packet more than this far behind is a jump too, not a late packet. Make it generous
  // (e.g. 8000 = 1 s); it is raised to at least delay + 160. Memory: 2 bytes per sample.
  // `silence`: the byte written where nothing was received (0xFF µ-law, 0xD5 A-law).
  JitterBuffer(int delay_samples, int capacity_samples, uint8_t silence);

  // One RTP payload of G.711 samples stamped with its RTP timestamp.
  void Put(uint32_t timestamp, std::span<const uint8_t> samples);

  enum class Fill {
    kWaiting,  // playout has not started (no packet yet, or still inside the initial delay)
    kAudio,    // every sample was received
    kPartial,  // some samples were received; the rest are silence
    kLost,     // nothing was received for this slot: `out` is silence
  };
  // Takes the next out.size() samples in playout order (called once per 20 ms tick).
  Fill Take(std::span<uint8_t> out);

  const JitterStats& stats() const { return stats_; }

 private:
  int delay_;
  int capacity_;
  uint8_t silence_;
  std::vector<uint8_t> samples_;  // ring of capacity_ samples indexed by timestamp
  std::vector<uint8_t> present_;  // 1 where a sample was received
  bool have_first_ = false;
  bool playing_ = false;
  uint32_t playout_ = 0;  // timestamp of the next sample to take
  size_t head_ = 0;       // ring index of the sample at playout_
  int waited_ = 0;        // samples taken while waiting for the initial delay
  int lost_run_ = 0;      // consecutive takes with nothing received
  size_t held_ = 0;       // samples present in the ring
  JitterStats stats_;

  void Restart(uint32_t playout);
  void Store(uint32_t offset, std::span<const uint8_t> samples);
};

}  // namespace faxgate
