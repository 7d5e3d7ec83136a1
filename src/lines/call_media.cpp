#include "lines/call_media.h"

#include <array>

#include <spandsp.h>

#include "base/log.h"
#include "media/rtp_packet.h"

namespace faxgate {
namespace {

constexpr int kTickMs = 20;
constexpr int kSamplesPerTick = 160;
// The buffer absorbs a timestamp jump up to two seconds ahead before it restarts playout.
constexpr int kJitterCapacitySamples = 16000;

uint8_t SilenceByte(AudioCodec codec) { return codec == AudioCodec::kPcmu ? 0xFF : 0xD5; }

UdpEndpoint RemoteOf(const NegotiatedMedia& media) {
  auto e = UdpEndpoint::Parse(media.remote_address, media.remote_port);
  if (!e.ok()) {
    log::Get("call")->warn("media address {}:{} is not usable: {}", media.remote_address,
                           media.remote_port, e.error().message);
    return UdpEndpoint{};
  }
  return *e;
}

UdptlErrorCorrection ToUdptl(T38ErrorCorrection ec) {
  switch (ec) {
    case T38ErrorCorrection::kNone:
      return UdptlErrorCorrection::kNone;
    case T38ErrorCorrection::kFec:
      return UdptlErrorCorrection::kFec;
    case T38ErrorCorrection::kRedundancy:
      break;
  }
  return UdptlErrorCorrection::kRedundancy;
}

// G.711 RTP (payload type 0 or 8, whole 10 ms frames). A UDPTL datagram can start like RTP
// once its sequence number passes 32768, but rarely also has this shape.
bool IsStrayAudio(std::span<const uint8_t> datagram) {
  if (!LooksLikeRtp(datagram) || datagram.size() < 12 + 80) return false;
  const int payload_type = datagram[1] & 0x7F;
  return (payload_type == 0 || payload_type == 8) && (datagram.size() - 12) % 80 == 0;
}

}  // namespace

SendImpairment::SendImpairment(double loss, int jitter_ms, uint32_t seed)
    : loss_(loss), jitter_ticks_((jitter_ms + kTickMs - 1) / kTickMs), rng_(seed) {}

void SendImpairment::Send(UdpPort& port, std::span<const uint8_t> datagram, const UdpEndpoint& to) {
  if (!active()) return port.SendTo(datagram, to);
  if (std::uniform_real_distribution<double>(0, 1)(rng_) < loss_) return;
  const int delay =
      jitter_ticks_ > 0 ? std::uniform_int_distribution<int>(0, jitter_ticks_)(rng_) : 0;
  if (delay == 0) return port.SendTo(datagram, to);
  held_.push_back(Held{tick_ + delay, &port, to, {datagram.begin(), datagram.end()}});
}

void SendImpairment::Tick() {
  ++tick_;
  // Held packets go out in the order of their due tick, so later ones may overtake: reordering
  // as a real network with jitter produces it.
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->due_tick <= tick_) {
      it->port->SendTo(it->bytes, it->to);
      it = held_.erase(it);
    } else {
      ++it;
    }
  }
}

AudioPath::AudioPath(UdpPort& port, const NegotiatedMedia& media, int jitter_ms, int redundancy,
                     SendImpairment& impair)
    : port_(port),
      media_(media),
      remote_(RemoteOf(media)),
      impair_(impair),
      jitter_(jitter_ms * 8, kJitterCapacitySamples, SilenceByte(media.codec)),
      red_(static_cast<uint8_t>(media.payload_type), redundancy) {
  std::random_device rd;
  ssrc_ = rd();
  sequence_ = static_cast<uint16_t>(rd());
  timestamp_ = rd();
  scratch_.resize(1500);
}

void AudioPath::Update(const NegotiatedMedia& media) {
  if (media.payload_type != media_.payload_type) red_.Reset();
  media_ = media;
  remote_ = RemoteOf(media);
}

AudioReceive AudioPath::Receive(std::span<int16_t> out) {
  port_.Drain([this](std::span<const uint8_t> datagram, const UdpEndpoint&) {
    auto packet = ParseRtp(datagram);
    if (!packet.ok()) return;
    if (packet->header.payload_type == media_.red_payload_type) return PutRedundant(*packet);
    // Only the negotiated codec feeds the fax modem; telephone-events and comfort noise don't.
    if (packet->header.payload_type != media_.payload_type) {
      if (dtmf_ && packet->header.payload_type == media_.telephone_event_payload_type) {
        dtmf_->OnTelephoneEvent(packet->payload, packet->header.timestamp);
      }
      return;
    }
    ++packets_received_;
    jitter_.Put(packet->header.timestamp, packet->payload);
  });
  std::array<uint8_t, kSamplesPerTick> bytes{};
  AudioReceive r;
  r.fill = jitter_.Take(std::span(bytes.data(), out.size()));
  if (r.fill == JitterBuffer::Fill::kWaiting) return r;
  r.samples = static_cast<int>(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] =
        media_.codec == AudioCodec::kPcmu ? ulaw_to_linear(bytes[i]) : alaw_to_linear(bytes[i]);
  }
  return r;
}

void AudioPath::PutRedundant(const RtpPacket& packet) {
  auto blocks = ParseRedundantPayload(packet.payload);
  if (!blocks.ok()) return;
  ++packets_received_;
  for (const RedundantBlock& block : *blocks) {
    if (block.payload_type != media_.payload_type || block.data.empty()) continue;
    const uint64_t duplicates = jitter_.stats().duplicates;
    const uint64_t late = jitter_.stats().late;
    jitter_.Put(packet.header.timestamp - block.timestamp_offset, block.data);
    // A copy of a frame already held is the normal case; one that filled a gap is a recovery.
    bool filled = jitter_.stats().duplicates == duplicates && jitter_.stats().late == late;
    if (block.timestamp_offset != 0 && filled) ++frames_recovered_;
  }
}

void AudioPath::Send(std::span<const int16_t> samples) {
  std::array<uint8_t, kSamplesPerTick> bytes{};
  for (size_t i = 0; i < samples.size(); ++i) {
    bytes[i] =
        media_.codec == AudioCodec::kPcmu ? linear_to_ulaw(samples[i]) : linear_to_alaw(samples[i]);
  }
  in_event_ = false;
  const std::span<const uint8_t> frame(bytes.data(), samples.size());
  if (media_.red_payload_type >= 0) {
    SendPacket(static_cast<uint8_t>(media_.red_payload_type), false, timestamp_,
               red_.Encode(timestamp_, frame));
  } else {
    SendPacket(static_cast<uint8_t>(media_.payload_type), false, timestamp_, frame);
  }
  timestamp_ += static_cast<uint32_t>(samples.size());
}

void AudioPath::SendEvent(const TelephoneEventPacket& event) {
  // RFC 4733: all packets of one event carry the timestamp of its start; the audio clock runs
  // on underneath, so the next audio packet continues where it would have.
  if (event.marker || !in_event_) event_base_ = timestamp_;
  in_event_ = true;
  red_.Reset();  // audio resumes after a gap: no copies of frames from before the event
  SendPacket(static_cast<uint8_t>(media_.telephone_event_payload_type), event.marker, event_base_,
             event.payload);
  timestamp_ += kSamplesPerTick;
}

void AudioPath::Discard() {
  port_.Drain([](std::span<const uint8_t>, const UdpEndpoint&) {});
}

void AudioPath::SendPacket(uint8_t payload_type, bool marker, uint32_t timestamp,
                           std::span<const uint8_t> payload) {
  RtpHeader h;
  h.payload_type = payload_type;
  h.marker = marker;
  h.sequence = sequence_++;
  h.timestamp = timestamp;
  h.ssrc = ssrc_;
  const size_t n = WriteRtp(h, payload, scratch_);
  if (n > 0) impair_.Send(port_, std::span(scratch_.data(), n), remote_);
}

T38Path::T38Path(UdpPort& port, const NegotiatedMedia& media, const UdptlSettings& settings,
                 SendImpairment& impair)
    : port_(port), remote_(RemoteOf(media)), impair_(impair), sender_([&] {
        UdptlSettings s = settings;
        s.mode = ToUdptl(media.t38.error_correction);
        s.far_max_datagram = media.far_max_datagram;
        return s;
      }()) {}

void T38Path::Update(const NegotiatedMedia& media) { remote_ = RemoteOf(media); }

void T38Path::Receive(const std::function<void(std::span<const uint8_t>, uint16_t)>& on_ifp) {
  port_.Drain([&](std::span<const uint8_t> datagram, const UdpEndpoint&) {
    // Pitfall 9 of reference/sip-t38.md: RTP may keep arriving on the T.38 port.
    if (IsStrayAudio(datagram)) return;
    auto ifps = receiver_.Receive(datagram);
    if (!ifps.ok()) {
      log::Get("call")->trace("dropped a UDPTL datagram: {}", ifps.error().message);
      return;
    }
    for (const RecoveredIfp& r : *ifps) on_ifp(r.ifp, r.sequence);
  });
}

void T38Path::Send(std::span<const uint8_t> ifp, int copies) {
  // spandsp asks for indicators to be sent several times: the same datagram (one sequence
  // number) goes out `copies` times, and the far end drops the repeats as duplicates.
  std::vector<uint8_t> datagram = sender_.Build(ifp);
  for (int i = 0; i < std::max(1, copies); ++i) impair_.Send(port_, datagram, remote_);
}

}  // namespace faxgate
