#include "media/rtp_packet.h"

#include <cstring>
#include <string>

namespace faxgate {
namespace {

constexpr size_t kRtpHeaderSize = 12;
constexpr uint8_t kRtpVersion2 = 0x80;  // version bits 10 in the first octet

uint16_t ReadU16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

uint32_t ReadU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void WriteU16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void WriteU32(uint8_t* p, uint32_t v) {
  WriteU16(p, static_cast<uint16_t>(v >> 16));
  WriteU16(p + 2, static_cast<uint16_t>(v));
}

Error Invalid(std::string what) {
  return MakeError(ErrorCode::kInvalidArgument, "RTP packet " + std::move(what));
}

}  // namespace

Result<RtpPacket> ParseRtp(std::span<const uint8_t> datagram) {
  if (datagram.size() < kRtpHeaderSize) return Invalid("shorter than its 12-byte header");
  const uint8_t* p = datagram.data();
  if ((p[0] & 0xC0) != kRtpVersion2) return Invalid("is not RTP version 2");
  const bool padding = (p[0] & 0x20) != 0;
  const bool extension = (p[0] & 0x10) != 0;
  const size_t csrc_count = p[0] & 0x0F;

  RtpPacket packet;
  packet.header.marker = (p[1] & 0x80) != 0;
  packet.header.payload_type = p[1] & 0x7F;
  packet.header.sequence = ReadU16(p + 2);
  packet.header.timestamp = ReadU32(p + 4);
  packet.header.ssrc = ReadU32(p + 8);

  size_t offset = kRtpHeaderSize + 4 * csrc_count;
  if (offset > datagram.size()) return Invalid("ends inside its CSRC list");
  if (extension) {
    // RFC 3550 5.3.1: 16 bits profile-defined, 16 bits length in 32-bit words, then the words.
    if (offset + 4 > datagram.size()) return Invalid("ends inside its extension header");
    const size_t words = ReadU16(p + offset + 2);
    offset += 4 + 4 * words;
    if (offset > datagram.size()) return Invalid("ends inside its header extension");
  }
  size_t end = datagram.size();
  if (padding) {
    // The last octet counts the padding octets, itself included, so it is at least 1.
    const size_t pad = p[end - 1];
    if (pad == 0 || pad > end - offset) return Invalid("has an invalid padding count");
    end -= pad;
  }
  packet.payload = datagram.subspan(offset, end - offset);
  return packet;
}

bool LooksLikeRtp(std::span<const uint8_t> datagram) {
  return datagram.size() >= kRtpHeaderSize && (datagram[0] & 0xC0) == kRtpVersion2;
}

size_t WriteRtp(const RtpHeader& header, std::span<const uint8_t> payload, std::span<uint8_t> out) {
  const size_t total = kRtpHeaderSize + payload.size();
  if (out.size() < total) return 0;
  uint8_t* p = out.data();
  p[0] = kRtpVersion2;
  p[1] = static_cast<uint8_t>((header.marker ? 0x80 : 0) | (header.payload_type & 0x7F));
  WriteU16(p + 2, header.sequence);
  WriteU32(p + 4, header.timestamp);
  WriteU32(p + 8, header.ssrc);
  if (!payload.empty()) std::memcpy(p + kRtpHeaderSize, payload.data(), payload.size());
  return total;
}

std::array<uint8_t, 4> EncodeTelephoneEvent(const TelephoneEvent& event) {
  std::array<uint8_t, 4> out{};
  out[0] = event.event;
  // E bit, R bit (reserved: always 0 on send), then 6 bits of volume.
  out[1] = static_cast<uint8_t>((event.end ? 0x80 : 0) | (event.volume & 0x3F));
  WriteU16(out.data() + 2, event.duration);
  return out;
}

Result<TelephoneEvent> ParseTelephoneEvent(std::span<const uint8_t> payload) {
  // RFC 4733 2.3: one event is exactly 4 octets; anything after it (a second event block some
  // senders append) is ignored.
  if (payload.size() < 4) {
    return MakeError(ErrorCode::kInvalidArgument, "telephone-event payload shorter than 4 bytes");
  }
  TelephoneEvent event;
  event.event = payload[0];
  event.end = (payload[1] & 0x80) != 0;
  event.volume = payload[1] & 0x3F;  // the R bit is ignored on receipt
  event.duration = ReadU16(payload.data() + 2);
  return event;
}

int TelephoneEventCode(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit == '*') return 10;
  if (digit == '#') return 11;
  if (digit >= 'A' && digit <= 'D') return 12 + (digit - 'A');
  return -1;
}

}  // namespace faxgate
