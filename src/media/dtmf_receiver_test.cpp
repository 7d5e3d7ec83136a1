#include "media/dtmf_receiver.h"

#include <gtest/gtest.h>

#include <array>

#include "media/dtmf_sender.h"

namespace faxgate {
namespace {

TEST(DtmfReceiverTest, HearsInbandDigitsFromTheSender) {
  InbandDtmfSender sender("8012#");
  DtmfReceiver receiver;
  for (int tick = 0; tick < 200 && !sender.done(); ++tick) {
    std::array<int16_t, 160> audio{};
    sender.Generate(audio);
    receiver.OnAudio(audio);
  }
  std::array<int16_t, 160> silence{};
  for (int i = 0; i < 10; ++i) receiver.OnAudio(silence);
  EXPECT_EQ(receiver.TakeDigits(), "8012#");
  EXPECT_EQ(receiver.TakeDigits(), "");
}

TEST(DtmfReceiverTest, CountsEachTelephoneEventOnceAtItsEnd) {
  Rfc4733DtmfSender sender("42*");
  DtmfReceiver receiver;
  uint32_t base = 1000;
  for (int tick = 0; tick < 100 && !sender.done(); ++tick) {
    for (const TelephoneEventPacket& p : sender.Tick()) {
      receiver.OnTelephoneEvent(p.payload, base + p.timestamp_offset);
    }
  }
  EXPECT_EQ(receiver.TakeDigits(), "42*");
}

TEST(DtmfReceiverTest, IgnoresGarbageEvents) {
  DtmfReceiver receiver;
  const uint8_t short_payload[] = {1, 0x80};
  receiver.OnTelephoneEvent(short_payload, 5);
  const uint8_t not_a_digit[] = {20, 0x80, 0, 160};  // event 20: a tone, not a digit
  receiver.OnTelephoneEvent(not_a_digit, 6);
  EXPECT_EQ(receiver.TakeDigits(), "");
}

}  // namespace
}  // namespace faxgate
