// Dials a fax extension (the digits after `E` in a number) once the far end has answered:
// either as RFC 4733 telephone-event packets, when the SDP negotiated them, or as in-band DTMF
// tones mixed into the outgoing audio. Not thread-safe: one call owns it on one media worker.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace faxgate {

// Tone and gap lengths that every PBX auto-attendant accepts.
struct DtmfTiming {
  int tone_ms = 100;
  int gap_ms = 100;
};

// In-band: spandsp's DTMF generator.
class InbandDtmfSender {
 public:
  InbandDtmfSender(std::string digits, DtmfTiming timing = {});
  ~InbandDtmfSender();
  // Fills `out` (8 kHz linear) with the next samples of the digit sequence, silence after it.
  void Generate(std::span<int16_t> out);
  bool done() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// One telephone-event RTP packet to send in this tick.
struct TelephoneEventPacket {
  std::vector<uint8_t> payload;   // 4 bytes (EncodeTelephoneEvent)
  bool marker = false;            // first packet of an event
  uint32_t timestamp_offset = 0;  // event start, in samples from the sender's start
};

// RFC 4733: per digit a marked start packet, updates every 20 ms with the growing duration
// and three end packets, all with the event's start timestamp; then the gap.
class Rfc4733DtmfSender {
 public:
  Rfc4733DtmfSender(std::string digits, DtmfTiming timing = {});
  // Advances by one 20 ms tick; returns the packets to send in it (none in gaps and at the end).
  std::vector<TelephoneEventPacket> Tick();
  bool done() const;

 private:
  std::string digits_;
  DtmfTiming timing_;
  size_t index_ = 0;
  int elapsed_ = 0;  // samples into the current digit's tone+gap
  int end_sent_ = 0;
  uint32_t position_ = 0;  // samples since start
};

}  // namespace faxgate
