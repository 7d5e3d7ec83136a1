// RFC 2198 redundant audio: each RTP packet carries the current 20 ms of G.711 and copies of the
// previous ones, so a lost packet is restored from the next. Fax over G.711 cannot bear loss
// (one lost packet in a training check or an HDLC frame costs a whole exchange); ITU-T V.152
// names this payload format for voice-band data. Used only when both sides agree in SDP.
// Parsing is for untrusted datagrams: a bad payload is an error, never a crash.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "base/result.h"

namespace faxgate {

// The most redundant copies we send; more buys nothing for fax and costs bandwidth.
constexpr int kMaxAudioRedundancy = 5;

struct RedundantBlock {
  uint8_t payload_type = 0;
  uint32_t timestamp_offset = 0;  // how far before the packet's timestamp (0 for the primary)
  std::span<const uint8_t> data;  // points into the parsed payload
};

// Splits a `red` payload into its blocks, oldest first, the primary last. Refuses payloads whose
// headers run past the end, whose block lengths exceed what is there, or that have more than
// 16 blocks.
Result<std::vector<RedundantBlock>> ParseRedundantPayload(std::span<const uint8_t> payload);

// Builds `red` payloads for one codec: the current frame plus up to `depth` earlier ones.
class RedundantEncoder {
 public:
  RedundantEncoder(uint8_t payload_type, int depth);
  // The payload for the frame stamped `timestamp`; valid until the next call. Earlier frames
  // that are more than 16383 samples old (the 14-bit offset) or of another payload type are
  // left out.
  std::span<const uint8_t> Encode(uint32_t timestamp, std::span<const uint8_t> frame);
  // Forgets the earlier frames (after a gap, e.g. telephone-events sent instead of audio).
  void Reset() { history_.clear(); }

 private:
  struct Frame {
    uint32_t timestamp;
    std::vector<uint8_t> bytes;
  };
  uint8_t payload_type_;
  size_t depth_;
  std::deque<Frame> history_;  // oldest first
  std::vector<uint8_t> out_;
};

}  // namespace faxgate
