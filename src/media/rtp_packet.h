// RTP (RFC 3550) packets as faxgate sends and receives them: G.711 audio and RFC 4733
// telephone-events. Parsing is for untrusted datagrams: a bad packet is an error, never a crash.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"

namespace faxgate {

constexpr int kPayloadTypePcmu = 0;
constexpr int kPayloadTypePcma = 8;

struct RtpHeader {
  uint8_t payload_type = 0;
  bool marker = false;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
};

struct RtpPacket {
  RtpHeader header;
  std::span<const uint8_t> payload;  // points into the parsed datagram; padding removed
};

// Parses a version-2 RTP packet. CSRCs and a header extension are skipped; padding is removed.
Result<RtpPacket> ParseRtp(std::span<const uint8_t> datagram);

// True when the datagram looks like RTP (version 2, 12-byte header or more). Cheap test used to
// drop stray RTP on a UDPTL port.
bool LooksLikeRtp(std::span<const uint8_t> datagram);

// Writes a 12-byte header and the payload into `out`; returns the bytes written, 0 if `out` is
// too small.
size_t WriteRtp(const RtpHeader& header, std::span<const uint8_t> payload, std::span<uint8_t> out);

// RFC 4733 section 2.3: the 4-byte telephone-event payload.
struct TelephoneEvent {
  uint8_t event = 0;  // 0-9, 10 = '*', 11 = '#', 12-15 = A-D
  bool end = false;
  uint8_t volume = 10;    // -dBm0, 0..63
  uint16_t duration = 0;  // in timestamp units (8 kHz)
};
std::array<uint8_t, 4> EncodeTelephoneEvent(const TelephoneEvent& event);
Result<TelephoneEvent> ParseTelephoneEvent(std::span<const uint8_t> payload);
// '0'-'9', '*', '#', 'A'-'D' -> event code; -1 for anything else.
int TelephoneEventCode(char digit);

}  // namespace faxgate
