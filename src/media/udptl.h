// UDPTL (ITU-T T.38 section 9.1 and Annex C): the datagrams that carry T.38 IFP packets over
// UDP, with redundancy or forward error correction so that a lost datagram can be rebuilt from
// the ones that follow it. IFP contents are spandsp's business; this layer moves them opaquely.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "base/result.h"

namespace faxgate {

enum class UdptlErrorCorrection { kNone, kRedundancy, kFec };

// One datagram, decoded.
struct UdptlPacket {
  uint16_t sequence = 0;
  std::vector<uint8_t> primary;  // the IFP this datagram carries
  // Whether the datagram had an error-recovery part at all (some senders omit it).
  bool has_recovery = true;
  UdptlErrorCorrection mode = UdptlErrorCorrection::kRedundancy;
  // Redundancy: earlier primaries, most recent first (sequence - 1, sequence - 2, ...).
  std::vector<std::vector<uint8_t>> secondaries;
  // FEC: fec-npackets (the span) and the XOR entries (Annex C).
  int fec_span = 0;
  std::vector<std::vector<uint8_t>> fec_entries;
};

// Decodes one datagram. Garbage, truncation, lengths past the end and absurd counts are errors.
Result<UdptlPacket> DecodeUdptl(std::span<const uint8_t> datagram);
std::vector<uint8_t> EncodeUdptl(const UdptlPacket& packet);

struct UdptlSettings {
  UdptlErrorCorrection mode = UdptlErrorCorrection::kRedundancy;
  int redundancy_depth = 3;    // earlier IFPs repeated in each datagram (1..8)
  int fec_span = 3;            // FEC: packets XOR-ed per entry (1..5)
  int fec_entries = 3;         // FEC: entries per datagram (1..5)
  int far_max_datagram = 400;  // T38FaxMaxDatagram of the far end; 0: unknown (400)
};

// The largest IFP that fits the far end's datagram with this error correction, after
// Asterisk's rule (reference/sip-t38.md 7.4). Tell spandsp with t38_set_max_datagram_size().
int MaxIfpSize(const UdptlSettings& settings);

// Builds outgoing datagrams: each IFP gets the next sequence number and carries the recovery
// part the settings ask for (redundant copies are dropped while the datagram would exceed the
// far end's maximum).
class UdptlSender {
 public:
  explicit UdptlSender(UdptlSettings settings);
  std::vector<uint8_t> Build(std::span<const uint8_t> ifp);
  uint16_t next_sequence() const { return next_; }

 private:
  UdptlSettings settings_;
  uint16_t next_ = 0;
  uint64_t sent_ = 0;  // datagrams built; unlike next_ it does not wrap (FEC wind-up)
  std::deque<std::vector<uint8_t>> history_;  // most recent first

  void AddRedundancy(UdptlPacket& packet) const;
  void AddFec(UdptlPacket& packet) const;
};

struct RecoveredIfp {
  uint16_t sequence = 0;
  std::vector<uint8_t> ifp;
  bool recovered = false;  // rebuilt from redundancy/FEC rather than received as primary
};

struct UdptlReceiveStats {
  uint64_t datagrams = 0;  // every datagram handed in, malformed ones included
  uint64_t malformed = 0;
  uint64_t duplicates = 0;  // old or repeated sequence numbers
  uint64_t recovered = 0;   // IFPs rebuilt from redundancy or FEC
  uint64_t lost = 0;        // IFPs that could not be rebuilt
  uint64_t resyncs = 0;     // jumps far ahead that restarted the sequence without recovery
};

// Turns incoming datagrams back into the IFP sequence: duplicates and late datagrams are
// dropped, and IFPs lost before this one are rebuilt from its redundancy or FEC where possible,
// in sequence order, before its primary. Sequence numbers wrap at 65536.
class UdptlReceiver {
 public:
  UdptlReceiver();
  // The IFPs this datagram delivers, in order (possibly none). A malformed datagram is an error
  // and changes nothing.
  Result<std::vector<RecoveredIfp>> Receive(std::span<const uint8_t> datagram);
  const UdptlReceiveStats& stats() const { return stats_; }

 private:
  bool started_ = false;
  uint16_t expected_ = 0;
  // IFPs delivered recently (for FEC recovery), oldest first, the last 32 of them.
  std::deque<std::pair<uint16_t, std::vector<uint8_t>>> recent_;
  UdptlReceiveStats stats_;

  using Rebuilt = std::vector<std::vector<uint8_t>>;  // one per missing IFP; empty: not rebuilt
  void RecoverFromRedundancy(const UdptlPacket& packet, Rebuilt& rebuilt) const;
  void RecoverFromFec(const UdptlPacket& packet, Rebuilt& rebuilt) const;
  const std::vector<uint8_t>* RecentIfp(uint16_t sequence) const;
  void Remember(uint16_t sequence, const std::vector<uint8_t>& ifp);
};

}  // namespace faxgate
