// UDPTL as Asterisk, FreeSWITCH and Wireshark read it (reference/sip-t38.md 7.1): ASN.1 PER
// aligned, where every part of the packet starts on an octet boundary.
//
// Decoding choices:
// - Octets after a complete packet are ignored, as Asterisk does: the packet's own lengths
//   decide what it carries, and a stray trailing octet from some stack should not cost an IFP.
// - A datagram that ends right after its primary (no error-recovery part, sip-t38.md 7.2 frame
//   2) is accepted with has_recovery = false: its primary is still a good IFP.
// - The fragmented length form (11xxxxxx) is refused: IFPs are far below 16 KiB.
// - Only the top bit of the error-recovery octet is read; the other seven are PER padding.
#include "media/udptl.h"

#include <algorithm>
#include <string>

namespace faxgate {
namespace {

constexpr size_t kMaxLength = 0x3FFF;  // the largest length the two-octet form holds
constexpr size_t kMaxSecondaries = 16;
constexpr size_t kMaxFecEntries = 16;
constexpr uint32_t kMaxFecSpan = 32;
constexpr uint8_t kFecBit = 0x80;

// Asterisk's limits for the far end's T38FaxMaxDatagram (sip-t38.md 7.4).
constexpr int kDefaultFarMaxDatagram = 400;
constexpr int kFarMaxDatagramLimit = 1400;

// A receiver rebuilds IFPs only for a gap shorter than this; a longer jump means the far end
// restarted its numbering (or a long outage), where recovery would only invent packets.
constexpr uint16_t kResyncJump = 100;
// Sequence numbers behind the expected one by less than half the space are old.
constexpr uint16_t kHalfSpace = 0x8000;
// A first datagram numbered below this is taken to follow a lost start at sequence 0, so that
// its redundancy can rebuild the IFPs before it.
constexpr uint16_t kStartWindow = 16;
// Delivered IFPs kept for FEC: covers span × entries = 25, Asterisk's largest setting.
constexpr size_t kRecentIfps = 32;

Error Malformed(const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, "malformed UDPTL datagram: " + what);
}

// Reads a datagram front to back; every read checks the bounds.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  bool AtEnd() const { return pos_ == data_.size(); }

  Result<uint8_t> Octet(const char* what) {
    if (pos_ >= data_.size()) return Malformed(std::string("truncated before ") + what);
    return data_[pos_++];
  }

  // X.691 10.9 length determinant: 0xxxxxxx, or 10xxxxxx xxxxxxxx.
  Result<size_t> Length(const char* what) {
    FG_ASSIGN_OR_RETURN(uint8_t first, Octet(what));
    if ((first & 0x80) == 0) return size_t{first};
    if ((first & 0xC0) == 0xC0) {
      return Malformed(std::string("fragmented length in ") + what);
    }
    FG_ASSIGN_OR_RETURN(uint8_t second, Octet(what));
    return (size_t{first & 0x3Fu} << 8) | second;
  }

  // An open type or octet string: a length determinant and that many octets.
  Result<std::vector<uint8_t>> Bytes(const char* what) {
    FG_ASSIGN_OR_RETURN(size_t length, Length(what));
    if (length > data_.size() - pos_) {
      return Malformed(std::string(what) + " of " + std::to_string(length) +
                       " bytes runs past the end");
    }
    std::vector<uint8_t> bytes(data_.begin() + static_cast<std::ptrdiff_t>(pos_),
                               data_.begin() + static_cast<std::ptrdiff_t>(pos_ + length));
    pos_ += length;
    return bytes;
  }

  // A counted list of open types, at most `max` of them.
  Result<std::vector<std::vector<uint8_t>>> List(const char* what, size_t max) {
    FG_ASSIGN_OR_RETURN(size_t count, Length(what));
    if (count > max) {
      return Malformed(std::to_string(count) + " " + what + " (at most " + std::to_string(max) +
                       ")");
    }
    std::vector<std::vector<uint8_t>> list;
    list.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      FG_ASSIGN_OR_RETURN(auto bytes, Bytes(what));
      list.push_back(std::move(bytes));
    }
    return list;
  }

  // fec-npackets, an unconstrained INTEGER: a length octet, then that many value octets.
  Result<int> FecSpan() {
    FG_ASSIGN_OR_RETURN(uint8_t octets, Octet("fec-npackets"));
    if (octets < 1 || octets > 4)
      return Malformed("fec-npackets of " + std::to_string(octets) + " octets");
    uint32_t value = 0;
    for (uint8_t i = 0; i < octets; ++i) {
      FG_ASSIGN_OR_RETURN(uint8_t octet, Octet("fec-npackets"));
      value = (value << 8) | octet;
    }
    if (value > kMaxFecSpan) return Malformed("fec-npackets " + std::to_string(value));
    return static_cast<int>(value);
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

void WriteLength(std::vector<uint8_t>& out, size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<uint8_t>(length));
  } else {
    out.push_back(static_cast<uint8_t>(0x80 | (length >> 8)));
    out.push_back(static_cast<uint8_t>(length));
  }
}

// Longer fields cannot be written without PER fragmentation, which no peer reads; they never
// occur (IFPs are sized by MaxIfpSize), so they are cut rather than sent in a form nobody parses.
void WriteBytes(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  const size_t length = std::min(bytes.size(), kMaxLength);
  WriteLength(out, length);
  out.insert(out.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
}

void WriteList(std::vector<uint8_t>& out, const std::vector<std::vector<uint8_t>>& list) {
  WriteLength(out, std::min(list.size(), kMaxLength));
  for (size_t i = 0; i < list.size() && i < kMaxLength; ++i) WriteBytes(out, list[i]);
}

void WriteFecSpan(std::vector<uint8_t>& out, int span) {
  const uint32_t value = static_cast<uint32_t>(std::max(span, 0));
  uint8_t octets = 1;
  while (octets < 4 && (value >> (8 * octets)) != 0) ++octets;
  out.push_back(octets);
  for (int i = octets - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

size_t LengthSize(size_t length) { return std::min(length, kMaxLength) < 0x80 ? 1 : 2; }
size_t FieldSize(const std::vector<uint8_t>& bytes) {
  return LengthSize(bytes.size()) + std::min(bytes.size(), kMaxLength);
}

int FarMaxDatagram(int far) {
  return far <= 0 || far > kFarMaxDatagramLimit ? kDefaultFarMaxDatagram : far;
}

// The smallest IFP budget spandsp's T.38 core accepts (fax/t38_fax_session.cpp checks it).
constexpr int kMinSignallingIfp = 32;

int ClampInt(int value, int low, int high) { return std::min(std::max(value, low), high); }

UdptlSettings Normalized(UdptlSettings settings) {
  settings.redundancy_depth = ClampInt(settings.redundancy_depth, 0, 8);
  settings.fec_span = ClampInt(settings.fec_span, 1, 5);
  settings.fec_entries = ClampInt(settings.fec_entries, 1, 5);
  settings.far_max_datagram = FarMaxDatagram(settings.far_max_datagram);
  return settings;
}

// XORs `ifp` into `acc`, zero-padding whichever is shorter (Annex C).
void XorInto(std::vector<uint8_t>& acc, const std::vector<uint8_t>& ifp) {
  if (acc.size() < ifp.size()) acc.resize(ifp.size(), 0);
  for (size_t i = 0; i < ifp.size(); ++i) acc[i] ^= ifp[i];
}

}  // namespace

Result<UdptlPacket> DecodeUdptl(std::span<const uint8_t> datagram) {
  Reader reader(datagram);
  UdptlPacket packet;
  FG_ASSIGN_OR_RETURN(uint8_t high, reader.Octet("sequence number"));
  FG_ASSIGN_OR_RETURN(uint8_t low, reader.Octet("sequence number"));
  packet.sequence = static_cast<uint16_t>((high << 8) | low);
  FG_ASSIGN_OR_RETURN(packet.primary, reader.Bytes("primary IFP"));
  if (reader.AtEnd()) {
    packet.has_recovery = false;
    packet.mode = UdptlErrorCorrection::kNone;
    return packet;
  }
  FG_ASSIGN_OR_RETURN(uint8_t choice, reader.Octet("error recovery"));
  if ((choice & kFecBit) == 0) {
    packet.mode = UdptlErrorCorrection::kRedundancy;
    FG_ASSIGN_OR_RETURN(packet.secondaries, reader.List("secondary IFPs", kMaxSecondaries));
  } else {
    packet.mode = UdptlErrorCorrection::kFec;
    FG_ASSIGN_OR_RETURN(packet.fec_span, reader.FecSpan());
    FG_ASSIGN_OR_RETURN(packet.fec_entries, reader.List("FEC entries", kMaxFecEntries));
  }
  return packet;
}

std::vector<uint8_t> EncodeUdptl(const UdptlPacket& packet) {
  std::vector<uint8_t> out;
  out.reserve(8 + packet.primary.size());
  out.push_back(static_cast<uint8_t>(packet.sequence >> 8));
  out.push_back(static_cast<uint8_t>(packet.sequence));
  WriteBytes(out, packet.primary);
  if (!packet.has_recovery) return out;
  if (packet.mode == UdptlErrorCorrection::kFec) {
    out.push_back(kFecBit);
    WriteFecSpan(out, packet.fec_span);
    WriteList(out, packet.fec_entries);
  } else {
    // kNone is sent as Asterisk sends it: redundancy with no secondaries, since some receivers
    // (Asterisk among them) drop a datagram without an error-recovery part.
    out.push_back(0x00);
    WriteList(out, packet.secondaries);
  }
  return out;
}

int MaxIfpSize(const UdptlSettings& settings) {
  const int far = FarMaxDatagram(settings.far_max_datagram);
  int max_ifp = 0;
  switch (settings.mode) {
    case UdptlErrorCorrection::kNone:
      max_ifp = far - 5;  // sequence, length, recovery octet, count
      break;
    case UdptlErrorCorrection::kRedundancy: {
      // Room for the primary and `entries` copies; fewer copies rather than IFPs under 80 bytes,
      // but never fewer than one.
      int entries = ClampInt(settings.redundancy_depth, 0, 8);
      max_ifp = (far - 8) / (entries + 1);
      while (max_ifp < 80 && entries > 1) {
        --entries;
        max_ifp = (far - 8) / (entries + 1);
      }
      // A far end with a tiny datagram (72 in the reference scenarios) leaves no room for even
      // one copy of a signalling IFP (spandsp needs 32 bytes): send the primary alone then; the
      // sender drops copies that do not fit anyway.
      if (max_ifp * 0.95 < kMinSignallingIfp) max_ifp = far - 8;
      break;
    }
    case UdptlErrorCorrection::kFec:
      max_ifp = (far - 10) / 2;  // the primary and an XOR entry as long as it
      break;
  }
  // Asterisk keeps 5 % for insurance, computed in floating point; do the same so that both
  // agree to the byte on what the far end accepts.
  return std::max(static_cast<int>(max_ifp * 0.95), 1);
}

UdptlSender::UdptlSender(UdptlSettings settings) : settings_(Normalized(settings)) {}

std::vector<uint8_t> UdptlSender::Build(std::span<const uint8_t> ifp) {
  UdptlPacket packet;
  packet.sequence = next_;
  packet.primary.assign(ifp.begin(), ifp.end());
  packet.mode = settings_.mode;
  switch (settings_.mode) {
    case UdptlErrorCorrection::kNone:
      break;
    case UdptlErrorCorrection::kRedundancy:
      AddRedundancy(packet);
      break;
    case UdptlErrorCorrection::kFec:
      AddFec(packet);
      break;
  }
  std::vector<uint8_t> datagram = EncodeUdptl(packet);

  history_.push_front(std::move(packet.primary));
  const size_t keep = static_cast<size_t>(
      std::max(settings_.redundancy_depth, settings_.fec_span * settings_.fec_entries));
  if (history_.size() > keep) history_.pop_back();
  ++next_;
  ++sent_;
  return datagram;
}

// The previous primaries, most recent first, as many as fit the far end's datagram.
void UdptlSender::AddRedundancy(UdptlPacket& packet) const {
  size_t copies = std::min(history_.size(), static_cast<size_t>(settings_.redundancy_depth));
  // Sequence number, primary, recovery octet and the count (one octet: at most 8 copies).
  size_t size = 2 + FieldSize(packet.primary) + 1 + 1;
  for (size_t i = 0; i < copies; ++i) size += FieldSize(history_[i]);
  while (copies > 0 && size > static_cast<size_t>(settings_.far_max_datagram)) {
    --copies;
    size -= FieldSize(history_[copies]);
  }
  packet.secondaries.assign(history_.begin(),
                            history_.begin() + static_cast<std::ptrdiff_t>(copies));
}

// T.38 Annex C as Asterisk builds it: entry m is the XOR of the primaries `entries` apart
// that were sent span × entries - m, ..., entries - m packets ago. While fewer than
// span × entries packets have been sent, fewer entries (and before `span` packets, none) are
// used, so every group names packets that exist.
void UdptlSender::AddFec(UdptlPacket& packet) const {
  const int full_span = settings_.fec_span;
  const int full_entries = settings_.fec_entries;
  int span = full_span;
  int entries = full_entries;
  if (sent_ < static_cast<uint64_t>(full_span * full_entries)) {
    entries = static_cast<int>(sent_) / full_span;
    if (static_cast<int>(sent_) < full_span) span = 0;
  }
  packet.fec_span = span;
  packet.fec_entries.resize(static_cast<size_t>(entries));
  for (int m = 0; m < entries; ++m) {
    for (int k = 0; k < span; ++k) {
      const int age = span * entries - m - k * entries;  // 1 = the previous packet
      XorInto(packet.fec_entries[static_cast<size_t>(m)], history_[static_cast<size_t>(age - 1)]);
    }
  }
}

UdptlReceiver::UdptlReceiver() = default;

Result<std::vector<RecoveredIfp>> UdptlReceiver::Receive(std::span<const uint8_t> datagram) {
  ++stats_.datagrams;
  auto decoded = DecodeUdptl(datagram);
  if (!decoded.ok()) {
    ++stats_.malformed;
    return decoded.error();
  }
  UdptlPacket& packet = *decoded;
  std::vector<RecoveredIfp> out;

  if (!started_) {
    started_ = true;
    expected_ = packet.sequence < kStartWindow ? 0 : packet.sequence;
  }
  const uint16_t ahead = static_cast<uint16_t>(packet.sequence - expected_);
  if (ahead >= kHalfSpace) {
    ++stats_.duplicates;
    return out;
  }
  if (ahead >= kResyncJump) {
    ++stats_.resyncs;
    recent_.clear();
  } else if (ahead > 0) {
    Rebuilt rebuilt(ahead);
    if (packet.mode == UdptlErrorCorrection::kFec) {
      RecoverFromFec(packet, rebuilt);
    } else {
      RecoverFromRedundancy(packet, rebuilt);
    }
    for (uint16_t i = 0; i < ahead; ++i) {
      const uint16_t sequence = static_cast<uint16_t>(expected_ + i);
      if (rebuilt[i].empty()) {
        ++stats_.lost;
        continue;
      }
      ++stats_.recovered;
      Remember(sequence, rebuilt[i]);
      out.push_back(RecoveredIfp{sequence, std::move(rebuilt[i]), true});
    }
  }
  Remember(packet.sequence, packet.primary);
  out.push_back(RecoveredIfp{packet.sequence, std::move(packet.primary), false});
  expected_ = static_cast<uint16_t>(packet.sequence + 1);
  return out;
}

// Secondary i carries sequence - 1 - i. An empty secondary carries nothing usable.
void UdptlReceiver::RecoverFromRedundancy(const UdptlPacket& packet, Rebuilt& rebuilt) const {
  const size_t gap = rebuilt.size();
  for (size_t i = 0; i < packet.secondaries.size() && i < gap; ++i) {
    rebuilt[gap - 1 - i] = packet.secondaries[i];
  }
}

// Each FEC entry is the XOR of one group of earlier primaries (see UdptlSender::AddFec); a group
// with exactly one member missing gives that member back. The rebuilt IFP is as long as the
// entry, i.e. the longest member of the group: a shorter original comes back zero-padded, as
// in Asterisk.
void UdptlReceiver::RecoverFromFec(const UdptlPacket& packet, Rebuilt& rebuilt) const {
  const int gap = static_cast<int>(rebuilt.size());
  const int entries = static_cast<int>(packet.fec_entries.size());
  const int span = packet.fec_span;
  for (int m = 0; m < entries; ++m) {
    const std::vector<uint8_t>& entry = packet.fec_entries[static_cast<size_t>(m)];
    std::vector<uint8_t> acc = entry;
    int missing = -1;
    bool usable = span > 0 && !entry.empty();
    for (int k = 0; k < span && usable; ++k) {
      const int age = span * entries - m - k * entries;
      if (age <= gap) {
        // In the gap: one of the IFPs this datagram may rebuild.
        const auto& have = rebuilt[static_cast<size_t>(gap - age)];
        if (!have.empty()) {
          XorInto(acc, have);
        } else if (missing < 0) {
          missing = gap - age;
        } else {
          usable = false;  // two missing in one group
        }
        continue;
      }
      const std::vector<uint8_t>* known = RecentIfp(static_cast<uint16_t>(packet.sequence - age));
      if (known == nullptr) {
        usable = false;  // lost earlier, or older than what is kept
      } else {
        XorInto(acc, *known);
      }
    }
    if (!usable || missing < 0) continue;
    acc.resize(entry.size());
    rebuilt[static_cast<size_t>(missing)] = std::move(acc);
  }
}

const std::vector<uint8_t>* UdptlReceiver::RecentIfp(uint16_t sequence) const {
  for (const auto& [seq, ifp] : recent_) {
    if (seq == sequence) return &ifp;
  }
  return nullptr;
}

void UdptlReceiver::Remember(uint16_t sequence, const std::vector<uint8_t>& ifp) {
  recent_.emplace_back(sequence, ifp);
  if (recent_.size() > kRecentIfps) recent_.pop_front();
}

}  // namespace faxgate
