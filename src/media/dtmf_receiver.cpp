#include "media/dtmf_receiver.h"

#include <spandsp.h>

#include "media/rtp_packet.h"

namespace faxgate {
namespace {

constexpr char kEventDigits[] = "0123456789*#ABCD";

}  // namespace

struct DtmfReceiver::State {
  dtmf_rx_state_t* rx = nullptr;
  std::string digits;
  bool have_event = false;
  uint32_t last_event_timestamp = 0;

  static void OnDigits(void* user, const char* digits, int len) {
    static_cast<State*>(user)->digits.append(digits, static_cast<size_t>(len));
  }
};

DtmfReceiver::DtmfReceiver() : s_(std::make_unique<State>()) {
  s_->rx = dtmf_rx_init(nullptr, &State::OnDigits, s_.get());
}

DtmfReceiver::~DtmfReceiver() {
  if (s_->rx != nullptr) dtmf_rx_free(s_->rx);
}

void DtmfReceiver::OnTelephoneEvent(std::span<const uint8_t> payload, uint32_t timestamp) {
  auto event = ParseTelephoneEvent(payload);
  if (!event.ok() || !event->end || event->event >= 16) return;
  // The end packet is sent three times (RFC 4733 2.5.1.4): one digit per event timestamp.
  if (s_->have_event && s_->last_event_timestamp == timestamp) return;
  s_->have_event = true;
  s_->last_event_timestamp = timestamp;
  s_->digits.push_back(kEventDigits[event->event]);
}

void DtmfReceiver::OnAudio(std::span<const int16_t> samples) {
  dtmf_rx(s_->rx, samples.data(), static_cast<int>(samples.size()));
}

std::string DtmfReceiver::TakeDigits() {
  std::string out;
  out.swap(s_->digits);
  return out;
}

}  // namespace faxgate
