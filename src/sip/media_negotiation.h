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
  bool operator==(const T38Description& other) const = default;
};

// What this side can do, and where its media sockets are.
struct LocalMedia {
  std::string address;  // the address peers send media to (public address behind NAT)
  int audio_port = 0;   // RTP
  int image_port = 0;   // UDPTL (may equal audio_port)
  std::vector<AudioCodec> codecs{AudioCodec::kPcma, AudioCodec::kPcmu};  // by preference
  bool telephone_events = true;  // offer RFC 4733 (payload type 101)
  // RFC 2198 redundant audio (payload type 100): copies of this many earlier frames in each
  // packet we send; 0 neither offers nor accepts it.
  int audio_redundancy = 0;
  bool t38 = true;                 // accept and offer T.38
  T38Description t38_preferences;  // what we offer / the most we accept
  uint64_t session_id = 0;
  uint64_t session_version = 0;  // the caller increments it for every new offer or answer
};

enum class MediaKind { kAudio, kT38 };
std::string_view ToString(MediaKind kind);  // "audio", "T.38"

// What was agreed: where to send, in what form.
struct NegotiatedMedia {
  MediaKind kind = MediaKind::kAudio;
  std::string remote_address;
  int remote_port = 0;
  AudioCodec codec = AudioCodec::kPcmu;
  int payload_type = 0;
  int telephone_event_payload_type = -1;  // -1: not negotiated (DTMF goes in-band)
  // RFC 2198 `red` for the codec, both ways; -1: not negotiated (plain G.711).
  int red_payload_type = -1;
  int ptime_ms = 20;
  // kind == kT38: the parameters in force for both directions: the lower version and bit rate,
  // the peer's rate management and error correction, booleans only where both sides said yes,
  // and our own buffer and datagram sizes (what we announced we receive).
  T38Description t38;
  // T38FaxMaxDatagram the far end announced (what our datagrams must fit): 0 or absent reads
  // as 400, above 1400 as 1400 (reference/sip-t38.md 7.4).
  int far_max_datagram = 400;
  bool operator==(const NegotiatedMedia& other) const = default;
};

// Our offer for an initial INVITE (audio) or a switch (kT38: one m=image line replacing audio).
std::string BuildOffer(const LocalMedia& local, MediaKind kind);

struct Answer {
  std::string sdp;
  NegotiatedMedia media;
};
// Where an offer arrived: in the INVITE that opens the call, or in a re-INVITE of an
// established one. It decides only offers that carry both a usable m=audio and a usable
// m=image (reference/sip-t38.md section 8, pitfall 8).
enum class OfferContext { kInitialInvite, kReinvite };

// Answers a peer's offer (RFC 3264): the answer has one m= line per offered one, in the same
// order; the stream we take carries our port, the others port 0.
//  - Audio: the first of our codecs (local preference) the offer has, by static payload type
//    0/8 or by rtpmap name at any number, answered alone with telephone-event and RFC 2198
//    `red` at the peer's numbers when both sides want them, the peer's ptime, and the mirrored
//    direction.
//  - T.38: an image/udptl stream with a non-zero port, when local.t38 allows it.
//  - Both usable: audio for an initial INVITE (a DIDWW SBC offers both; T.38 follows by
//    re-INVITE once fax tones are heard, as with every other peer), T.38 for a re-INVITE
//    (adding the image stream is how a peer asks for the switch).
// An offer we cannot take at all is an error whose message says what was offered (the caller
// answers 488).
Result<Answer> AnswerOffer(std::string_view offer_sdp, const LocalMedia& local,
                           OfferContext context = OfferContext::kInitialInvite);

// Reads the peer's answer to our offer of `offered` (built by BuildOffer from `local`). Lenient
// about answers that don't match the offer (another codec of ours, localTCF in reply to
// transferredTCF: theirs is used); a stream of that kind with port 0, or none, is an error
// saying the far end refused it.
Result<NegotiatedMedia> ReadAnswer(std::string_view answer_sdp, MediaKind offered,
                                   const LocalMedia& local);

// Parses the T.38 attributes of one m=image stream, leniently (`:0/:1` booleans, aliases such
// as T38MaxDatagram/T38FaxMaxRate, several T38FaxUdpEC lines: the best one we support wins).
T38Description ParseT38Attributes(const SdpMedia& media);

}  // namespace faxgate
