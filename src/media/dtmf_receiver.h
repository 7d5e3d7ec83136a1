// Hears the DTMF digits a caller dials after the answer: RFC 4733 telephone-events from RTP
// and in-band tones from the audio (spandsp's detector). The line logs them, so an operator can
// see what a PBX or a sender dialled (a fax extension, a sub-address).
// Not thread-safe: one call owns it on one media worker.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace faxgate {

class DtmfReceiver {
 public:
  DtmfReceiver();
  ~DtmfReceiver();
  DtmfReceiver(const DtmfReceiver&) = delete;
  DtmfReceiver& operator=(const DtmfReceiver&) = delete;

  // One RTP telephone-event payload with its RTP timestamp (an event's packets share it; the
  // digit counts once, at its first end packet).
  void OnTelephoneEvent(std::span<const uint8_t> payload, uint32_t timestamp);
  // 8 kHz linear audio.
  void OnAudio(std::span<const int16_t> samples);
  // The digits heard since the last call, in order.
  std::string TakeDigits();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace faxgate
