// RTP arrives from whoever knows the call's audio port. Two views of the same input:
//  1. the whole input as one datagram: ParseRtp never reads outside it, agrees with the header
//     bytes, and what WriteRtp makes of the result parses back the same; the payload as a
//     telephone-event re-encodes to its own bytes;
//  2. the input as a script for a JitterBuffer: records that Put the payload of an RTP packet
//     (at its timestamp, or relative to the previous one) and records that Take a tick. Every
//     sample put says which timestamp it belongs to, so each take can be checked: silence where
//     it says nothing was received, otherwise samples of consecutive timestamps, and playout that
//     advances by exactly the samples taken until a resync.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "media/jitter_buffer.h"
#include "media/rtp_packet.h"

namespace {

using faxgate::JitterBuffer;
using faxgate::JitterStats;
using Fill = faxgate::JitterBuffer::Fill;

void CheckParse(std::span<const uint8_t> datagram) {
  auto packet = faxgate::ParseRtp(datagram);
  if (!packet.ok()) {
    FUZZ_CHECK(packet.error().code == faxgate::ErrorCode::kInvalidArgument);
    return;
  }
  FUZZ_CHECK(faxgate::LooksLikeRtp(datagram));
  const faxgate::RtpHeader& h = packet->header;
  FUZZ_CHECK(h.payload_type == (datagram[1] & 0x7F));
  FUZZ_CHECK(h.marker == ((datagram[1] & 0x80) != 0));
  FUZZ_CHECK(h.sequence == ((datagram[2] << 8) | datagram[3]));
  const std::span<const uint8_t> payload = packet->payload;
  if (!payload.empty()) {
    FUZZ_CHECK(payload.data() >= datagram.data() + 12);
    FUZZ_CHECK(payload.data() + payload.size() <= datagram.data() + datagram.size());
  }
  FUZZ_CHECK(payload.size() + 12 <= datagram.size());

  std::vector<uint8_t> out(12 + payload.size());
  FUZZ_CHECK(faxgate::WriteRtp(h, payload, out) == out.size());
  auto again = faxgate::ParseRtp(out);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->header.payload_type == h.payload_type && again->header.marker == h.marker &&
             again->header.sequence == h.sequence && again->header.timestamp == h.timestamp &&
             again->header.ssrc == h.ssrc);
  FUZZ_CHECK(
      std::equal(payload.begin(), payload.end(), again->payload.begin(), again->payload.end()));

  auto event = faxgate::ParseTelephoneEvent(payload);
  FUZZ_CHECK(event.ok() == (payload.size() >= 4));
  if (event.ok()) {
    FUZZ_CHECK(event->volume <= 63);
    const std::array<uint8_t, 4> bytes = faxgate::EncodeTelephoneEvent(*event);
    FUZZ_CHECK(bytes[0] == payload[0] && bytes[1] == (payload[1] & 0xBF));  // R bit dropped
    FUZZ_CHECK(bytes[2] == payload[2] && bytes[3] == payload[3]);
  }
}

void CheckEventCodes(std::span<const uint8_t> input) {
  static constexpr char kDigits[] = "0123456789*#ABCD";
  for (size_t i = 0; i < input.size() && i < 16; ++i) {
    const char c = static_cast<char>(input[i]);
    const int code = faxgate::TelephoneEventCode(c);
    FUZZ_CHECK(code >= -1 && code <= 15);
    if (code >= 0) FUZZ_CHECK(kDigits[code] == c);
  }
}

constexpr uint8_t kSilence = 0x00;
// Never the silence byte; tells the timestamp modulo 128.
uint8_t SampleAt(uint32_t timestamp) { return static_cast<uint8_t>(0x80 | (timestamp & 0x7F)); }

class JitterScript {
 public:
  JitterScript(int delay, int capacity) : buffer_(delay, capacity, kSilence) {}

  void Put(uint32_t timestamp, size_t count) {
    std::vector<uint8_t> samples(count);
    for (size_t i = 0; i < count; ++i) samples[i] = SampleAt(timestamp + static_cast<uint32_t>(i));
    const uint64_t restarts = buffer_.stats().resyncs + buffer_.stats().stalls;
    buffer_.Put(timestamp, samples);
    if (count > 0) ++nonempty_puts_;
    // Playout moved (a timestamp jump, or a burst after a stalled peer): forget it.
    if (buffer_.stats().resyncs + buffer_.stats().stalls != restarts) playout_.reset();
    last_timestamp_ = timestamp;
  }

  void Take(size_t count) {
    std::vector<uint8_t> out(count, 0x5A);
    const JitterStats before = buffer_.stats();
    const Fill fill = buffer_.Take(out);
    const JitterStats& after = buffer_.stats();
    FUZZ_CHECK(after.lost_ticks == before.lost_ticks + (fill == Fill::kLost ? 1 : 0));
    FUZZ_CHECK(after.partial_ticks == before.partial_ticks + (fill == Fill::kPartial ? 1 : 0));
    FUZZ_CHECK(after.packets == before.packets && after.late == before.late &&
               after.resyncs == before.resyncs && after.stalls == before.stalls &&
               after.duplicates == before.duplicates);

    const size_t received = static_cast<size_t>(
        std::count_if(out.begin(), out.end(), [](uint8_t s) { return s != kSilence; }));
    switch (fill) {
      case Fill::kWaiting:
        FUZZ_CHECK(!playing_);
        FUZZ_CHECK(received == 0);
        return;
      case Fill::kAudio:
        FUZZ_CHECK(received == count);
        break;
      case Fill::kPartial:
        FUZZ_CHECK(received > 0 && received < count);
        break;
      case Fill::kLost:
        FUZZ_CHECK(received == 0);
        break;
    }
    playing_ = true;
    // Every sample received sits at its own timestamp: one start for the whole take, and the
    // start follows the previous take's end.
    for (size_t i = 0; i < count; ++i) {
      if (out[i] == kSilence) continue;
      const uint32_t start = (out[i] - static_cast<uint32_t>(i)) & 0x7F;
      if (playout_) FUZZ_CHECK(start == (*playout_ & 0x7F));
      playout_ = start;
    }
    if (playout_) playout_ = *playout_ + static_cast<uint32_t>(count);
  }

  void Finish() const {
    FUZZ_CHECK(buffer_.stats().packets == nonempty_puts_);
    FUZZ_CHECK(buffer_.stats().late + buffer_.stats().resyncs + buffer_.stats().stalls <=
               nonempty_puts_);
    FUZZ_CHECK(buffer_.stats().duplicates <= nonempty_puts_);
  }

  uint32_t last_timestamp() const { return last_timestamp_; }

 private:
  JitterBuffer buffer_;
  std::optional<uint32_t> playout_;  // timestamp (mod 128) of the next sample, once known
  bool playing_ = false;
  uint64_t nonempty_puts_ = 0;
  uint32_t last_timestamp_ = 0;
};

// Input: [config][records...]. An op octet with bit 7 set takes ((op & 0x7F) + 1) × 8 samples;
// otherwise it is the length of an RTP packet that follows (0-127 bytes). A packet with the
// marker bit is put relative to the previous one (the low 16 bits of its timestamp, signed), so
// that the fuzzer easily reaches reordering and loss near the playout position.
void CheckJitter(std::span<const uint8_t> input) {
  if (input.empty()) return;
  const uint8_t config = input[0];
  const int delay = (config & 7) * 80;
  const int capacity = delay + 160 + ((config >> 3) & 7) * 400;
  JitterScript script(delay, capacity);
  size_t pos = 1;
  while (pos < input.size()) {
    const uint8_t op = input[pos++];
    if (op & 0x80) {
      script.Take((static_cast<size_t>(op & 0x7F) + 1) * 8);
      continue;
    }
    const size_t length = std::min<size_t>(op, input.size() - pos);
    auto packet = faxgate::ParseRtp(input.subspan(pos, length));
    pos += length;
    if (!packet.ok()) continue;
    uint32_t timestamp = packet->header.timestamp;
    if (packet->header.marker) {
      timestamp = script.last_timestamp() + static_cast<uint32_t>(static_cast<int16_t>(timestamp));
    }
    // The payload's length matters, not its bytes; let short packets stand for long ones.
    size_t samples = packet->payload.size();
    if (packet->header.payload_type >= 96) samples *= 8;
    script.Put(timestamp, samples);
  }
  script.Finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  CheckParse(input);
  CheckEventCodes(input);
  CheckJitter(input);
  return 0;
}
