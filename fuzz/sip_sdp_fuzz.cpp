// SDP arrives in every INVITE and re-INVITE from strangers (trunks, SBCs, gateways). Parses the
// bytes and checks what the SIP layer relies on: the parser stays inside its bounds, what it
// reads prints and reads back the same, every refusal is a short printable message, and an
// answer we build to the bytes is SDP that our own answer reader understands as the same media
// (so the two sides of a faxgate-to-faxgate call agree on codec, payload types and T.38).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "sip/media_negotiation.h"
#include "sip/sdp.h"

namespace {

using faxgate::Answer;
using faxgate::AudioCodec;
using faxgate::LocalMedia;
using faxgate::MediaKind;
using faxgate::NegotiatedMedia;
using faxgate::OfferContext;
using faxgate::SdpSession;
using faxgate::T38ErrorCorrection;

LocalMedia DefaultLocal() {
  LocalMedia local;
  local.address = "203.0.113.5";
  local.audio_port = 40000;
  local.image_port = 40002;
  local.session_id = 1;
  local.session_version = 2;
  return local;
}

// IPv6, PCMU only, no DTMF events, T.38 off.
LocalMedia Ipv6AudioOnlyLocal() {
  LocalMedia local = DefaultLocal();
  local.address = "2001:db8::5";
  local.codecs = {AudioCodec::kPcmu};
  local.telephone_events = false;
  local.t38 = false;
  return local;
}

// Unusual T.38 preferences: FEC, version 3, booleans claimed and in value style, a big datagram.
LocalMedia OddT38Local() {
  LocalMedia local = DefaultLocal();
  local.image_port = 40000;
  local.codecs = {AudioCodec::kPcmu, AudioCodec::kPcma};
  local.t38_preferences.version = 3;
  local.t38_preferences.max_bit_rate = 9600;
  local.t38_preferences.error_correction = T38ErrorCorrection::kFec;
  local.t38_preferences.fill_bit_removal = true;
  local.t38_preferences.value_style_booleans = true;
  local.t38_preferences.max_datagram = 1440;
  return local;
}

const LocalMedia kLocals[] = {DefaultLocal(), Ipv6AudioOnlyLocal(), OddT38Local()};

bool Printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F;
  });
}

void CheckRefusal(const faxgate::Error& e, size_t max_size) {
  FUZZ_CHECK(e.code == faxgate::ErrorCode::kInvalidArgument);
  FUZZ_CHECK(!e.message.empty() && e.message.size() < max_size && Printable(e.message));
}

int ExpectedFarMaxDatagram(int announced) {
  if (announced <= 0) return 400;
  return std::min(announced, 1400);
}

void CheckBounds(const SdpSession& s) {
  FUZZ_CHECK(s.media.size() <= 16);
  FUZZ_CHECK(s.attributes.size() <= 128);
  for (const auto& m : s.media) {
    FUZZ_CHECK(m.port >= 0 && m.port <= 65535);
    FUZZ_CHECK(m.attributes.size() <= 128);
    FUZZ_CHECK(m.formats.size() <= 128);
    FUZZ_CHECK(!m.type.empty() && !m.proto.empty());
    auto t38 = faxgate::ParseT38Attributes(m);
    FUZZ_CHECK(t38.version >= 0 && t38.version <= 255);
    FUZZ_CHECK(t38.max_bit_rate >= 2400 && t38.max_bit_rate <= 33600);
    FUZZ_CHECK(t38.max_datagram >= 0 && t38.max_datagram <= 65535);
  }
}

// What we print, we read back as the same session; printing is then a fixed point.
void CheckRoundTrip(const SdpSession& s) {
  std::string printed = faxgate::PrintSdp(s);
  auto again = faxgate::ParseSdp(printed);
  if (!again.ok()) std::fprintf(stderr, "%s\n", again.error().message.c_str());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == s);
  FUZZ_CHECK(faxgate::PrintSdp(*again) == printed);
}

void CheckAnswerShape(const SdpSession& offer, const Answer& answer, const LocalMedia& local) {
  auto sdp = faxgate::ParseSdp(answer.sdp);
  FUZZ_CHECK(sdp.ok());
  // RFC 3264: one m= line per offered one, same media type, only the chosen one live.
  FUZZ_CHECK(sdp->media.size() == offer.media.size());
  int live = 0;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    FUZZ_CHECK(sdp->media[i].type == offer.media[i].type);
    if (sdp->media[i].port == 0) continue;
    ++live;
    FUZZ_CHECK(offer.media[i].port != 0);
    FUZZ_CHECK(sdp->media[i].port ==
               (answer.media.kind == MediaKind::kAudio ? local.audio_port : local.image_port));
  }
  FUZZ_CHECK(live == 1);
  FUZZ_CHECK(answer.media.kind == MediaKind::kAudio || local.t38);
  FUZZ_CHECK(answer.media.remote_port > 0 && answer.media.remote_port <= 65535);
  FUZZ_CHECK(!answer.media.remote_address.empty());
  if (answer.media.kind == MediaKind::kAudio) {
    FUZZ_CHECK(std::find(local.codecs.begin(), local.codecs.end(), answer.media.codec) !=
               local.codecs.end());
    FUZZ_CHECK(answer.media.ptime_ms >= 10 && answer.media.ptime_ms <= 60);
    FUZZ_CHECK(local.telephone_events || answer.media.telephone_event_payload_type == -1);
  } else {
    FUZZ_CHECK(answer.media.far_max_datagram > 0 && answer.media.far_max_datagram <= 1400);
    FUZZ_CHECK(answer.media.t38.version <= local.t38_preferences.version);
    FUZZ_CHECK(answer.media.t38.max_bit_rate <= local.t38_preferences.max_bit_rate);
  }
}

// Reading our own answer as the offerer would (with the same preferences) agrees with it.
void CheckAnswerReadsBack(const Answer& answer, const LocalMedia& local) {
  auto read = faxgate::ReadAnswer(answer.sdp, answer.media.kind, local);
  if (!read.ok()) std::fprintf(stderr, "%s\n", read.error().message.c_str());
  FUZZ_CHECK(read.ok());
  const NegotiatedMedia& ours = answer.media;
  FUZZ_CHECK(read->kind == ours.kind);
  FUZZ_CHECK(read->remote_address == local.address);
  if (ours.kind == MediaKind::kAudio) {
    FUZZ_CHECK(read->remote_port == local.audio_port);
    FUZZ_CHECK(read->codec == ours.codec);
    FUZZ_CHECK(read->payload_type == ours.payload_type);
    FUZZ_CHECK(read->telephone_event_payload_type == ours.telephone_event_payload_type);
    FUZZ_CHECK(read->ptime_ms == ours.ptime_ms);
  } else {
    FUZZ_CHECK(read->remote_port == local.image_port);
    FUZZ_CHECK(read->t38 == ours.t38);
    FUZZ_CHECK(read->far_max_datagram ==
               ExpectedFarMaxDatagram(local.t38_preferences.max_datagram));
  }
}

void CheckAnswers(const SdpSession& offer, std::string_view input) {
  for (const LocalMedia& local : kLocals) {
    for (OfferContext context : {OfferContext::kInitialInvite, OfferContext::kReinvite}) {
      auto answer = faxgate::AnswerOffer(input, local, context);
      if (!answer.ok()) {
        CheckRefusal(answer.error(), 2000);
        continue;
      }
      CheckAnswerShape(offer, *answer, local);
      CheckAnswerReadsBack(*answer, local);
    }
  }
}

// The bytes as an answer to our offer: refused or read, never a crash or a dead port.
void CheckAsAnswer(std::string_view input) {
  for (const LocalMedia& local : kLocals) {
    for (MediaKind kind : {MediaKind::kAudio, MediaKind::kT38}) {
      auto read = faxgate::ReadAnswer(input, kind, local);
      if (!read.ok()) {
        CheckRefusal(read.error(), 2000);
        continue;
      }
      FUZZ_CHECK(read->kind == kind);
      FUZZ_CHECK(read->remote_port > 0 && !read->remote_address.empty());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto session = faxgate::ParseSdp(input);
  if (!session.ok()) {
    CheckRefusal(session.error(), 300);
    FUZZ_CHECK(!faxgate::AnswerOffer(input, kLocals[0]).ok());
    return 0;
  }
  CheckBounds(*session);
  CheckRoundTrip(*session);
  CheckAnswers(*session, input);
  CheckAsAnswer(input);
  return 0;
}
