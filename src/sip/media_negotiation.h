// Offer/answer for fax calls (RFC 3264), in faxgate's terms: which of our codecs the peer takes,
// whether the call runs as G.711 audio or as T.38 over UDPTL, and the T.38 parameters both sides
// agreed on. SIP carries the text; the decisions live here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sip/sdp.h"

namespace faxgate {

enum class AudioCodec { kPcmu, kPcma };
std::string_view ToString(AudioCodec codec);  // "PCMU", "PCMA"

enum class T38ErrorCorrection { kNone, kRedundancy, kFec };

// T.38 SDP attributes (reference/sip-t38.md section 4). Absent attributes take the defaults
// below (RFC 4612's version 0; FreeSWITCH's parser defaults for the rest).
struct T38Description {
  int version = 0;
  int max_bit_rate = 14400;
  bool transferred_tcf = true;  // T38FaxRateManagement: transferredTCF / localTCF
  int max_buffer = 2000;
  int max_datagram = 400;
  T38ErrorCorrection error_correction = T38ErrorCorrection::kRedundancy;
  bool fill_bit_removal = false;
  bool transcoding_mmr = false;
  bool transcoding_jbig = false;
  // The peer wrote booleans as `:0`/`:1`; we answer in its style.
  bool value_style_booleans = false;
};

// What this side can do, and where its media sockets are.
struct LocalMedia {
  std::string address;  // the address peers send media to (public address behind NAT)
  int audio_port = 0;   // RTP
  int image_port = 0;   // UDPTL (may equal audio_port)
  std::vector<AudioCodec> codecs{AudioCodec::kPcma, AudioCodec::kPcmu};  // by preference
  bool telephone_events = true;    // offer RFC 4733 (payload type 101)
  bool t38 = true;                 // accept and offer T.38
  T38Description t38_preferences;  // what we offer / the most we accept
  uint64_t session_id = 0;
  uint64_t session_version = 0;  // the caller increments it for every new offer or answer
};

enum class MediaKind { kAudio, kT38 };

// What was agreed: where to send, in what form.
struct NegotiatedMedia {
  MediaKind kind = MediaKind::kAudio;
  std::string remote_address;
  int remote_port = 0;
  AudioCodec codec = AudioCodec::kPcmu;
  int payload_type = 0;
  int telephone_event_payload_type = -1;  // -1: not negotiated (DTMF goes in-band)
  int ptime_ms = 20;
  T38Description t38;  // kind == kT38: the parameters in force for both directions
  // T38FaxMaxDatagram the far end announced (what our datagrams must fit).
  int far_max_datagram = 400;
  bool operator==(const NegotiatedMedia& other) const = default;
};

// Our offer for an initial INVITE (audio) or a switch (kT38: one m=image line replacing audio).
std::string BuildOffer(const LocalMedia& local, MediaKind kind);

struct Answer {
  std::string sdp;
  NegotiatedMedia media;
};
// Answers a peer's offer: T.38 when an image stream with a non-zero port is offered and we
// allow it, otherwise the first of our codecs the peer offers. Streams we don't take are
// answered with port 0 in their position. An offer we cannot take at all is an error whose
// message says why (the caller answers 488).
Result<Answer> AnswerOffer(std::string_view offer_sdp, const LocalMedia& local);

// Reads the peer's answer to our offer of `offered`.
Result<NegotiatedMedia> ReadAnswer(std::string_view answer_sdp, MediaKind offered,
                                   const LocalMedia& local);

// Parses the T.38 attributes of one m=image stream, leniently (`:0/:1` booleans, aliases such
// as T38MaxDatagram/T38FaxMaxRate, several T38FaxUdpEC lines: the best one we support wins).
T38Description ParseT38Attributes(const SdpMedia& media);

}  // namespace faxgate
