#include "media/jitter_buffer.h"

#include <algorithm>

namespace faxgate {
namespace {

// The ring must at least hold the initial delay plus one 20 ms packet, or a packet that arrives
// on time would already count as a timestamp jump.
constexpr int kMinHeadroom = 160;

}  // namespace

JitterBuffer::JitterBuffer(int delay_samples, int capacity_samples, uint8_t silence)
    : delay_(std::max(delay_samples, 0)),
      capacity_(std::max(capacity_samples, std::max(delay_samples, 0) + kMinHeadroom)),
      silence_(silence),
      samples_(static_cast<size_t>(capacity_), silence),
      present_(static_cast<size_t>(capacity_), 0) {}

void JitterBuffer::Put(uint32_t timestamp, std::span<const uint8_t> samples) {
  if (samples.empty()) return;  // a packet without samples says nothing about playout
  ++stats_.packets;
  // A packet longer than the ring could never fit; keep what fits after a restart.
  samples = samples.first(std::min(samples.size(), static_cast<size_t>(capacity_ - delay_)));
  const int64_t length = static_cast<int64_t>(samples.size());

  if (!have_first_) {
    have_first_ = true;
    Restart(timestamp);
    Store(0, samples);
    return;
  }

  // Signed distance from the playout position, correct across the 2^32 wrap as long as the two
  // are within 2^31 of each other; anything further is a jump anyway.
  const int64_t offset = static_cast<int32_t>(timestamp - playout_);
  if (offset < -capacity_ || offset + length > capacity_) {
    // Too far behind or ahead to be jitter: the peer restarted its clock (new SSRC, re-INVITE).
    // Once playing, keep the 8 kHz rhythm and let this packet play `delay` from now; before that,
    // start the initial wait again from it.
    ++stats_.resyncs;
    if (playing_) {
      Restart(timestamp - static_cast<uint32_t>(delay_));
      Store(static_cast<uint32_t>(delay_), samples);
    } else {
      Restart(timestamp);
      waited_ = 0;
      Store(0, samples);
    }
    return;
  }
  if (offset < 0 && offset + length <= 0 && playing_ && lost_run_ >= kStallTicks && held_ == 0) {
    ++stats_.stalls;
    lost_run_ = 0;
    Restart(timestamp - static_cast<uint32_t>(delay_));
    Store(static_cast<uint32_t>(delay_), samples);
    return;
  }
  if (offset < 0) {
    ++stats_.late;
    if (offset + length <= 0) return;
    // Only the head missed its slot: the tail can still play.
    samples = samples.subspan(static_cast<size_t>(-offset));
    Store(0, samples);
    return;
  }
  Store(static_cast<uint32_t>(offset), samples);
}

JitterBuffer::Fill JitterBuffer::Take(std::span<uint8_t> out) {
  if (!have_first_ || (!playing_ && waited_ < delay_)) {
    if (have_first_) waited_ += static_cast<int>(std::min<size_t>(out.size(), delay_));
    std::fill(out.begin(), out.end(), silence_);
    return Fill::kWaiting;
  }
  playing_ = true;

  // One sample per slot, exactly out.size() of them: playout never runs ahead or falls behind
  // the 8 kHz clock of the caller's tick.
  size_t received = 0;
  const size_t ring = static_cast<size_t>(capacity_);
  for (uint8_t& sample : out) {
    if (present_[head_]) {
      sample = samples_[head_];
      present_[head_] = 0;
      --held_;
      ++received;
    } else {
      sample = silence_;
    }
    head_ = head_ + 1 == ring ? 0 : head_ + 1;
    ++playout_;
  }
  lost_run_ = received == 0 ? lost_run_ + 1 : 0;
  if (received == out.size()) return Fill::kAudio;
  if (received == 0) {
    ++stats_.lost_ticks;
    return Fill::kLost;
  }
  ++stats_.partial_ticks;
  return Fill::kPartial;
}

void JitterBuffer::Restart(uint32_t playout) {
  std::fill(present_.begin(), present_.end(), 0);
  held_ = 0;
  head_ = 0;
  playout_ = playout;
}

// Stores samples `offset` slots after the playout position; the caller has checked that they
// fit in the ring. A sample already held keeps its first copy.
void JitterBuffer::Store(uint32_t offset, std::span<const uint8_t> samples) {
  const size_t ring = static_cast<size_t>(capacity_);
  size_t index = (head_ + offset) % ring;
  bool duplicate = false;
  for (uint8_t sample : samples) {
    if (present_[index]) {
      duplicate = true;
    } else {
      samples_[index] = sample;
      present_[index] = 1;
      ++held_;
    }
    index = index + 1 == ring ? 0 : index + 1;
  }
  if (duplicate) ++stats_.duplicates;
}

}  // namespace faxgate
