// UDPTL datagrams come from whoever knows the call's T.38 port. Three views of the same input:
//  1. the whole input as one datagram: decoding never crashes, and a decoded packet re-encodes
//     to bytes that decode to the same packet (and encode to themselves);
//  2. the input split into datagrams (each a length octet and that many bytes) fed to a
//     UdptlReceiver: delivered sequence numbers only move forward, recovered IFPs come before
//     their datagram's primary, the counters add up, and a receiver that never sees the malformed
//     datagrams delivers exactly the same IFPs (a malformed datagram changes nothing);
//  3. the input as IFPs and a loss pattern through UdptlSender and UdptlReceiver: every IFP
//     delivered is the one sent with that number (FEC rebuilds may be zero-padded), and with
//     redundancy no run of losses up to the depth costs an IFP.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "media/udptl.h"

namespace {

using faxgate::DecodeUdptl;
using faxgate::EncodeUdptl;
using faxgate::RecoveredIfp;
using faxgate::UdptlErrorCorrection;
using faxgate::UdptlPacket;
using faxgate::UdptlReceiver;
using faxgate::UdptlSender;
using faxgate::UdptlSettings;

using Bytes = std::vector<uint8_t>;

bool SamePacket(const UdptlPacket& a, const UdptlPacket& b) {
  return a.sequence == b.sequence && a.primary == b.primary && a.has_recovery == b.has_recovery &&
         a.mode == b.mode && a.secondaries == b.secondaries && a.fec_span == b.fec_span &&
         a.fec_entries == b.fec_entries;
}

bool SameIfps(const std::vector<RecoveredIfp>& a, const std::vector<RecoveredIfp>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].sequence != b[i].sequence || a[i].ifp != b[i].ifp ||
        a[i].recovered != b[i].recovered) {
      return false;
    }
  }
  return true;
}

size_t FieldBytes(const std::vector<Bytes>& fields) {
  size_t total = 0;
  for (const Bytes& f : fields) total += f.size();
  return total;
}

void CheckDecode(std::span<const uint8_t> datagram) {
  auto packet = DecodeUdptl(datagram);
  if (!packet.ok()) {
    FUZZ_CHECK(packet.error().code == faxgate::ErrorCode::kInvalidArgument);
    FUZZ_CHECK(!packet.error().message.empty() && packet.error().message.size() < 200);
    return;
  }
  FUZZ_CHECK(datagram.size() >= 3);
  FUZZ_CHECK(packet->sequence == ((datagram[0] << 8) | datagram[1]));
  FUZZ_CHECK(packet->secondaries.size() <= 16 && packet->fec_entries.size() <= 16);
  FUZZ_CHECK(packet->fec_span >= 0 && packet->fec_span <= 32);
  FUZZ_CHECK(packet->has_recovery == (packet->mode != UdptlErrorCorrection::kNone));
  if (packet->mode != UdptlErrorCorrection::kFec) {
    FUZZ_CHECK(packet->fec_span == 0 && packet->fec_entries.empty());
  }
  if (packet->mode != UdptlErrorCorrection::kRedundancy) FUZZ_CHECK(packet->secondaries.empty());
  FUZZ_CHECK(packet->primary.size() + FieldBytes(packet->secondaries) +
                 FieldBytes(packet->fec_entries) <
             datagram.size());

  // The encoding is canonical: never longer than what was read, and stable.
  const Bytes wire = EncodeUdptl(*packet);
  FUZZ_CHECK(wire.size() <= datagram.size());
  auto again = DecodeUdptl(wire);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(SamePacket(*again, *packet));
  FUZZ_CHECK(EncodeUdptl(*again) == wire);
}

// Splits the input into datagrams: a length octet, then up to that many bytes.
std::vector<std::span<const uint8_t>> Split(std::span<const uint8_t> input) {
  std::vector<std::span<const uint8_t>> out;
  size_t pos = 0;
  while (pos < input.size()) {
    const size_t length = std::min<size_t>(input[pos], input.size() - pos - 1);
    out.push_back(input.subspan(pos + 1, length));
    pos += 1 + length;
  }
  return out;
}

void CheckDelivery(const UdptlPacket& packet, const std::vector<RecoveredIfp>& ifps) {
  if (ifps.empty()) return;  // old or repeated
  const RecoveredIfp& primary = ifps.back();
  FUZZ_CHECK(primary.sequence == packet.sequence && !primary.recovered);
  FUZZ_CHECK(primary.ifp == packet.primary);
  for (size_t i = 0; i + 1 < ifps.size(); ++i) {
    FUZZ_CHECK(ifps[i].recovered && !ifps[i].ifp.empty());
    const uint16_t age = static_cast<uint16_t>(packet.sequence - ifps[i].sequence);
    FUZZ_CHECK(age >= 1 && age < 100);
    if (packet.mode == UdptlErrorCorrection::kRedundancy) {
      FUZZ_CHECK(age <= packet.secondaries.size());
      FUZZ_CHECK(ifps[i].ifp == packet.secondaries[age - 1]);
    } else {
      FUZZ_CHECK(packet.mode == UdptlErrorCorrection::kFec);
      FUZZ_CHECK(age <= packet.fec_span * packet.fec_entries.size());
    }
  }
}

void CheckReceiver(std::span<const uint8_t> input) {
  UdptlReceiver all;   // sees every datagram
  UdptlReceiver good;  // sees only the ones that decode
  uint64_t errors = 0;
  uint64_t delivered = 0;
  bool have_last = false;
  uint16_t last = 0;
  const auto datagrams = Split(input);
  for (std::span<const uint8_t> datagram : datagrams) {
    const faxgate::UdptlReceiveStats before = all.stats();
    auto result = all.Receive(datagram);
    auto packet = DecodeUdptl(datagram);
    FUZZ_CHECK(result.ok() == packet.ok());
    if (!result.ok()) {
      ++errors;
      continue;
    }
    auto shadow = good.Receive(datagram);
    FUZZ_CHECK(shadow.ok() && SameIfps(*shadow, *result));
    CheckDelivery(*packet, *result);

    const faxgate::UdptlReceiveStats& after = all.stats();
    const uint64_t rebuilt = after.recovered - before.recovered;
    const uint64_t lost = after.lost - before.lost;
    if (result->empty()) {
      FUZZ_CHECK(after.duplicates == before.duplicates + 1 && rebuilt == 0 && lost == 0);
    } else {
      FUZZ_CHECK(rebuilt == result->size() - 1);
      FUZZ_CHECK(rebuilt + lost < 100);
      const bool resync = after.resyncs != before.resyncs;
      if (resync) FUZZ_CHECK(rebuilt == 0 && lost == 0);
      // Delivery only moves forward, each sequence number once, without holes except those
      // counted lost (or skipped by a resync).
      for (const RecoveredIfp& ifp : *result) {
        if (have_last) {
          const uint16_t step = static_cast<uint16_t>(ifp.sequence - last);
          FUZZ_CHECK(step >= 1 && step <= 0x8000);  // the expected one + 32767 is ahead
        }
        have_last = true;
        last = ifp.sequence;
      }
    }
    delivered += result->size();
  }
  FUZZ_CHECK(all.stats().datagrams == datagrams.size());
  FUZZ_CHECK(all.stats().malformed == errors);
  FUZZ_CHECK(good.stats().malformed == 0);
  FUZZ_CHECK(all.stats().recovered == good.stats().recovered);
  FUZZ_CHECK(all.stats().lost == good.stats().lost);
  FUZZ_CHECK(all.stats().duplicates == good.stats().duplicates);
  FUZZ_CHECK(all.stats().resyncs == good.stats().resyncs);
  FUZZ_CHECK(delivered + all.stats().duplicates >= datagrams.size() - errors);
}

// Reads the input as settings, then records of [flags][IFP bytes]: flags bit 7 drops the
// datagram, bit 6 swaps it with the next one, bits 0-4 + 1 give the IFP length.
void CheckRoundTrip(std::span<const uint8_t> input) {
  if (input.size() < 2) return;
  UdptlSettings settings;
  settings.mode = static_cast<UdptlErrorCorrection>(input[0] % 3);
  settings.redundancy_depth = 1 + (input[0] >> 2) % 8;
  settings.fec_span = 1 + input[1] % 5;
  settings.fec_entries = 1 + (input[1] >> 3) % 5;
  settings.far_max_datagram = 1400;  // room for every copy of IFPs of up to 32 bytes
  input = input.subspan(2);

  struct Sent {
    Bytes wire;
    bool drop = false;
    bool swap = false;
  };
  std::vector<Bytes> ifps;
  std::vector<Sent> sent;
  UdptlSender sender(settings);
  size_t pos = 0;
  while (pos < input.size() && ifps.size() < 80) {
    const uint8_t flags = input[pos++];
    Bytes ifp(1 + (flags & 0x1F), 0);
    for (uint8_t& b : ifp) b = pos < input.size() ? input[pos++] : 0;
    sent.push_back(Sent{sender.Build(ifp), (flags & 0x80) != 0, (flags & 0x40) != 0});
    ifps.push_back(std::move(ifp));
  }

  // The order datagrams arrive in.
  std::vector<size_t> order;
  bool reordered = false;
  for (size_t i = 0; i < sent.size(); ++i) {
    if (sent[i].swap && i + 1 < sent.size()) {
      order.push_back(i + 1);
      order.push_back(i);
      reordered = true;
      ++i;
    } else {
      order.push_back(i);
    }
  }

  UdptlReceiver receiver;
  uint64_t expected_lost = 0;
  bool have_previous = false;
  size_t previous = 0;
  for (size_t index : order) {
    if (sent[index].drop) continue;
    auto result = receiver.Receive(sent[index].wire);
    FUZZ_CHECK(result.ok());
    for (const RecoveredIfp& got : *result) {
      FUZZ_CHECK(got.sequence < ifps.size());
      const Bytes& original = ifps[got.sequence];
      if (!got.recovered || settings.mode == UdptlErrorCorrection::kRedundancy) {
        FUZZ_CHECK(got.ifp == original);
      } else {
        // An FEC rebuild is as long as the longest IFP of its group.
        FUZZ_CHECK(got.ifp.size() >= original.size());
        FUZZ_CHECK(std::equal(original.begin(), original.end(), got.ifp.begin()));
        for (size_t i = original.size(); i < got.ifp.size(); ++i) FUZZ_CHECK(got.ifp[i] == 0);
      }
    }
    // Redundancy: a datagram rebuilds the `depth` IFPs before it, so only the older part of a
    // gap is lost (the stream starts at 0, so the first gap counts from there).
    if (!reordered && settings.mode != UdptlErrorCorrection::kFec) {
      // A receiver takes a first datagram numbered 16 or more as the start of the stream.
      const size_t gap = have_previous ? index - previous - 1 : (index < 16 ? index : 0);
      const size_t depth =
          settings.mode == UdptlErrorCorrection::kRedundancy ? settings.redundancy_depth : 0;
      if (gap > depth) expected_lost += gap - depth;
      have_previous = true;
      previous = index;
    }
  }
  if (!reordered && settings.mode != UdptlErrorCorrection::kFec) {
    FUZZ_CHECK(receiver.stats().lost == expected_lost);
  }
  FUZZ_CHECK(receiver.stats().malformed == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  CheckDecode(input);
  CheckReceiver(input);
  CheckRoundTrip(input);
  return 0;
}
