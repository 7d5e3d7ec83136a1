#include "media/rtp_redundancy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace faxgate {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

std::vector<uint8_t> Bytes(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> Frame(uint8_t fill, size_t n = 160) { return std::vector<uint8_t>(n, fill); }

TEST(RtpRedundancyTest, FirstPacketCarriesOnlyThePrimary) {
  RedundantEncoder encoder(0, 2);
  auto frame = Frame(0x11);
  auto payload = Bytes(encoder.Encode(1000, frame));
  ASSERT_EQ(payload.size(), 1u + 160u);
  EXPECT_EQ(payload[0], 0x00);  // F=0, PT 0
  auto blocks = ParseRedundantPayload(payload);
  ASSERT_TRUE(blocks.ok()) << blocks.error().message;
  ASSERT_EQ(blocks->size(), 1u);
  EXPECT_EQ((*blocks)[0].payload_type, 0);
  EXPECT_THAT(Bytes((*blocks)[0].data), ElementsAreArray(frame));
}

TEST(RtpRedundancyTest, LaterPacketsCarryTheLastFramesOldestFirst) {
  RedundantEncoder encoder(8, 2);
  encoder.Encode(1000, Frame(0xA1));
  encoder.Encode(1160, Frame(0xA2));
  auto payload = Bytes(encoder.Encode(1320, Frame(0xA3)));
  // RFC 2198 section 3 layout: two 4-byte headers, one 1-byte header, then the data.
  ASSERT_EQ(payload.size(), 4u + 4u + 1u + 3u * 160u);
  EXPECT_THAT(std::vector<uint8_t>(payload.begin(), payload.begin() + 9),
              ElementsAre(0x88, 0x05, 0x00, 0xA0,  // F=1 PT 8, offset 320, length 160
                          0x88, 0x02, 0x80, 0xA0,  // offset 160
                          0x08));
  auto blocks = ParseRedundantPayload(payload);
  ASSERT_TRUE(blocks.ok()) << blocks.error().message;
  ASSERT_EQ(blocks->size(), 3u);
  EXPECT_EQ((*blocks)[0].timestamp_offset, 320u);
  EXPECT_EQ((*blocks)[1].timestamp_offset, 160u);
  EXPECT_EQ((*blocks)[2].timestamp_offset, 0u);
  EXPECT_THAT(Bytes((*blocks)[0].data), ElementsAreArray(Frame(0xA1)));
  EXPECT_THAT(Bytes((*blocks)[1].data), ElementsAreArray(Frame(0xA2)));
  EXPECT_THAT(Bytes((*blocks)[2].data), ElementsAreArray(Frame(0xA3)));
}

TEST(RtpRedundancyTest, DepthZeroSendsThePrimaryAlone) {
  RedundantEncoder encoder(0, 0);
  encoder.Encode(0, Frame(1));
  EXPECT_EQ(encoder.Encode(160, Frame(2)).size(), 161u);
}

TEST(RtpRedundancyTest, FramesTooOldForTheOffsetAreLeftOut) {
  RedundantEncoder encoder(0, 2);
  encoder.Encode(0, Frame(1));
  auto payload = Bytes(encoder.Encode(20000, Frame(2)));  // 20000 > 16383
  EXPECT_EQ(payload.size(), 161u);
}

TEST(RtpRedundancyTest, ResetForgetsEarlierFrames) {
  RedundantEncoder encoder(0, 2);
  encoder.Encode(0, Frame(1));
  encoder.Reset();
  EXPECT_EQ(encoder.Encode(160, Frame(2)).size(), 161u);
}

TEST(RtpRedundancyTest, BadPayloadsAreRefusedWithAReason) {
  auto empty = ParseRedundantPayload({});
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.error().message, HasSubstr("run past the end"));

  std::vector<uint8_t> cut = {0x80, 0x00, 0x00};
  ASSERT_FALSE(ParseRedundantPayload(cut).ok());

  // A redundant block of 160 bytes announced, 10 present.
  std::vector<uint8_t> short_data = {0x80, 0x02, 0x80, 0xA0, 0x00};
  short_data.resize(short_data.size() + 10, 0x55);
  auto too_long = ParseRedundantPayload(short_data);
  ASSERT_FALSE(too_long.ok());
  EXPECT_THAT(too_long.error().message, HasSubstr("longer than the packet"));

  std::vector<uint8_t> many;
  for (int i = 0; i < 20; ++i) many.insert(many.end(), {0x80, 0x00, 0x04, 0x00});
  many.push_back(0x00);
  auto too_many = ParseRedundantPayload(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_THAT(too_many.error().message, HasSubstr("more than 16"));
}

}  // namespace
}  // namespace faxgate
