#include "media/rtp_packet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace faxgate {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

std::vector<uint8_t> Bytes(std::initializer_list<int> values) {
  std::vector<uint8_t> out;
  for (int v : values) out.push_back(static_cast<uint8_t>(v));
  return out;
}

// A real telephone-event packet (ANS, PT 102) from interop/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap.
const std::vector<uint8_t> kCapturedEvent = Bytes({0x80, 0xe6, 0x00, 0x65, 0x67, 0xcf, 0x51, 0x91,
                                                   0x0e, 0xaf, 0x0e, 0xaf, 0x20, 0x00, 0x03, 0x73});

TEST(RtpPacketTest, ParsesPlainHeader) {
  auto packet = ParseRtp(kCapturedEvent);
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  EXPECT_EQ(packet->header.payload_type, 102);
  EXPECT_TRUE(packet->header.marker);
  EXPECT_EQ(packet->header.sequence, 0x0065);
  EXPECT_EQ(packet->header.timestamp, 0x67cf5191u);
  EXPECT_EQ(packet->header.ssrc, 0x0eaf0eafu);
  EXPECT_THAT(packet->payload, ElementsAre(0x20, 0x00, 0x03, 0x73));
}

TEST(RtpPacketTest, SkipsCsrcsAndExtension) {
  // CC = 2, X set: two CSRCs, then a 1-word extension, then a 2-byte payload.
  auto datagram = Bytes({0x92, 0x08, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4,  // header, PCMA
                         0,    0,    0, 1, 0, 0, 0, 2,                // CSRCs
                         0xbe, 0xde, 0, 1, 9, 9, 9, 9,                // extension
                         0xd5, 0x55});
  auto packet = ParseRtp(datagram);
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  EXPECT_EQ(packet->header.payload_type, kPayloadTypePcma);
  EXPECT_FALSE(packet->header.marker);
  EXPECT_EQ(packet->header.timestamp, 160u);
  EXPECT_THAT(packet->payload, ElementsAre(0xd5, 0x55));
}

TEST(RtpPacketTest, RemovesPadding) {
  auto datagram = Bytes({0xa0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 0x7e, 0, 0, 3});
  auto packet = ParseRtp(datagram);
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  EXPECT_THAT(packet->payload, ElementsAre(0x7f, 0x7e));
}

TEST(RtpPacketTest, PaddingMayTakeTheWholePayload) {
  auto datagram = Bytes({0xa0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2});
  auto packet = ParseRtp(datagram);
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  EXPECT_TRUE(packet->payload.empty());
}

TEST(RtpPacketTest, RefusesMalformedPackets) {
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"empty", {}, "shorter"},
      {"11 bytes", Bytes({0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}), "shorter"},
      {"version 0", Bytes({0x00, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}), "version"},
      {"version 3", Bytes({0xc0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}), "version"},
      {"CSRCs past end", Bytes({0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}), "CSRC"},
      {"extension header cut", Bytes({0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde}),
       "extension"},
      {"extension past end",
       Bytes({0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 2, 1, 2, 3, 4}), "extension"},
      {"padding zero", Bytes({0xa0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 5, 0}), "padding"},
      {"padding past payload", Bytes({0xa0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 5, 3}), "padding"},
      {"padding into header", Bytes({0xa0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 13}), "padding"},
  };
  for (const Case& c : cases) {
    auto packet = ParseRtp(c.bytes);
    ASSERT_FALSE(packet.ok()) << c.name;
    EXPECT_EQ(packet.error().code, ErrorCode::kInvalidArgument) << c.name;
    EXPECT_THAT(packet.error().message, HasSubstr(c.message)) << c.name;
  }
}

TEST(RtpPacketTest, LooksLikeRtp) {
  EXPECT_TRUE(LooksLikeRtp(kCapturedEvent));
  EXPECT_FALSE(LooksLikeRtp(Bytes({0x80, 0, 0, 1})));  // too short for a header
  // UDPTL seq 1 with a no-signal IFP (sip-t38.md 7.2 frame 3) starts with 0x00.
  EXPECT_FALSE(LooksLikeRtp(Bytes({0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x01, 0x00, 0, 0, 0, 0})));
}

TEST(RtpPacketTest, WriteThenParse) {
  RtpHeader header{.payload_type = kPayloadTypePcmu,
                   .marker = true,
                   .sequence = 65535,
                   .timestamp = 0xfffffff0u,
                   .ssrc = 0x12345678u};
  const std::vector<uint8_t> payload(160, 0xff);
  std::vector<uint8_t> out(200, 0);
  const size_t written = WriteRtp(header, payload, out);
  ASSERT_EQ(written, 172u);
  EXPECT_THAT(std::vector<uint8_t>(out.begin(), out.begin() + 12),
              ElementsAre(0x80, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0x12, 0x34, 0x56, 0x78));
  auto packet = ParseRtp(std::span<const uint8_t>(out.data(), written));
  ASSERT_TRUE(packet.ok());
  EXPECT_EQ(packet->header.payload_type, header.payload_type);
  EXPECT_EQ(packet->header.marker, header.marker);
  EXPECT_EQ(packet->header.sequence, header.sequence);
  EXPECT_EQ(packet->header.timestamp, header.timestamp);
  EXPECT_EQ(packet->header.ssrc, header.ssrc);
  EXPECT_THAT(packet->payload, ElementsAreArray(payload));
}

TEST(RtpPacketTest, WriteRefusesSmallBuffer) {
  const std::vector<uint8_t> payload(160, 0xff);
  std::vector<uint8_t> out(171, 0);
  EXPECT_EQ(WriteRtp(RtpHeader{}, payload, out), 0u);
  EXPECT_EQ(WriteRtp(RtpHeader{}, {}, std::span<uint8_t>(out.data(), 11)), 0u);
  EXPECT_EQ(WriteRtp(RtpHeader{}, {}, std::span<uint8_t>(out.data(), 12)), 12u);
}

TEST(RtpPacketTest, WriteMasksPayloadTypeToSevenBits) {
  std::vector<uint8_t> out(12, 0);
  ASSERT_EQ(WriteRtp(RtpHeader{.payload_type = 0xe6}, {}, out), 12u);
  EXPECT_EQ(out[1], 0x66);
}

TEST(RtpPacketTest, TelephoneEventRoundTrip) {
  TelephoneEvent event{.event = 11, .end = true, .volume = 10, .duration = 800};
  auto bytes = EncodeTelephoneEvent(event);
  EXPECT_THAT(bytes, ElementsAre(11, 0x8a, 0x03, 0x20));
  auto parsed = ParseTelephoneEvent(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->event, 11);
  EXPECT_TRUE(parsed->end);
  EXPECT_EQ(parsed->volume, 10);
  EXPECT_EQ(parsed->duration, 800);
}

TEST(RtpPacketTest, ParsesCapturedTelephoneEvent) {
  auto packet = ParseRtp(kCapturedEvent);
  ASSERT_TRUE(packet.ok());
  auto event = ParseTelephoneEvent(packet->payload);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->event, 32);  // ANS
  EXPECT_FALSE(event->end);
  EXPECT_EQ(event->volume, 0);
  EXPECT_EQ(event->duration, 0x0373);
}

TEST(RtpPacketTest, TelephoneEventIgnoresReservedBitAndClampsVolume) {
  auto parsed = ParseTelephoneEvent(Bytes({5, 0x40 | 0x3f, 0, 160}));
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->end);
  EXPECT_EQ(parsed->volume, 63);
  // A volume above 63 cannot be expressed: only its 6 bits go out, never the E or R bits.
  EXPECT_EQ(EncodeTelephoneEvent(TelephoneEvent{.volume = 0xff})[1], 0x3f);
}

TEST(RtpPacketTest, TelephoneEventTooShort) {
  auto parsed = ParseTelephoneEvent(Bytes({5, 0x80, 0}));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
}

TEST(RtpPacketTest, TelephoneEventCodes) {
  EXPECT_EQ(TelephoneEventCode('0'), 0);
  EXPECT_EQ(TelephoneEventCode('9'), 9);
  EXPECT_EQ(TelephoneEventCode('*'), 10);
  EXPECT_EQ(TelephoneEventCode('#'), 11);
  EXPECT_EQ(TelephoneEventCode('A'), 12);
  EXPECT_EQ(TelephoneEventCode('D'), 15);
  EXPECT_EQ(TelephoneEventCode('E'), -1);
  EXPECT_EQ(TelephoneEventCode('a'), -1);
  EXPECT_EQ(TelephoneEventCode(' '), -1);
  EXPECT_EQ(TelephoneEventCode('\0'), -1);
}

}  // namespace
}  // namespace faxgate
