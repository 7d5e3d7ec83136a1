// The media half of one SIP call, as its media worker drives it once per 20 ms tick: G.711
// audio over RTP through the fax jitter buffer, or T.38 IFP packets over UDPTL. Sockets are
// drained once per tick; nothing here blocks or allocates per sample.
// Not thread-safe: one call owns these on one media worker.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <span>
#include <vector>

#include "base/config.h"
#include "media/dtmf_receiver.h"
#include "media/dtmf_sender.h"
#include "media/jitter_buffer.h"
#include "media/rtp_packet.h"
#include "media/rtp_redundancy.h"
#include "media/udp_port.h"
#include "media/udptl.h"
#include "sip/media_negotiation.h"

namespace faxgate {

// Test harness (config [media] impair_*): drops and delays what this side sends, so that loss
// and jitter between two daemons can be reproduced on one machine. Off in production.
class SendImpairment {
 public:
  SendImpairment(double loss, int jitter_ms, uint32_t seed);
  bool active() const { return loss_ > 0 || jitter_ticks_ > 0; }
  // Sends now, later (queued), or never.
  void Send(UdpPort& port, std::span<const uint8_t> datagram, const UdpEndpoint& to);
  // Sends what has become due; call once per tick.
  void Tick();

 private:
  struct Held {
    int due_tick;
    UdpPort* port;
    UdpEndpoint to;
    std::vector<uint8_t> bytes;
  };
  double loss_;
  int jitter_ticks_;
  std::mt19937 rng_;
  int tick_ = 0;
  std::deque<Held> held_;
};

struct AudioReceive {
  JitterBuffer::Fill fill = JitterBuffer::Fill::kWaiting;
  int samples = 0;  // linear samples written (160, unless waiting)
};

// G.711 over RTP, with RFC 2198 redundancy both ways when negotiated.
class AudioPath {
 public:
  // `redundancy`: earlier frames copied into each packet sent, when media.red_payload_type is
  // set.
  AudioPath(UdpPort& port, const NegotiatedMedia& media, int jitter_ms, int redundancy,
            SendImpairment& impair);
  // The peer's new answer or offer (address, port or codec changed).
  void Update(const NegotiatedMedia& media);
  // Drains the socket into the jitter buffer and takes one tick of linear audio.
  AudioReceive Receive(std::span<int16_t> out);
  // Encodes and sends one tick of linear audio.
  void Send(std::span<const int16_t> samples);
  // Sends an RFC 4733 event instead of this tick's audio.
  void SendEvent(const TelephoneEventPacket& event);
  // Reads and discards what arrives (after a switch to T.38 the peer may go on sending RTP).
  void Discard();
  bool telephone_events() const { return media_.telephone_event_payload_type >= 0; }
  // Telephone-events received go to `dtmf` (nullptr: ignored).
  void set_dtmf_receiver(DtmfReceiver* dtmf) { dtmf_ = dtmf; }
  uint64_t packets_received() const { return packets_received_; }
  // Frames that arrived only as a redundant copy (their own packet was lost or late).
  uint64_t frames_recovered() const { return frames_recovered_; }
  const JitterStats& jitter_stats() const { return jitter_.stats(); }

 private:
  void SendPacket(uint8_t payload_type, bool marker, uint32_t timestamp,
                  std::span<const uint8_t> payload);
  void PutRedundant(const RtpPacket& packet);

  UdpPort& port_;
  NegotiatedMedia media_;
  UdpEndpoint remote_;
  SendImpairment& impair_;
  JitterBuffer jitter_;
  RedundantEncoder red_;
  uint32_t ssrc_;
  uint16_t sequence_;
  uint32_t timestamp_;  // of the next audio packet we send
  uint32_t event_base_ = 0;
  bool in_event_ = false;
  uint64_t packets_received_ = 0;
  uint64_t frames_recovered_ = 0;
  DtmfReceiver* dtmf_ = nullptr;
  std::vector<uint8_t> scratch_;
};

// T.38 IFP packets over UDPTL.
class T38Path {
 public:
  T38Path(UdpPort& port, const NegotiatedMedia& media, const UdptlSettings& settings,
          SendImpairment& impair);
  void Update(const NegotiatedMedia& media);
  // Drains the socket; calls `on_ifp` for every IFP, recovered ones included, in order.
  void Receive(const std::function<void(std::span<const uint8_t>, uint16_t)>& on_ifp);
  void Send(std::span<const uint8_t> ifp, int copies);
  uint64_t datagrams_received() const { return receiver_.stats().datagrams; }
  const UdptlReceiveStats& stats() const { return receiver_.stats(); }

 private:
  UdpPort& port_;
  UdpEndpoint remote_;
  SendImpairment& impair_;
  UdptlSender sender_;
  UdptlReceiver receiver_;
};

}  // namespace faxgate
