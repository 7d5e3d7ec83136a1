#include "media/udptl.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace faxgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Bytes = std::vector<uint8_t>;

Bytes Hex(const std::string& hex) {
  Bytes out;
  std::string digits;
  for (char c : hex) {
    if (c != ' ') digits += c;
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// The first datagrams of interop/asterisk-sendfax.pcap (frames 1-12), as sent.
const std::vector<std::string> kCapture = {
    "ffff47415242414745",                    // 1: seq 65535 + "GARBAGE"
    "00000100",                              // 2: seq 0, no error-recovery part
    "0001010000010100",                      // 3
    "0002010000010100",                      // 4
    "0003010600010100",                      // 5
    "000406c001800000ff00010106",            // 6
    "000506c001800000c0000106c001800000ff",  // 7
    "000606c001800000c2000106c001800000c0",  // 8
    "000706c00180000076000106c001800000c2",  // 9
    "000806c001800000ee000106c00180000076",  // 10
    "000906c001800000f6000106c001800000ee",  // 11
    "000a06c00180000076000106c001800000f6",  // 12
};

// A distinct IFP per sequence number, of varying length.
Bytes Ifp(int n, size_t length = 0) {
  if (length == 0) length = 3 + static_cast<size_t>(n % 7);
  Bytes out(length);
  for (size_t i = 0; i < length; ++i) out[i] = static_cast<uint8_t>(n * 31 + i * 7 + 1);
  return out;
}

std::vector<uint16_t> Sequences(const std::vector<RecoveredIfp>& ifps) {
  std::vector<uint16_t> out;
  for (const auto& ifp : ifps) out.push_back(ifp.sequence);
  return out;
}

// --- Decoding and encoding --------------------------------------------------------------------

TEST(UdptlCodecTest, WorkedExampleFrame3) {
  auto packet = DecodeUdptl(Hex("00 01 01 00 00 01 01 00"));
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  EXPECT_EQ(packet->sequence, 1);
  EXPECT_THAT(packet->primary, ElementsAre(0x00));
  EXPECT_TRUE(packet->has_recovery);
  EXPECT_EQ(packet->mode, UdptlErrorCorrection::kRedundancy);
  ASSERT_EQ(packet->secondaries.size(), 1u);
  EXPECT_THAT(packet->secondaries[0], ElementsAre(0x00));
}

TEST(UdptlCodecTest, WorkedExampleFrame188) {
  auto packet = DecodeUdptl(Hex("00 ba 06 c0 01 80 00 00 ff 00 01 01 06"));
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  EXPECT_EQ(packet->sequence, 186);
  EXPECT_THAT(packet->primary, ElementsAre(0xc0, 0x01, 0x80, 0x00, 0x00, 0xff));
  EXPECT_EQ(packet->mode, UdptlErrorCorrection::kRedundancy);
  ASSERT_EQ(packet->secondaries.size(), 1u);
  EXPECT_THAT(packet->secondaries[0], ElementsAre(0x06));
}

TEST(UdptlCodecTest, WorkedExampleFrame2HasNoRecovery) {
  auto packet = DecodeUdptl(Hex("00 00 01 00"));
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  EXPECT_EQ(packet->sequence, 0);
  EXPECT_THAT(packet->primary, ElementsAre(0x00));
  EXPECT_FALSE(packet->has_recovery);
  EXPECT_TRUE(packet->secondaries.empty());
  EXPECT_EQ(EncodeUdptl(*packet), Hex("00 00 01 00"));
}

TEST(UdptlCodecTest, WorkedExampleFrame1IsGarbage) {
  auto packet = DecodeUdptl(Hex("ff ff 47 41 52 42 41 47 45"));
  ASSERT_FALSE(packet.ok());
  EXPECT_EQ(packet.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(packet.error().message, HasSubstr("primary IFP of 71 bytes runs past the end"));
}

TEST(UdptlCodecTest, CapturedDatagramsReencodeToTheSameBytes) {
  for (size_t i = 1; i < kCapture.size(); ++i) {
    const Bytes wire = Hex(kCapture[i]);
    auto packet = DecodeUdptl(wire);
    ASSERT_TRUE(packet.ok()) << kCapture[i];
    EXPECT_EQ(packet->sequence, i - 1);
    EXPECT_EQ(EncodeUdptl(*packet), wire) << kCapture[i];
  }
}

TEST(UdptlCodecTest, TwoOctetLengths) {
  UdptlPacket packet;
  packet.sequence = 0x1234;
  packet.primary = Ifp(1, 200);
  packet.secondaries = {Ifp(2, 127), Ifp(3, 128), Ifp(4, 16383)};
  const Bytes wire = EncodeUdptl(packet);
  EXPECT_THAT(Bytes(wire.begin(), wire.begin() + 4), ElementsAre(0x12, 0x34, 0x80, 200));
  auto decoded = DecodeUdptl(wire);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->primary, packet.primary);
  EXPECT_EQ(decoded->secondaries, packet.secondaries);
}

TEST(UdptlCodecTest, FecRoundTrip) {
  const Bytes wire = Hex("00 05 01 aa 80 01 03 02 01 bb 02 cc dd");
  auto packet = DecodeUdptl(wire);
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  EXPECT_EQ(packet->sequence, 5);
  EXPECT_EQ(packet->mode, UdptlErrorCorrection::kFec);
  EXPECT_EQ(packet->fec_span, 3);
  ASSERT_EQ(packet->fec_entries.size(), 2u);
  EXPECT_THAT(packet->fec_entries[0], ElementsAre(0xbb));
  EXPECT_THAT(packet->fec_entries[1], ElementsAre(0xcc, 0xdd));
  EXPECT_TRUE(packet->secondaries.empty());
  EXPECT_EQ(EncodeUdptl(*packet), wire);
}

TEST(UdptlCodecTest, FecSpanInSeveralOctets) {
  auto packet = DecodeUdptl(Hex("00 05 01 aa 80 02 00 04 00"));
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  EXPECT_EQ(packet->fec_span, 4);
  EXPECT_TRUE(packet->fec_entries.empty());
}

TEST(UdptlCodecTest, TrailingOctetsAreIgnored) {
  auto packet = DecodeUdptl(Hex("00 01 01 00 00 01 01 00 de ad"));
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  EXPECT_EQ(EncodeUdptl(*packet), Hex("00 01 01 00 00 01 01 00"));
}

TEST(UdptlCodecTest, OnlyTheTopBitOfTheRecoveryOctetCounts) {
  auto redundancy = DecodeUdptl(Hex("00 01 01 00 7f 00"));
  ASSERT_TRUE(redundancy.ok());
  EXPECT_EQ(redundancy->mode, UdptlErrorCorrection::kRedundancy);
  auto fec = DecodeUdptl(Hex("00 01 01 00 ff 01 00 00"));
  ASSERT_TRUE(fec.ok());
  EXPECT_EQ(fec->mode, UdptlErrorCorrection::kFec);
}

TEST(UdptlCodecTest, EmptyFieldsDecode) {
  auto packet = DecodeUdptl(Hex("00 07 00 00 02 00 01 09"));
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  EXPECT_TRUE(packet->primary.empty());
  ASSERT_EQ(packet->secondaries.size(), 2u);
  EXPECT_TRUE(packet->secondaries[0].empty());
  EXPECT_THAT(packet->secondaries[1], ElementsAre(0x09));
}

TEST(UdptlCodecTest, RefusesMalformedDatagrams) {
  struct Case {
    const char* name;
    const char* hex;
    const char* message;
  };
  const Case cases[] = {
      {"empty", "", "sequence number"},
      {"one octet", "00", "sequence number"},
      {"no primary length", "00 01", "primary IFP"},
      {"primary cut", "00 01 03 00 00", "runs past the end"},
      {"two-octet length cut", "00 01 81", "primary IFP"},
      {"two-octet length past end", "00 01 81 00 00", "runs past the end"},
      {"fragmented primary", "00 01 c1 00", "fragmented"},
      {"no secondary count", "00 01 01 00 00", "secondary IFPs"},
      {"secondary cut", "00 01 01 00 00 02 01 00 05 00", "runs past the end"},
      {"fragmented count", "00 01 01 00 00 c1", "fragmented"},
      {"17 secondaries", "00 01 01 00 00 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
       "17 secondary IFPs"},
      {"no fec-npackets", "00 01 01 00 80", "fec-npackets"},
      {"fec-npackets of 0 octets", "00 01 01 00 80 00 00", "fec-npackets of 0 octets"},
      {"fec-npackets of 5 octets", "00 01 01 00 80 05 00 00 00 00 03 00",
       "fec-npackets of 5 octets"},
      {"fec-npackets cut", "00 01 01 00 80 02 00", "fec-npackets"},
      {"span 33", "00 01 01 00 80 01 21 00", "fec-npackets 33"},
      {"no FEC count", "00 01 01 00 80 01 03", "FEC entries"},
      {"17 FEC entries", "00 01 01 00 80 01 03 11", "17 FEC entries"},
      {"FEC entry cut", "00 01 01 00 80 01 03 01 04 00", "runs past the end"},
  };
  for (const Case& c : cases) {
    auto packet = DecodeUdptl(Hex(c.hex));
    ASSERT_FALSE(packet.ok()) << c.name;
    EXPECT_EQ(packet.error().code, ErrorCode::kInvalidArgument) << c.name;
    EXPECT_THAT(packet.error().message, HasSubstr(c.message)) << c.name;
  }
}

// --- Sizing -----------------------------------------------------------------------------------

int MaxIfp(UdptlErrorCorrection mode, int far, int depth = 3) {
  return MaxIfpSize(
      UdptlSettings{.mode = mode, .redundancy_depth = depth, .far_max_datagram = far});
}

TEST(UdptlSizingTest, FollowsAsterisk) {
  using enum UdptlErrorCorrection;
  EXPECT_EQ(MaxIfp(kNone, 400), 375);         // 395 × 0.95
  EXPECT_EQ(MaxIfp(kRedundancy, 400), 93);    // 392 / 4 = 98, × 0.95
  EXPECT_EQ(MaxIfp(kFec, 400), 185);          // 390 / 2 = 195, × 0.95
  EXPECT_EQ(MaxIfp(kRedundancy, 1400), 330);  // 1392 / 4 = 348
  // Redundancy entries are given up while the IFP would be under 80 bytes, down to one.
  EXPECT_EQ(MaxIfp(kRedundancy, 200), 91);  // 192/4 = 48, 192/3 = 64, 192/2 = 96
  EXPECT_EQ(MaxIfp(kRedundancy, 176), 79);  // 168/2 = 84
  EXPECT_EQ(MaxIfp(kRedundancy, 100), 43);  // 92/2 = 46: one entry is kept regardless
  EXPECT_EQ(MaxIfp(kRedundancy, 400, 1), 186);
}

TEST(UdptlSizingTest, UnknownOrAbsurdFarValuesMean400) {
  using enum UdptlErrorCorrection;
  EXPECT_EQ(MaxIfp(kRedundancy, 0), MaxIfp(kRedundancy, 400));
  EXPECT_EQ(MaxIfp(kRedundancy, 1401), MaxIfp(kRedundancy, 400));
  EXPECT_EQ(MaxIfp(kRedundancy, -5), MaxIfp(kRedundancy, 400));
  EXPECT_EQ(MaxIfp(kNone, 1400), 1325);
}

TEST(UdptlSizingTest, NeverBelowOneByte) { EXPECT_EQ(MaxIfp(UdptlErrorCorrection::kNone, 4), 1); }

// --- Sender -----------------------------------------------------------------------------------

UdptlPacket Decoded(const Bytes& wire) {
  auto packet = DecodeUdptl(wire);
  EXPECT_TRUE(packet.ok()) << (packet.ok() ? "" : packet.error().message);
  return packet.ok() ? *packet : UdptlPacket{};
}

TEST(UdptlSenderTest, RedundancyCarriesPreviousPrimaries) {
  UdptlSender sender(UdptlSettings{.mode = UdptlErrorCorrection::kRedundancy});
  for (int n = 0; n < 6; ++n) {
    EXPECT_EQ(sender.next_sequence(), n);
    UdptlPacket packet = Decoded(sender.Build(Ifp(n)));
    EXPECT_EQ(packet.sequence, n);
    EXPECT_EQ(packet.primary, Ifp(n));
    EXPECT_EQ(packet.mode, UdptlErrorCorrection::kRedundancy);
    ASSERT_EQ(packet.secondaries.size(), static_cast<size_t>(std::min(n, 3)));
    for (size_t i = 0; i < packet.secondaries.size(); ++i) {
      EXPECT_EQ(packet.secondaries[i], Ifp(n - 1 - static_cast<int>(i)));
    }
  }
}

TEST(UdptlSenderTest, FirstDatagramMatchesAsterisk) {
  UdptlSender sender(UdptlSettings{.mode = UdptlErrorCorrection::kRedundancy});
  EXPECT_EQ(sender.Build(Hex("00")), Hex("00 00 01 00 00 00"));
  EXPECT_EQ(sender.Build(Hex("00")), Hex("00 01 01 00 00 01 01 00"));  // frame 3 of the capture
}

TEST(UdptlSenderTest, NoErrorCorrectionSendsAnEmptyRedundancyList) {
  UdptlSender sender(UdptlSettings{.mode = UdptlErrorCorrection::kNone});
  sender.Build(Hex("00"));
  EXPECT_EQ(sender.Build(Hex("06")), Hex("00 01 01 06 00 00"));
}

TEST(UdptlSenderTest, DropsCopiesToFitTheFarDatagram) {
  UdptlSender sender(UdptlSettings{
      .mode = UdptlErrorCorrection::kRedundancy, .redundancy_depth = 3, .far_max_datagram = 400});
  for (int n = 0; n < 3; ++n) sender.Build(Ifp(n, 150));
  // 2 + 152 + 2 for the primary and the recovery header; 152 per copy: one fits in 400.
  const Bytes wire = sender.Build(Ifp(3, 150));
  EXPECT_LE(wire.size(), 400u);
  UdptlPacket packet = Decoded(wire);
  ASSERT_EQ(packet.secondaries.size(), 1u);
  EXPECT_EQ(packet.secondaries[0], Ifp(2, 150));

  // A primary too big on its own still goes, without copies.
  packet = Decoded(sender.Build(Ifp(4, 500)));
  EXPECT_EQ(packet.primary.size(), 500u);
  EXPECT_TRUE(packet.secondaries.empty());
}

TEST(UdptlSenderTest, SequenceWraps) {
  UdptlSender sender(UdptlSettings{});
  for (int n = 0; n < 65536; ++n) sender.Build(Hex("00"));
  EXPECT_EQ(sender.next_sequence(), 0);
  EXPECT_EQ(Decoded(sender.Build(Hex("00"))).sequence, 0);
  EXPECT_EQ(Decoded(sender.Build(Hex("00"))).sequence, 1);
}

Bytes Xor(std::initializer_list<Bytes> ifps) {
  Bytes out;
  for (const Bytes& ifp : ifps) {
    if (out.size() < ifp.size()) out.resize(ifp.size(), 0);
    for (size_t i = 0; i < ifp.size(); ++i) out[i] ^= ifp[i];
  }
  return out;
}

TEST(UdptlSenderTest, FecWindsUpLikeAsterisk) {
  UdptlSender sender(
      UdptlSettings{.mode = UdptlErrorCorrection::kFec, .fec_span = 3, .fec_entries = 3});
  std::vector<UdptlPacket> sent;
  for (int n = 0; n < 12; ++n) sent.push_back(Decoded(sender.Build(Ifp(n))));
  for (int n = 0; n < 3; ++n) {
    EXPECT_EQ(sent[n].mode, UdptlErrorCorrection::kFec);
    EXPECT_EQ(sent[n].fec_span, 0) << n;
    EXPECT_TRUE(sent[n].fec_entries.empty()) << n;
  }
  // seq 3: one entry over 0, 1, 2.
  EXPECT_EQ(sent[3].fec_span, 3);
  ASSERT_EQ(sent[3].fec_entries.size(), 1u);
  EXPECT_EQ(sent[3].fec_entries[0], Xor({Ifp(0), Ifp(1), Ifp(2)}));
  // seq 6: two entries, every other packet.
  ASSERT_EQ(sent[6].fec_entries.size(), 2u);
  EXPECT_EQ(sent[6].fec_entries[0], Xor({Ifp(0), Ifp(2), Ifp(4)}));
  EXPECT_EQ(sent[6].fec_entries[1], Xor({Ifp(1), Ifp(3), Ifp(5)}));
  // seq 10: full strength; entry m covers 10 + m - 9, - 6, - 3.
  ASSERT_EQ(sent[10].fec_entries.size(), 3u);
  EXPECT_EQ(sent[10].fec_entries[0], Xor({Ifp(1), Ifp(4), Ifp(7)}));
  EXPECT_EQ(sent[10].fec_entries[1], Xor({Ifp(2), Ifp(5), Ifp(8)}));
  EXPECT_EQ(sent[10].fec_entries[2], Xor({Ifp(3), Ifp(6), Ifp(9)}));
}

// --- Receiver ---------------------------------------------------------------------------------

std::vector<RecoveredIfp> Receive(UdptlReceiver& receiver, const Bytes& wire) {
  auto result = receiver.Receive(wire);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : std::vector<RecoveredIfp>{};
}

// Sends `count` IFPs through a sender and a receiver, dropping the datagrams in `lost`; returns
// everything delivered.
std::vector<RecoveredIfp> Transfer(const UdptlSettings& settings, int count,
                                   const std::set<int>& lost, UdptlReceiver& receiver,
                                   size_t ifp_length = 0) {
  UdptlSender sender(settings);
  std::vector<RecoveredIfp> delivered;
  for (int n = 0; n < count; ++n) {
    const Bytes wire = sender.Build(Ifp(n, ifp_length));
    if (lost.contains(n)) continue;
    for (auto& ifp : Receive(receiver, wire)) delivered.push_back(std::move(ifp));
  }
  return delivered;
}

void ExpectExact(const std::vector<RecoveredIfp>& delivered, const std::set<int>& recovered,
                 const std::set<int>& missing, int count, size_t ifp_length = 0) {
  size_t i = 0;
  for (int n = 0; n < count; ++n) {
    if (missing.contains(n)) continue;
    ASSERT_LT(i, delivered.size()) << n;
    EXPECT_EQ(delivered[i].sequence, n);
    EXPECT_EQ(delivered[i].ifp, Ifp(n, ifp_length)) << n;
    EXPECT_EQ(delivered[i].recovered, recovered.contains(n)) << n;
    ++i;
  }
  EXPECT_EQ(i, delivered.size());
}

TEST(UdptlReceiverTest, RoundTripWithoutLoss) {
  for (auto mode : {UdptlErrorCorrection::kNone, UdptlErrorCorrection::kRedundancy,
                    UdptlErrorCorrection::kFec}) {
    UdptlReceiver receiver;
    auto delivered = Transfer(UdptlSettings{.mode = mode}, 40, {}, receiver);
    ExpectExact(delivered, {}, {}, 40);
    EXPECT_EQ(receiver.stats().datagrams, 40u);
    EXPECT_EQ(receiver.stats().recovered + receiver.stats().lost, 0u);
  }
}

TEST(UdptlReceiverTest, RedundancyRecoversUpToItsDepth) {
  for (int depth = 1; depth <= 5; ++depth) {
    for (int run = 1; run <= depth; ++run) {
      std::set<int> lost;
      for (int n = 10; n < 10 + run; ++n) lost.insert(n);
      UdptlReceiver receiver;
      auto delivered = Transfer(
          UdptlSettings{.mode = UdptlErrorCorrection::kRedundancy, .redundancy_depth = depth}, 20,
          lost, receiver);
      SCOPED_TRACE("depth " + std::to_string(depth) + " run " + std::to_string(run));
      ExpectExact(delivered, lost, {}, 20);
      EXPECT_EQ(receiver.stats().recovered, static_cast<uint64_t>(run));
      EXPECT_EQ(receiver.stats().lost, 0u);
    }
  }
}

TEST(UdptlReceiverTest, LossBeyondTheDepthIsReported) {
  UdptlReceiver receiver;
  const std::set<int> lost = {10, 11, 12, 13, 14};
  auto delivered =
      Transfer(UdptlSettings{.mode = UdptlErrorCorrection::kRedundancy}, 20, lost, receiver);
  ExpectExact(delivered, {12, 13, 14}, {10, 11}, 20);
  EXPECT_EQ(receiver.stats().recovered, 3u);
  EXPECT_EQ(receiver.stats().lost, 2u);
}

TEST(UdptlReceiverTest, NoErrorCorrectionReportsEveryLoss) {
  UdptlReceiver receiver;
  auto delivered =
      Transfer(UdptlSettings{.mode = UdptlErrorCorrection::kNone}, 10, {3, 4, 7}, receiver);
  ExpectExact(delivered, {}, {3, 4, 7}, 10);
  EXPECT_EQ(receiver.stats().lost, 3u);
}

UdptlSettings Fec33() {
  return UdptlSettings{.mode = UdptlErrorCorrection::kFec, .fec_span = 3, .fec_entries = 3};
}

TEST(UdptlReceiverTest, FecRecoversASingleLoss) {
  for (int lost_one : {3, 9, 10, 20, 28}) {
    UdptlReceiver receiver;
    auto delivered = Transfer(Fec33(), 30, {lost_one}, receiver, 12);
    SCOPED_TRACE(lost_one);
    ExpectExact(delivered, {lost_one}, {}, 30, 12);
    EXPECT_EQ(receiver.stats().recovered, 1u);
    EXPECT_EQ(receiver.stats().lost, 0u);
  }
}

TEST(UdptlReceiverTest, FecRecoversABurstAsLongAsTheEntries) {
  UdptlReceiver receiver;
  auto delivered = Transfer(Fec33(), 30, {15, 16, 17}, receiver, 12);
  ExpectExact(delivered, {15, 16, 17}, {}, 30, 12);
  EXPECT_EQ(receiver.stats().lost, 0u);
}

TEST(UdptlReceiverTest, FecCannotRebuildTwoLossesInOneGroup) {
  UdptlReceiver receiver;
  // 14 and 17 share entry 2 of datagram 18 (17 + 1 - 3k); 15 and 16 are rebuilt.
  auto delivered = Transfer(Fec33(), 30, {14, 15, 16, 17}, receiver, 12);
  ExpectExact(delivered, {15, 16}, {14, 17}, 30, 12);
  EXPECT_EQ(receiver.stats().recovered, 2u);
  EXPECT_EQ(receiver.stats().lost, 2u);
}

TEST(UdptlReceiverTest, FecRebuildsShorterIfpsZeroPadded) {
  UdptlReceiver receiver;
  UdptlSender sender(Fec33());
  std::vector<RecoveredIfp> delivered;
  for (int n = 0; n < 20; ++n) {
    const Bytes wire = sender.Build(Ifp(n, n == 12 ? 2 : 9));
    if (n == 12) continue;
    for (auto& ifp : Receive(receiver, wire)) delivered.push_back(ifp);
  }
  ASSERT_EQ(delivered.size(), 20u);
  EXPECT_EQ(delivered[12].sequence, 12);
  EXPECT_TRUE(delivered[12].recovered);
  Bytes expected = Ifp(12, 2);
  expected.resize(9, 0);
  EXPECT_EQ(delivered[12].ifp, expected);
}

TEST(UdptlReceiverTest, ReorderAndDuplicates) {
  UdptlSender sender(UdptlSettings{});
  std::vector<Bytes> wire;
  for (int n = 0; n < 5; ++n) wire.push_back(sender.Build(Ifp(n)));
  UdptlReceiver receiver;
  EXPECT_THAT(Sequences(Receive(receiver, wire[0])), ElementsAre(0));
  auto got = Receive(receiver, wire[2]);
  EXPECT_THAT(Sequences(got), ElementsAre(1, 2));
  EXPECT_TRUE(got[0].recovered);
  EXPECT_EQ(got[0].ifp, Ifp(1));
  EXPECT_TRUE(Receive(receiver, wire[1]).empty());  // already rebuilt
  EXPECT_TRUE(Receive(receiver, wire[2]).empty());  // a plain duplicate
  EXPECT_THAT(Sequences(Receive(receiver, wire[3])), ElementsAre(3));
  EXPECT_TRUE(Receive(receiver, wire[0]).empty());
  EXPECT_THAT(Sequences(Receive(receiver, wire[4])), ElementsAre(4));
  EXPECT_EQ(receiver.stats().duplicates, 3u);
  EXPECT_EQ(receiver.stats().recovered, 1u);
  EXPECT_EQ(receiver.stats().lost, 0u);
}

Bytes Redundant(uint16_t sequence, const Bytes& primary, std::vector<Bytes> secondaries) {
  UdptlPacket packet;
  packet.sequence = sequence;
  packet.primary = primary;
  packet.secondaries = std::move(secondaries);
  return EncodeUdptl(packet);
}

TEST(UdptlReceiverTest, WrapsFrom65535ToZero) {
  UdptlReceiver receiver;
  EXPECT_THAT(Sequences(Receive(receiver, Redundant(65533, Ifp(1), {}))), ElementsAre(65533));
  EXPECT_THAT(Sequences(Receive(receiver, Redundant(65534, Ifp(2), {Ifp(1)}))), ElementsAre(65534));
  // 65535 is lost; 0 rebuilds it.
  auto got = Receive(receiver, Redundant(0, Ifp(4), {Ifp(3), Ifp(2)}));
  EXPECT_THAT(Sequences(got), ElementsAre(65535, 0));
  EXPECT_EQ(got[0].ifp, Ifp(3));
  EXPECT_TRUE(Receive(receiver, Redundant(65535, Ifp(3), {Ifp(2)})).empty());
  EXPECT_THAT(Sequences(Receive(receiver, Redundant(1, Ifp(5), {Ifp(4)}))), ElementsAre(1));
  EXPECT_EQ(receiver.stats().lost, 0u);
  EXPECT_EQ(receiver.stats().duplicates, 1u);
}

TEST(UdptlReceiverTest, FecAcrossTheWrap) {
  UdptlReceiver receiver;
  // A sender's datagrams renumbered to start at 65520, so that the group rebuilding sequence 1
  // reaches back across the wrap.
  UdptlSender sender(Fec33());
  std::vector<RecoveredIfp> delivered;
  for (int n = 0; n < 30; ++n) {
    UdptlPacket packet = Decoded(sender.Build(Ifp(n, 10)));
    packet.sequence = static_cast<uint16_t>(65520 + n);
    if (n == 17) continue;  // sequence 65537 = 1
    for (auto& ifp : Receive(receiver, EncodeUdptl(packet))) delivered.push_back(ifp);
  }
  ASSERT_EQ(delivered.size(), 30u);
  EXPECT_EQ(delivered[17].sequence, 1);
  EXPECT_TRUE(delivered[17].recovered);
  EXPECT_EQ(delivered[17].ifp, Ifp(17, 10));
}

TEST(UdptlReceiverTest, MalformedDatagramsChangeNothing) {
  UdptlReceiver receiver;
  EXPECT_THAT(Sequences(Receive(receiver, Redundant(0, Ifp(0), {}))), ElementsAre(0));
  const Bytes garbage[] = {Hex("ff ff 47 41 52 42 41 47 45"), Hex("00 05 7f"), Hex(""),
                           Hex("00 01 01 00 00 11"), Hex("80 00 01 00 80 01 63")};
  for (const Bytes& bad : garbage) {
    auto result = receiver.Receive(bad);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_THAT(Sequences(Receive(receiver, Redundant(1, Ifp(1), {Ifp(0)}))), ElementsAre(1));
  const UdptlReceiveStats& stats = receiver.stats();
  EXPECT_EQ(stats.datagrams, 7u);
  EXPECT_EQ(stats.malformed, 5u);
  EXPECT_EQ(stats.duplicates + stats.lost + stats.recovered + stats.resyncs, 0u);
}

TEST(UdptlReceiverTest, ReplaysTheCapture) {
  // Frame 1 is junk, frame 2 has no recovery part but a good primary, then regular datagrams.
  UdptlReceiver receiver;
  std::vector<uint16_t> sequences;
  for (const std::string& hex : kCapture) {
    auto result = receiver.Receive(Hex(hex));
    if (!result.ok()) continue;
    for (const auto& ifp : *result) sequences.push_back(ifp.sequence);
  }
  EXPECT_THAT(sequences, ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  EXPECT_EQ(receiver.stats().malformed, 1u);
  EXPECT_EQ(receiver.stats().lost + receiver.stats().recovered, 0u);
}

TEST(UdptlReceiverTest, ReplaysTheCaptureWithLoss) {
  UdptlReceiver receiver;
  std::vector<RecoveredIfp> delivered;
  for (size_t i = 0; i < kCapture.size(); ++i) {
    if (i == 5 || i == 8) continue;  // seq 4 and 7; one secondary each follows
    auto result = receiver.Receive(Hex(kCapture[i]));
    if (!result.ok()) continue;
    for (auto& ifp : *result) delivered.push_back(ifp);
  }
  EXPECT_THAT(Sequences(delivered), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  EXPECT_TRUE(delivered[4].recovered);
  EXPECT_EQ(delivered[4].ifp, Hex("c0 01 80 00 00 ff"));
  EXPECT_TRUE(delivered[7].recovered);
  EXPECT_EQ(delivered[7].ifp, Hex("c0 01 80 00 00 76"));
}

TEST(UdptlReceiverTest, StartsAtZeroWhenTheFirstDatagramsAreMissing) {
  UdptlReceiver receiver;
  auto got = Receive(receiver, Redundant(2, Ifp(2), {Ifp(1), Ifp(0)}));
  EXPECT_THAT(Sequences(got), ElementsAre(0, 1, 2));
  EXPECT_EQ(got[0].ifp, Ifp(0));
  EXPECT_EQ(receiver.stats().recovered, 2u);
}

TEST(UdptlReceiverTest, StartsAnywhere) {
  UdptlReceiver receiver;
  EXPECT_THAT(Sequences(Receive(receiver, Redundant(5000, Ifp(1), {Ifp(0)}))), ElementsAre(5000));
  EXPECT_EQ(receiver.stats().lost + receiver.stats().recovered, 0u);
}

TEST(UdptlReceiverTest, BigJumpResyncsWithoutRecovery) {
  UdptlReceiver receiver;
  Receive(receiver, Redundant(0, Ifp(0), {}));
  EXPECT_THAT(Sequences(Receive(receiver, Redundant(500, Ifp(500), {Ifp(499)}))), ElementsAre(500));
  EXPECT_EQ(receiver.stats().resyncs, 1u);
  EXPECT_EQ(receiver.stats().lost + receiver.stats().recovered, 0u);
  EXPECT_THAT(Sequences(Receive(receiver, Redundant(501, Ifp(501), {Ifp(500)}))), ElementsAre(501));
  // Just under the limit is still a gap: counted, and rebuilt where possible.
  EXPECT_THAT(Sequences(Receive(receiver, Redundant(600, Ifp(600), {Ifp(599)}))),
              ElementsAre(599, 600));
  EXPECT_EQ(receiver.stats().lost, 97u);
  EXPECT_EQ(receiver.stats().recovered, 1u);
}

TEST(UdptlReceiverTest, FarBehindIsOld) {
  UdptlReceiver receiver;
  Receive(receiver, Redundant(10, Ifp(0), {}));  // expected 11 from here on
  EXPECT_TRUE(Receive(receiver, Redundant(40000, Ifp(1), {})).empty());
  EXPECT_EQ(receiver.stats().duplicates, 1u);
}

TEST(UdptlReceiverTest, EmptySecondaryRebuildsNothing) {
  UdptlReceiver receiver;
  Receive(receiver, Redundant(0, Ifp(0), {}));
  auto got = Receive(receiver, Redundant(3, Ifp(3), {Bytes{}, Ifp(1)}));
  EXPECT_THAT(Sequences(got), ElementsAre(1, 3));
  EXPECT_EQ(receiver.stats().lost, 1u);
}

}  // namespace
}  // namespace faxgate
