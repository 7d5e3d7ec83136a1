#include "sip/media_negotiation.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "sip/sdp_text.h"
#include "sip/t38_sdp.h"

namespace faxgate {
namespace {

using sdp_text::Attribute;
using sdp_text::EqualsIgnoreCase;
using sdp_text::Flag;
using sdp_text::ParseInt;
using sdp_text::Printable;
using sdp_text::SplitWords;
using sdp_text::Trim;

constexpr int kMaxPayloadType = 127;
constexpr int kOurTelephoneEventPayloadType = 101;
constexpr int kOurRedPayloadType = 100;
constexpr int kDefaultPtimeMs = 20;
// G.711 packet times peers actually use; anything else is a typo we do not honour.
constexpr int kMinPtimeMs = 10;
constexpr int kMaxPtimeMs = 60;
constexpr size_t kMaxStreamsDescribed = 6;
constexpr size_t kMaxFormatsDescribed = 8;

// ---- Reading streams ----------------------------------------------------------------------

bool IsRtpAudio(const SdpMedia& m) {
  return EqualsIgnoreCase(m.type, "audio") && EqualsIgnoreCase(m.proto, "RTP/AVP");
}

// T.38 runs over UDPTL only; an m=image line rewritten to RTP/AVP by a relay (rtpengine #1201)
// is not something we can speak.
bool IsUdptlImage(const SdpMedia& m) {
  return EqualsIgnoreCase(m.type, "image") && EqualsIgnoreCase(m.proto, "udptl");
}

const std::string& ConnectionOf(const SdpSession& s, const SdpMedia& m) {
  return m.connection_address.empty() ? s.connection_address : m.connection_address;
}

// Media level first, then session level (RFC 4566 lets ptime and the direction sit at either).
const SdpAttribute* FindAttribute(const SdpSession& s, const SdpMedia& m, std::string_view name) {
  if (const SdpAttribute* a = m.Find(name)) return a;
  for (const SdpAttribute& a : s.attributes)
    if (EqualsIgnoreCase(a.name, name)) return &a;
  return nullptr;
}

enum class FormatKind { kOther, kPcmu, kPcma, kTelephoneEvent, kRed };

// One RTP payload format of an m= line: its number and what it carries.
struct RtpFormat {
  int payload_type = 0;
  std::string name;  // "PCMU", "G729", "telephone-event"; "payload 96" when unnamed
  FormatKind kind = FormatKind::kOther;
};

// RFC 3551 static payload types, for offers that list them without an rtpmap.
constexpr std::array<std::pair<int, std::string_view>, 8> kStaticPayloadNames{{
    {0, "PCMU"},
    {3, "GSM"},
    {4, "G723"},
    {8, "PCMA"},
    {9, "G722"},
    {13, "CN"},
    {15, "G728"},
    {18, "G729"},
}};

std::string StaticPayloadName(int payload_type) {
  for (const auto& [number, name] : kStaticPayloadNames)
    if (number == payload_type) return std::string(name);
  return "payload " + std::to_string(payload_type);
}

FormatKind KindOf(std::string_view encoding, int clock_rate, int channels) {
  if (clock_rate != 8000 || channels > 1) return FormatKind::kOther;
  if (EqualsIgnoreCase(encoding, "PCMU")) return FormatKind::kPcmu;
  if (EqualsIgnoreCase(encoding, "PCMA")) return FormatKind::kPcma;
  if (EqualsIgnoreCase(encoding, "telephone-event")) return FormatKind::kTelephoneEvent;
  if (EqualsIgnoreCase(encoding, "red")) return FormatKind::kRed;
  return FormatKind::kOther;
}

// a=rtpmap:<payload type> <encoding>/<clock rate>[/<channels>]; the first one for the number.
std::optional<RtpFormat> FindRtpMap(const SdpMedia& m, int payload_type) {
  for (const SdpAttribute& a : m.attributes) {
    if (!EqualsIgnoreCase(a.name, "rtpmap") || !a.has_value) continue;
    auto words = SplitWords(a.value);
    if (words.size() < 2 || ParseInt(words[0], kMaxPayloadType) != payload_type) continue;
    std::string_view encoding = words[1];
    std::string_view rest;
    if (size_t slash = encoding.find('/'); slash != std::string_view::npos) {
      rest = encoding.substr(slash + 1);
      encoding = encoding.substr(0, slash);
    }
    std::string_view rate = rest.substr(0, rest.find('/'));
    int channels = 1;
    if (size_t slash = rest.find('/'); slash != std::string_view::npos)
      channels = ParseInt(rest.substr(slash + 1), 255).value_or(0) == 1 ? 1 : 2;
    int clock_rate = ParseInt(rate, 1000000).value_or(0);
    return RtpFormat{payload_type, std::string(encoding), KindOf(encoding, clock_rate, channels)};
  }
  return std::nullopt;
}

// The formats of an RTP m= line in its order. Non-numeric formats are skipped: they cannot be
// RTP payload types.
std::vector<RtpFormat> RtpFormats(const SdpMedia& m) {
  std::vector<RtpFormat> formats;
  for (const std::string& text : m.formats) {
    auto payload_type = ParseInt(text, kMaxPayloadType);
    if (!payload_type) continue;
    if (auto mapped = FindRtpMap(m, *payload_type)) {
      formats.push_back(std::move(*mapped));
      continue;
    }
    FormatKind kind = *payload_type == 0   ? FormatKind::kPcmu
                      : *payload_type == 8 ? FormatKind::kPcma
                                           : FormatKind::kOther;
    formats.push_back({*payload_type, StaticPayloadName(*payload_type), kind});
  }
  return formats;
}

FormatKind KindOf(AudioCodec codec) {
  return codec == AudioCodec::kPcmu ? FormatKind::kPcmu : FormatKind::kPcma;
}

int PayloadTypeOf(const std::vector<RtpFormat>& formats, FormatKind kind) {
  for (const RtpFormat& f : formats)
    if (f.kind == kind) return f.payload_type;
  return -1;
}

int TelephoneEventPayloadType(const std::vector<RtpFormat>& formats) {
  return PayloadTypeOf(formats, FormatKind::kTelephoneEvent);
}

// The peer's `red` when we take it. Its fmtp (which codecs the blocks carry) is not checked:
// each block names its own payload type, and blocks of another codec are skipped.
int RedPayloadType(const std::vector<RtpFormat>& formats, const LocalMedia& local) {
  return local.audio_redundancy > 0 ? PayloadTypeOf(formats, FormatKind::kRed) : -1;
}

int PtimeOf(const SdpSession& s, const SdpMedia& m) {
  const SdpAttribute* a = FindAttribute(s, m, "ptime");
  if (a == nullptr) return kDefaultPtimeMs;
  int ptime = ParseInt(Trim(a->value), 100000).value_or(0);
  return ptime >= kMinPtimeMs && ptime <= kMaxPtimeMs ? ptime : kDefaultPtimeMs;
}

// RFC 3264 section 6.1: a sendonly offer gets a recvonly answer and the reverse.
std::string AnswerDirection(const SdpSession& s, const SdpMedia& m) {
  for (const auto* level : {&m.attributes, &s.attributes}) {
    for (const SdpAttribute& a : *level) {
      if (EqualsIgnoreCase(a.name, "sendonly")) return "recvonly";
      if (EqualsIgnoreCase(a.name, "recvonly")) return "sendonly";
      if (EqualsIgnoreCase(a.name, "inactive")) return "inactive";
      if (EqualsIgnoreCase(a.name, "sendrecv")) return "sendrecv";
    }
  }
  return "sendrecv";
}

// ---- Writing streams ------------------------------------------------------------------------

int PayloadType(AudioCodec codec) { return codec == AudioCodec::kPcmu ? 0 : 8; }

void AddRtpMap(SdpMedia& m, int payload_type, std::string_view encoding) {
  m.formats.push_back(std::to_string(payload_type));
  m.attributes.push_back(
      Attribute("rtpmap", std::to_string(payload_type) + " " + std::string(encoding) + "/8000"));
}

void AddTelephoneEvent(SdpMedia& m, int payload_type) {
  AddRtpMap(m, payload_type, "telephone-event");
  m.attributes.push_back(Attribute("fmtp", std::to_string(payload_type) + " 0-15"));
}

// RFC 2198 section 5: "a=fmtp:100 0/0/0" says each packet carries PCMU, twice redundant.
void AddRed(SdpMedia& m, int payload_type, AudioCodec codec, int depth) {
  AddRtpMap(m, payload_type, "red");
  std::string blocks = std::to_string(PayloadType(codec));
  for (int i = 0; i < depth; ++i) blocks += "/" + std::to_string(PayloadType(codec));
  m.attributes.push_back(Attribute("fmtp", std::to_string(payload_type) + " " + blocks));
}

SdpSession OurSession(const LocalMedia& local) {
  SdpSession s;
  s.origin_user = "faxgate";
  s.session_id = local.session_id;
  s.session_version = local.session_version;
  s.origin_address = local.address;
  s.session_name = "faxgate";
  s.connection_address = local.address;
  return s;
}

SdpMedia AudioOffer(const LocalMedia& local) {
  SdpMedia m{.type = "audio", .port = local.audio_port, .proto = "RTP/AVP"};
  std::vector<AudioCodec> offered;
  for (AudioCodec codec : local.codecs) {
    if (std::find(offered.begin(), offered.end(), codec) != offered.end()) continue;
    offered.push_back(codec);
    AddRtpMap(m, PayloadType(codec), ToString(codec));
  }
  if (local.telephone_events) AddTelephoneEvent(m, kOurTelephoneEventPayloadType);
  if (local.audio_redundancy > 0 && !offered.empty())
    AddRed(m, kOurRedPayloadType, offered.front(), local.audio_redundancy);
  m.attributes.push_back(Attribute("ptime", std::to_string(kDefaultPtimeMs)));
  m.attributes.push_back(Flag("sendrecv"));
  return m;
}

SdpMedia T38Stream(std::string type, std::string proto, int port, const T38Description& d) {
  SdpMedia m{.type = std::move(type), .port = port, .proto = std::move(proto), .formats = {"t38"}};
  m.attributes = t38_sdp::Attributes(d);
  return m;
}

// RFC 3264 section 6: a stream we do not take keeps its place with port 0.
SdpMedia Rejected(const SdpMedia& offered) {
  return SdpMedia{
      .type = offered.type, .port = 0, .proto = offered.proto, .formats = offered.formats};
}

// ---- Answering ------------------------------------------------------------------------------

struct AudioChoice {
  size_t index = 0;
  AudioCodec codec = AudioCodec::kPcmu;
  int payload_type = 0;
  int telephone_event_payload_type = -1;
  int red_payload_type = -1;
};

bool Usable(const SdpSession& offer, const SdpMedia& m) {
  return m.port != 0 && !ConnectionOf(offer, m).empty();
}

// The first live audio stream that has any of our codecs; in it, our most preferred codec.
std::optional<AudioChoice> ChooseAudio(const SdpSession& offer, const LocalMedia& local) {
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const SdpMedia& m = offer.media[i];
    if (!IsRtpAudio(m) || !Usable(offer, m)) continue;
    std::vector<RtpFormat> formats = RtpFormats(m);
    for (AudioCodec codec : local.codecs) {
      for (const RtpFormat& f : formats) {
        if (f.kind != KindOf(codec)) continue;
        int events = local.telephone_events ? TelephoneEventPayloadType(formats) : -1;
        return AudioChoice{i, codec, f.payload_type, events, RedPayloadType(formats, local)};
      }
    }
  }
  return std::nullopt;
}

std::optional<size_t> ChooseT38(const SdpSession& offer, const LocalMedia& local) {
  if (!local.t38) return std::nullopt;
  for (size_t i = 0; i < offer.media.size(); ++i)
    if (IsUdptlImage(offer.media[i]) && Usable(offer, offer.media[i])) return i;
  return std::nullopt;
}

// "audio G729, G722": what a stream offered, for the refusal message.
std::string DescribeStream(const SdpSession& offer, const SdpMedia& m) {
  std::string text = Printable(m.type, 16);
  if (m.port == 0) return text + " with port 0";
  if (IsRtpAudio(m)) {
    std::vector<RtpFormat> formats = RtpFormats(m);
    std::erase_if(formats, [](const RtpFormat& f) {
      return f.kind == FormatKind::kTelephoneEvent || f.kind == FormatKind::kRed;
    });
    for (size_t i = 0; i < formats.size() && i < kMaxFormatsDescribed; ++i)
      text += (i == 0 ? " " : ", ") + Printable(formats[i].name, 24);
    if (formats.size() > kMaxFormatsDescribed) text += ", ...";
    if (formats.empty()) text += " without a codec";
  } else if (!IsUdptlImage(m)) {
    text += " over " + Printable(m.proto, 24);
  } else {
    text += " T.38";
  }
  if (ConnectionOf(offer, m).empty()) text += " without a c= address";
  return text;
}

Error NothingAcceptable(const SdpSession& offer, const LocalMedia& local) {
  std::string codecs;
  for (AudioCodec codec : {AudioCodec::kPcmu, AudioCodec::kPcma}) {
    if (std::find(local.codecs.begin(), local.codecs.end(), codec) == local.codecs.end()) continue;
    codecs += (codecs.empty() ? "" : "/") + std::string(ToString(codec));
  }
  std::string message = "the offer has no " + (codecs.empty() ? "usable" : codecs) + " audio";
  message += local.t38 ? " and no T.38 stream we accept" : ", and T.38 is turned off here";
  std::string offered;
  for (size_t i = 0; i < offer.media.size() && i < kMaxStreamsDescribed; ++i)
    offered += (i == 0 ? "" : "; ") + DescribeStream(offer, offer.media[i]);
  if (offer.media.size() > kMaxStreamsDescribed) offered += "; ...";
  message += " (offered: " + (offered.empty() ? std::string("no m= lines") : offered) + ")";
  return MakeError(ErrorCode::kInvalidArgument, message);
}

Answer AnswerAudio(const SdpSession& offer, const AudioChoice& choice, const LocalMedia& local) {
  const SdpMedia& offered = offer.media[choice.index];
  int ptime = PtimeOf(offer, offered);
  SdpMedia m{.type = offered.type, .port = local.audio_port, .proto = offered.proto};
  AddRtpMap(m, choice.payload_type, ToString(choice.codec));
  if (choice.telephone_event_payload_type >= 0)
    AddTelephoneEvent(m, choice.telephone_event_payload_type);
  if (choice.red_payload_type >= 0)
    AddRed(m, choice.red_payload_type, choice.codec, local.audio_redundancy);
  m.attributes.push_back(Attribute("ptime", std::to_string(ptime)));
  m.attributes.push_back(Flag(AnswerDirection(offer, offered)));

  Answer answer;
  answer.media.kind = MediaKind::kAudio;
  answer.media.remote_address = ConnectionOf(offer, offered);
  answer.media.remote_port = offered.port;
  answer.media.codec = choice.codec;
  answer.media.payload_type = choice.payload_type;
  answer.media.telephone_event_payload_type = choice.telephone_event_payload_type;
  answer.media.red_payload_type = choice.red_payload_type;
  answer.media.ptime_ms = ptime;
  SdpSession session = OurSession(local);
  for (size_t i = 0; i < offer.media.size(); ++i)
    session.media.push_back(i == choice.index ? m : Rejected(offer.media[i]));
  answer.sdp = PrintSdp(session);
  return answer;
}

Answer AnswerT38(const SdpSession& offer, size_t index, const LocalMedia& local) {
  const SdpMedia& offered = offer.media[index];
  t38_sdp::Agreement agreement = t38_sdp::Agree(local.t38_preferences, offered);
  Answer answer;
  answer.media.kind = MediaKind::kT38;
  answer.media.remote_address = ConnectionOf(offer, offered);
  answer.media.remote_port = offered.port;
  answer.media.t38 = agreement.in_force;
  answer.media.far_max_datagram = agreement.far_max_datagram;
  SdpSession session = OurSession(local);
  for (size_t i = 0; i < offer.media.size(); ++i) {
    session.media.push_back(
        i == index ? T38Stream(offered.type, offered.proto, local.image_port, agreement.in_force)
                   : Rejected(offer.media[i]));
  }
  answer.sdp = PrintSdp(session);
  return answer;
}

// ---- Reading answers ------------------------------------------------------------------------

// The first stream of the kind with a live port; its absence says the far end refused.
Result<size_t> FindAnswered(const SdpSession& answer, MediaKind kind) {
  bool (*of_kind)(const SdpMedia&) = kind == MediaKind::kAudio ? IsRtpAudio : IsUdptlImage;
  bool refused_with_port_0 = false;
  for (size_t i = 0; i < answer.media.size(); ++i) {
    if (!of_kind(answer.media[i])) continue;
    if (answer.media[i].port != 0) return i;
    refused_with_port_0 = true;
  }
  std::string line = kind == MediaKind::kAudio ? "m=audio RTP/AVP" : "m=image udptl";
  return MakeError(ErrorCode::kInvalidArgument,
                   "the far end refused " + std::string(ToString(kind)) + ": its answer has " +
                       (refused_with_port_0 ? line + " with port 0" : "no " + line + " line"));
}

Result<std::string> AnsweredAddress(const SdpSession& answer, const SdpMedia& m, MediaKind kind) {
  const std::string& address = ConnectionOf(answer, m);
  if (address.empty())
    return MakeError(ErrorCode::kInvalidArgument,
                     "the far end's " + std::string(ToString(kind)) + " answer has no c= address");
  return address;
}

Result<NegotiatedMedia> ReadAudioAnswer(const SdpSession& answer, const LocalMedia& local) {
  FG_ASSIGN_OR_RETURN(size_t index, FindAnswered(answer, MediaKind::kAudio));
  const SdpMedia& m = answer.media[index];
  FG_ASSIGN_OR_RETURN(std::string address, AnsweredAddress(answer, m, MediaKind::kAudio));
  std::vector<RtpFormat> formats = RtpFormats(m);
  // The answerer lists formats by its preference: the first of ours wins. A G.711 codec we did
  // not offer is still one we can run, so it is taken rather than dropping the call.
  auto ours = [&](const RtpFormat& f) {
    return std::any_of(local.codecs.begin(), local.codecs.end(),
                       [&](AudioCodec c) { return KindOf(c) == f.kind; });
  };
  auto g711 = [](const RtpFormat& f) {
    return f.kind == FormatKind::kPcmu || f.kind == FormatKind::kPcma;
  };
  auto chosen = std::find_if(formats.begin(), formats.end(), ours);
  if (chosen == formats.end()) chosen = std::find_if(formats.begin(), formats.end(), g711);
  if (chosen == formats.end())
    return MakeError(
        ErrorCode::kInvalidArgument,
        "the far end answered without PCMU or PCMA (answered: " + DescribeStream(answer, m) + ")");
  NegotiatedMedia media;
  media.kind = MediaKind::kAudio;
  media.remote_address = std::move(address);
  media.remote_port = m.port;
  media.codec = chosen->kind == FormatKind::kPcmu ? AudioCodec::kPcmu : AudioCodec::kPcma;
  media.payload_type = chosen->payload_type;
  media.telephone_event_payload_type =
      local.telephone_events ? TelephoneEventPayloadType(formats) : -1;
  media.red_payload_type = RedPayloadType(formats, local);
  media.ptime_ms = PtimeOf(answer, m);
  return media;
}

Result<NegotiatedMedia> ReadT38Answer(const SdpSession& answer, const LocalMedia& local) {
  FG_ASSIGN_OR_RETURN(size_t index, FindAnswered(answer, MediaKind::kT38));
  const SdpMedia& m = answer.media[index];
  FG_ASSIGN_OR_RETURN(std::string address, AnsweredAddress(answer, m, MediaKind::kT38));
  t38_sdp::Agreement agreement = t38_sdp::Agree(local.t38_preferences, m);
  NegotiatedMedia media;
  media.kind = MediaKind::kT38;
  media.remote_address = std::move(address);
  media.remote_port = m.port;
  media.t38 = agreement.in_force;
  media.far_max_datagram = agreement.far_max_datagram;
  return media;
}

}  // namespace

std::string_view ToString(AudioCodec codec) { return codec == AudioCodec::kPcmu ? "PCMU" : "PCMA"; }

std::string_view ToString(MediaKind kind) { return kind == MediaKind::kAudio ? "audio" : "T.38"; }

std::string BuildOffer(const LocalMedia& local, MediaKind kind) {
  SdpSession session = OurSession(local);
  session.media.push_back(kind == MediaKind::kT38
                              ? T38Stream("image", "udptl", local.image_port, local.t38_preferences)
                              : AudioOffer(local));
  return PrintSdp(session);
}

Result<Answer> AnswerOffer(std::string_view offer_sdp, const LocalMedia& local,
                           OfferContext context) {
  FG_ASSIGN_OR_RETURN(SdpSession offer, ParseSdp(offer_sdp));
  std::optional<AudioChoice> audio = ChooseAudio(offer, local);
  std::optional<size_t> t38 = ChooseT38(offer, local);
  if (audio && t38)
    return context == OfferContext::kReinvite ? AnswerT38(offer, *t38, local)
                                              : AnswerAudio(offer, *audio, local);
  if (audio) return AnswerAudio(offer, *audio, local);
  if (t38) return AnswerT38(offer, *t38, local);
  return NothingAcceptable(offer, local);
}

Result<NegotiatedMedia> ReadAnswer(std::string_view answer_sdp, MediaKind offered,
                                   const LocalMedia& local) {
  FG_ASSIGN_OR_RETURN(SdpSession answer, ParseSdp(answer_sdp));
  return offered == MediaKind::kAudio ? ReadAudioAnswer(answer, local)
                                      : ReadT38Answer(answer, local);
}

}  // namespace faxgate
