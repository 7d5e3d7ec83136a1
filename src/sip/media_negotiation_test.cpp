#include "sip/media_negotiation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace faxgate {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

LocalMedia Local() {
  LocalMedia local;
  local.address = "203.0.113.5";
  local.audio_port = 40000;
  local.image_port = 40002;
  local.session_id = 42;
  local.session_version = 1;
  return local;
}

// Builds offers and answers the way peers write them, line by line.
class Sdp {
 public:
  explicit Sdp(std::string connection = "198.51.100.7") {
    text_ = "v=0\r\no=peer 1 1 IN IP4 " + connection + "\r\ns=-\r\nc=IN IP4 " + connection +
            "\r\nt=0 0\r\n";
  }
  Sdp& Line(const std::string& line) {
    text_ += line + "\r\n";
    return *this;
  }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

// The SIPp scenarios' initial offer (prototypes/sofia-ua/scen/*.xml).
std::string PcmuOnlyOffer() {
  return Sdp().Line("m=audio 6000 RTP/AVP 0").Line("a=rtpmap:0 PCMU/8000").str();
}

// The SIPp scenarios' T.38 re-INVITE.
std::string SippT38Offer() {
  return Sdp()
      .Line("m=image 6000 udptl t38")
      .Line("a=T38FaxVersion:0")
      .Line("a=T38MaxBitRate:14400")
      .Line("a=T38FaxRateManagement:transferredTCF")
      .Line("a=T38FaxMaxBuffer:200")
      .Line("a=T38FaxMaxDatagram:72")
      .Line("a=T38FaxUdpEC:t38UDPRedundancy")
      .str();
}

SdpMedia ImageWith(std::vector<SdpAttribute> attributes) {
  return SdpMedia{.type = "image",
                  .port = 4000,
                  .proto = "udptl",
                  .formats = {"t38"},
                  .attributes = std::move(attributes)};
}

SdpAttribute Attr(std::string name, std::string value) {
  return {std::move(name), std::move(value), true};
}
SdpAttribute Flag(std::string name) { return {std::move(name), "", false}; }

Answer MustAnswer(const std::string& offer, const LocalMedia& local = Local(),
                  OfferContext context = OfferContext::kInitialInvite) {
  auto answer = AnswerOffer(offer, local, context);
  EXPECT_TRUE(answer.ok()) << answer.error().message;
  return answer.ok() ? *answer : Answer{};
}

std::string RefusalOf(const std::string& offer, const LocalMedia& local = Local()) {
  auto answer = AnswerOffer(offer, local);
  EXPECT_FALSE(answer.ok());
  return answer.ok() ? "answered" : answer.error().message;
}

SdpSession ParsedAnswer(const Answer& answer) {
  auto sdp = ParseSdp(answer.sdp);
  EXPECT_TRUE(sdp.ok()) << answer.sdp;
  return sdp.ok() ? *sdp : SdpSession{};
}

// ---- BuildOffer -------------------------------------------------------------------------------

TEST(BuildOfferTest, AudioOfferListsOurCodecsByPreferenceWithTelephoneEvents) {
  EXPECT_EQ(BuildOffer(Local(), MediaKind::kAudio),
            "v=0\r\n"
            "o=faxgate 42 1 IN IP4 203.0.113.5\r\n"
            "s=faxgate\r\n"
            "c=IN IP4 203.0.113.5\r\n"
            "t=0 0\r\n"
            "m=audio 40000 RTP/AVP 8 0 101\r\n"
            "a=rtpmap:8 PCMA/8000\r\n"
            "a=rtpmap:0 PCMU/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\n"
            "a=fmtp:101 0-15\r\n"
            "a=ptime:20\r\n"
            "a=sendrecv\r\n");
}

TEST(BuildOfferTest, AudioOfferWithoutTelephoneEventsOverIpv6) {
  LocalMedia local = Local();
  local.address = "2001:db8::5";
  local.codecs = {AudioCodec::kPcmu};
  local.telephone_events = false;
  std::string offer = BuildOffer(local, MediaKind::kAudio);
  EXPECT_THAT(offer, HasSubstr("o=faxgate 42 1 IN IP6 2001:db8::5\r\n"));
  EXPECT_THAT(offer, HasSubstr("c=IN IP6 2001:db8::5\r\n"));
  EXPECT_THAT(offer, HasSubstr("m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20"));
  EXPECT_THAT(offer, Not(HasSubstr("telephone-event")));
}

TEST(BuildOfferTest, T38OfferIsOneImageStreamWithBooleansByPresence) {
  LocalMedia local = Local();
  local.t38_preferences.fill_bit_removal = true;
  EXPECT_EQ(BuildOffer(local, MediaKind::kT38),
            "v=0\r\n"
            "o=faxgate 42 1 IN IP4 203.0.113.5\r\n"
            "s=faxgate\r\n"
            "c=IN IP4 203.0.113.5\r\n"
            "t=0 0\r\n"
            "m=image 40002 udptl t38\r\n"
            "a=T38FaxVersion:0\r\n"
            "a=T38MaxBitRate:14400\r\n"
            "a=T38FaxFillBitRemoval\r\n"
            "a=T38FaxRateManagement:transferredTCF\r\n"
            "a=T38FaxMaxBuffer:2000\r\n"
            "a=T38FaxMaxDatagram:400\r\n"
            "a=T38FaxUdpEC:t38UDPRedundancy\r\n");
}

// ---- AnswerOffer: audio -----------------------------------------------------------------------

TEST(AnswerOfferTest, AnswersThePcmuOnlyOfferWithPcmuAlone) {
  Answer answer = MustAnswer(PcmuOnlyOffer());
  EXPECT_EQ(answer.sdp,
            "v=0\r\n"
            "o=faxgate 42 1 IN IP4 203.0.113.5\r\n"
            "s=faxgate\r\n"
            "c=IN IP4 203.0.113.5\r\n"
            "t=0 0\r\n"
            "m=audio 40000 RTP/AVP 0\r\n"
            "a=rtpmap:0 PCMU/8000\r\n"
            "a=ptime:20\r\n"
            "a=sendrecv\r\n");
  EXPECT_EQ(answer.media.kind, MediaKind::kAudio);
  EXPECT_EQ(answer.media.remote_address, "198.51.100.7");
  EXPECT_EQ(answer.media.remote_port, 6000);
  EXPECT_EQ(answer.media.codec, AudioCodec::kPcmu);
  EXPECT_EQ(answer.media.payload_type, 0);
  EXPECT_EQ(answer.media.telephone_event_payload_type, -1);
  EXPECT_EQ(answer.media.ptime_ms, 20);
}

TEST(AnswerOfferTest, OurPreferenceWinsOverTheOfferOrder) {
  // BroadWorks' offer from the Vega capture lists PCMU first; we prefer PCMA.
  std::string offer = Sdp()
                          .Line("m=audio 16834 RTP/AVP 0 8 101")
                          .Line("a=rtpmap:0 PCMU/8000")
                          .Line("a=rtpmap:101 telephone-event/8000")
                          .Line("a=fmtp:101 0-15")
                          .str();
  Answer answer = MustAnswer(offer);
  EXPECT_EQ(answer.media.codec, AudioCodec::kPcma);
  EXPECT_EQ(answer.media.payload_type, 8);
  EXPECT_EQ(answer.media.telephone_event_payload_type, 101);
  EXPECT_THAT(answer.sdp, HasSubstr("m=audio 40000 RTP/AVP 8 101\r\n"
                                    "a=rtpmap:8 PCMA/8000\r\n"
                                    "a=rtpmap:101 telephone-event/8000\r\n"
                                    "a=fmtp:101 0-15\r\n"));

  LocalMedia pcmu_first = Local();
  pcmu_first.codecs = {AudioCodec::kPcmu, AudioCodec::kPcma};
  EXPECT_EQ(MustAnswer(offer, pcmu_first).media.codec, AudioCodec::kPcmu);
}

TEST(AnswerOfferTest, FindsG711ByRtpmapNameAtADynamicNumber) {
  std::string offer = Sdp()
                          .Line("m=audio 5000 RTP/AVP 18 96 97")
                          .Line("a=rtpmap:96 pcma/8000/1")
                          .Line("a=rtpmap:97 Telephone-Event/8000")
                          .str();
  Answer answer = MustAnswer(offer);
  EXPECT_EQ(answer.media.codec, AudioCodec::kPcma);
  EXPECT_EQ(answer.media.payload_type, 96);
  EXPECT_EQ(answer.media.telephone_event_payload_type, 97);
  EXPECT_THAT(answer.sdp, HasSubstr("m=audio 40000 RTP/AVP 96 97\r\na=rtpmap:96 PCMA/8000\r\n"
                                    "a=rtpmap:97 telephone-event/8000\r\na=fmtp:97 0-15\r\n"));
}

TEST(AnswerOfferTest, AnRtpmapOverridesTheStaticMeaning) {
  std::string offer = Sdp().Line("m=audio 5000 RTP/AVP 0 8").Line("a=rtpmap:8 G729/8000").str();
  Answer answer = MustAnswer(offer);
  EXPECT_EQ(answer.media.codec, AudioCodec::kPcmu);
  EXPECT_EQ(answer.media.payload_type, 0);
}

TEST(AnswerOfferTest, NoTelephoneEventsWhenWeDoNotWantThem) {
  LocalMedia local = Local();
  local.telephone_events = false;
  std::string offer =
      Sdp().Line("m=audio 5000 RTP/AVP 8 101").Line("a=rtpmap:101 telephone-event/8000").str();
  Answer answer = MustAnswer(offer, local);
  EXPECT_EQ(answer.media.telephone_event_payload_type, -1);
  EXPECT_THAT(answer.sdp, HasSubstr("m=audio 40000 RTP/AVP 8\r\n"));
}

TEST(AnswerOfferTest, PtimeFollowsTheOfferAtEitherLevel) {
  // The FB-1 capture's gateway asks for 30 ms packets.
  std::string media_level = Sdp().Line("m=audio 5000 RTP/AVP 8").Line("a=ptime:30").str();
  Answer answer = MustAnswer(media_level);
  EXPECT_EQ(answer.media.ptime_ms, 30);
  EXPECT_THAT(answer.sdp, HasSubstr("a=ptime:30\r\n"));

  std::string session_level = Sdp().Line("a=ptime:10").Line("m=audio 5000 RTP/AVP 8").str();
  EXPECT_EQ(MustAnswer(session_level).media.ptime_ms, 10);

  std::string absurd = Sdp().Line("m=audio 5000 RTP/AVP 8").Line("a=ptime:1000").str();
  EXPECT_EQ(MustAnswer(absurd).media.ptime_ms, 20);
}

TEST(AnswerOfferTest, DirectionIsMirrored) {
  auto direction_answered = [](const std::string& offered) {
    std::string offer = Sdp().Line("m=audio 5000 RTP/AVP 8").Line("a=" + offered).str();
    return ParsedAnswer(MustAnswer(offer)).media[0].attributes.back().name;
  };
  EXPECT_EQ(direction_answered("sendrecv"), "sendrecv");
  EXPECT_EQ(direction_answered("sendonly"), "recvonly");
  EXPECT_EQ(direction_answered("recvonly"), "sendonly");
  EXPECT_EQ(direction_answered("inactive"), "inactive");
  EXPECT_EQ(direction_answered("ptime:20"), "sendrecv");
}

TEST(AnswerOfferTest, MediaLevelConnectionIsTheRemoteAddress) {
  std::string offer = "v=0\r\nm=audio 5000 RTP/AVP 8\r\nc=IN IP4 192.0.2.44\r\n";
  Answer answer = MustAnswer(offer);
  EXPECT_EQ(answer.media.remote_address, "192.0.2.44");
}

TEST(AnswerOfferTest, Ipv6PeerGetsItsAddressBack) {
  std::string offer = "v=0\r\nc=IN IP6 2001:db8::99\r\nm=audio 5000 RTP/AVP 0\r\n";
  Answer answer = MustAnswer(offer);
  EXPECT_EQ(answer.media.remote_address, "2001:db8::99");
}

TEST(AnswerOfferTest, OtherStreamsKeepTheirPlaceWithPort0) {
  std::string offer = Sdp()
                          .Line("m=video 7000 RTP/AVP 96")
                          .Line("a=rtpmap:96 H264/90000")
                          .Line("m=audio 5000 RTP/AVP 18 0")
                          .Line("m=audio 5002 RTP/AVP 8")
                          .str();
  Answer answer = MustAnswer(offer);
  SdpSession sdp = ParsedAnswer(answer);
  ASSERT_EQ(sdp.media.size(), 3u);
  EXPECT_EQ(sdp.media[0],
            (SdpMedia{.type = "video", .port = 0, .proto = "RTP/AVP", .formats = {"96"}}));
  EXPECT_EQ(sdp.media[1].port, 40000);
  EXPECT_EQ(sdp.media[2],
            (SdpMedia{.type = "audio", .port = 0, .proto = "RTP/AVP", .formats = {"8"}}));
  EXPECT_EQ(answer.media.remote_port, 5000);
  EXPECT_EQ(answer.media.codec, AudioCodec::kPcmu);
}

TEST(AnswerOfferTest, SkipsSecureAndRefusedAudio) {
  std::string offer = Sdp()
                          .Line("m=audio 0 RTP/AVP 8")
                          .Line("m=audio 5000 RTP/SAVP 8")
                          .Line("m=audio 5002 RTP/AVP 8")
                          .str();
  Answer answer = MustAnswer(offer);
  EXPECT_EQ(answer.media.remote_port, 5002);
  EXPECT_THAT(answer.sdp, HasSubstr("m=audio 0 RTP/AVP 8\r\nm=audio 0 RTP/SAVP 8\r\n"
                                    "m=audio 40000 RTP/AVP 8\r\n"));
}

// ---- AnswerOffer: T.38 ------------------------------------------------------------------------

TEST(AnswerOfferTest, AnswersTheSippT38ReinviteWithOurSizes) {
  Answer answer = MustAnswer(SippT38Offer(), Local(), OfferContext::kReinvite);
  EXPECT_EQ(answer.sdp,
            "v=0\r\n"
            "o=faxgate 42 1 IN IP4 203.0.113.5\r\n"
            "s=faxgate\r\n"
            "c=IN IP4 203.0.113.5\r\n"
            "t=0 0\r\n"
            "m=image 40002 udptl t38\r\n"
            "a=T38FaxVersion:0\r\n"
            "a=T38MaxBitRate:14400\r\n"
            "a=T38FaxRateManagement:transferredTCF\r\n"
            "a=T38FaxMaxBuffer:2000\r\n"
            "a=T38FaxMaxDatagram:400\r\n"
            "a=T38FaxUdpEC:t38UDPRedundancy\r\n");
  EXPECT_EQ(answer.media.kind, MediaKind::kT38);
  EXPECT_EQ(answer.media.remote_address, "198.51.100.7");
  EXPECT_EQ(answer.media.remote_port, 6000);
  EXPECT_EQ(answer.media.far_max_datagram, 72);
  EXPECT_EQ(answer.media.t38.max_datagram, 400);
  EXPECT_EQ(answer.media.t38.error_correction, T38ErrorCorrection::kRedundancy);
}

TEST(AnswerOfferTest, TakesTheLowerVersionAndBitRate) {
  LocalMedia local = Local();
  local.t38_preferences.version = 2;
  std::string offer = Sdp()
                          .Line("m=image 6000 udptl t38")
                          .Line("a=T38FaxVersion:3")
                          .Line("a=T38MaxBitRate:9600")
                          .str();
  Answer answer = MustAnswer(offer, local);
  EXPECT_EQ(answer.media.t38.version, 2);
  EXPECT_EQ(answer.media.t38.max_bit_rate, 9600);
  EXPECT_THAT(answer.sdp, HasSubstr("a=T38FaxVersion:2\r\na=T38MaxBitRate:9600\r\n"));
}

TEST(AnswerOfferTest, AnswersVegaStyleBooleansInKindAndNeverClaimsThem) {
  std::string offer = Sdp("192.168.3.15")
                          .Line("m=image 10340 udptl t38")
                          .Line("a=T38FaxVersion:0")
                          .Line("a=T38MaxBitRate:14400")
                          .Line("a=T38FaxFillBitRemoval:1")
                          .Line("a=T38FaxTranscodingMMR:0")
                          .Line("a=T38FaxTranscodingJBIG:0")
                          .Line("a=T38FaxRateManagement:localTCF")
                          .Line("a=T38FaxMaxBuffer:200")
                          .Line("a=T38FaxMaxDatagram:200")
                          .Line("a=T38FaxUdpEC:t38UDPRedundancy")
                          .str();
  Answer answer = MustAnswer(offer);
  EXPECT_THAT(answer.sdp, HasSubstr("a=T38MaxBitRate:14400\r\n"
                                    "a=T38FaxFillBitRemoval:0\r\n"
                                    "a=T38FaxTranscodingMMR:0\r\n"
                                    "a=T38FaxTranscodingJBIG:0\r\n"
                                    "a=T38FaxRateManagement:localTCF\r\n"));
  EXPECT_FALSE(answer.media.t38.transferred_tcf);
  EXPECT_FALSE(answer.media.t38.fill_bit_removal);
  EXPECT_TRUE(answer.media.t38.value_style_booleans);
  EXPECT_EQ(answer.media.far_max_datagram, 200);
}

TEST(AnswerOfferTest, BareImageOfferGetsTheDefaults) {
  // interop/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap: the caller's T.38 re-INVITE has no attributes.
  std::string offer =
      "v=0\r\no=- 191 1228500780 IN IP4 138.132.169.101\r\ns=IMSS\r\n"
      "c=IN IP4 138.132.169.101\r\nt=0 0\r\nm=image 15580 udptl t38\r\n";
  Answer answer = MustAnswer(offer, Local(), OfferContext::kReinvite);
  EXPECT_EQ(answer.media.kind, MediaKind::kT38);
  EXPECT_EQ(answer.media.t38.version, 0);
  EXPECT_EQ(answer.media.t38.max_bit_rate, 14400);
  EXPECT_TRUE(answer.media.t38.transferred_tcf);
  EXPECT_EQ(answer.media.t38.error_correction, T38ErrorCorrection::kRedundancy);
  EXPECT_EQ(answer.media.far_max_datagram, 400);
}

TEST(AnswerOfferTest, EchoesAnUppercaseUdptlProtocol) {
  std::string offer = Sdp().Line("m=image 16756 UDPTL t38").str();
  Answer answer = MustAnswer(offer);
  EXPECT_THAT(answer.sdp, HasSubstr("m=image 40002 UDPTL t38\r\n"));
}

TEST(AnswerOfferTest, ChoosesErrorCorrectionAmongSeveralLines) {
  auto chosen = [](const LocalMedia& local, std::vector<std::string> schemes) {
    Sdp offer;
    offer.Line("m=image 6000 udptl t38");
    for (const std::string& s : schemes) offer.Line("a=T38FaxUdpEC:" + s);
    return MustAnswer(offer.str(), local).media.t38.error_correction;
  };
  LocalMedia local = Local();
  EXPECT_EQ(chosen(local, {"t38UDPFEC", "t38UDPRedundancy"}), T38ErrorCorrection::kRedundancy);
  EXPECT_EQ(chosen(local, {"t38UDPFEC"}), T38ErrorCorrection::kFec);
  EXPECT_EQ(chosen(local, {"t38UDPNoEC"}), T38ErrorCorrection::kNone);
  EXPECT_EQ(chosen(local, {"t38UDPSomethingNew"}), T38ErrorCorrection::kRedundancy);
  local.t38_preferences.error_correction = T38ErrorCorrection::kFec;
  EXPECT_EQ(chosen(local, {"t38UDPRedundancy", "t38UDPFEC"}), T38ErrorCorrection::kFec);
}

TEST(AnswerOfferTest, NoErrorCorrectionIsWrittenOut) {
  std::string offer = Sdp().Line("m=image 6000 udptl t38").Line("a=T38FaxUdpEC:t38UDPNoEC").str();
  EXPECT_THAT(MustAnswer(offer).sdp, HasSubstr("a=T38FaxUdpEC:t38UDPNoEC\r\n"));
}

// ---- AnswerOffer: audio and image in one offer ----------------------------------------------

// A DIDWW SBC's initial INVITE carries both (FreeSWITCH #1297, #1081).
std::string AudioAndImageOffer() {
  return Sdp()
      .Line("m=audio 5000 RTP/AVP 8 101")
      .Line("a=rtpmap:101 telephone-event/8000")
      .Line("m=image 5002 udptl t38")
      .Line("a=T38FaxVersion:0")
      .str();
}

TEST(AnswerOfferTest, InitialInviteWithAudioAndImageStartsInAudio) {
  Answer answer = MustAnswer(AudioAndImageOffer());
  EXPECT_EQ(answer.media.kind, MediaKind::kAudio);
  SdpSession sdp = ParsedAnswer(answer);
  ASSERT_EQ(sdp.media.size(), 2u);
  EXPECT_EQ(sdp.media[0].port, 40000);
  EXPECT_EQ(sdp.media[1],
            (SdpMedia{.type = "image", .port = 0, .proto = "udptl", .formats = {"t38"}}));
}

TEST(AnswerOfferTest, ReinviteWithAudioAndImageSwitchesToT38) {
  Answer answer = MustAnswer(AudioAndImageOffer(), Local(), OfferContext::kReinvite);
  EXPECT_EQ(answer.media.kind, MediaKind::kT38);
  EXPECT_EQ(answer.media.remote_port, 5002);
  SdpSession sdp = ParsedAnswer(answer);
  ASSERT_EQ(sdp.media.size(), 2u);
  EXPECT_EQ(sdp.media[0].port, 0);
  EXPECT_EQ(sdp.media[1].port, 40002);
}

TEST(AnswerOfferTest, ImageReplacingAudioAtIndex0) {
  // The usual T.38 re-INVITE shape (pitfall 8): the refused audio stays at index 1.
  std::string offer = Sdp().Line("m=image 5002 udptl t38").Line("m=audio 0 RTP/AVP 8").str();
  Answer answer = MustAnswer(offer, Local(), OfferContext::kReinvite);
  EXPECT_EQ(answer.media.kind, MediaKind::kT38);
  EXPECT_THAT(answer.sdp, HasSubstr("m=audio 0 RTP/AVP 8\r\n"));
}

TEST(AnswerOfferTest, ImageWithPort0LeavesAudio) {
  std::string offer = Sdp().Line("m=audio 5000 RTP/AVP 8").Line("m=image 0 udptl t38").str();
  EXPECT_EQ(MustAnswer(offer, Local(), OfferContext::kReinvite).media.kind, MediaKind::kAudio);
}

TEST(AnswerOfferTest, T38OnlyOfferWhenWeAllowIt) {
  std::string offer = Sdp().Line("m=audio 5000 RTP/AVP 18").Line("m=image 5002 udptl t38").str();
  EXPECT_EQ(MustAnswer(offer).media.kind, MediaKind::kT38);
}

// ---- AnswerOffer: refusals --------------------------------------------------------------------

TEST(AnswerOfferTest, RefusalSaysWhatWasOffered) {
  std::string g729 =
      Sdp().Line("m=audio 5000 RTP/AVP 18 9 101").Line("a=rtpmap:101 telephone-event/8000").str();
  EXPECT_EQ(RefusalOf(g729),
            "the offer has no PCMU/PCMA audio and no T.38 stream we accept (offered: audio G729, "
            "G722)");

  std::string rejected_image =
      Sdp().Line("m=audio 5000 RTP/AVP 96").Line("m=image 0 udptl t38").str();
  EXPECT_EQ(RefusalOf(rejected_image),
            "the offer has no PCMU/PCMA audio and no T.38 stream we accept (offered: audio payload "
            "96; image with port 0)");

  EXPECT_EQ(RefusalOf("v=0\r\n"),
            "the offer has no PCMU/PCMA audio and no T.38 stream we accept (offered: no m= lines)");

  std::string relayed = Sdp().Line("m=image 5002 RTP/AVP t38").str();
  EXPECT_EQ(RefusalOf(relayed),
            "the offer has no PCMU/PCMA audio and no T.38 stream we accept (offered: image over "
            "RTP/AVP)");
}

TEST(AnswerOfferTest, T38TurnedOffRefusesAnImageOnlyOffer) {
  LocalMedia local = Local();
  local.t38 = false;
  local.codecs = {AudioCodec::kPcma};
  EXPECT_EQ(RefusalOf(SippT38Offer(), local),
            "the offer has no PCMA audio, and T.38 is turned off here (offered: image T.38)");
}

TEST(AnswerOfferTest, StreamWithoutAddressIsNotUsable) {
  EXPECT_EQ(RefusalOf("v=0\r\nm=audio 5000 RTP/AVP 0\r\n"),
            "the offer has no PCMU/PCMA audio and no T.38 stream we accept (offered: audio PCMU "
            "without a c= address)");
}

TEST(AnswerOfferTest, MalformedOfferIsAnError) {
  EXPECT_EQ(RefusalOf("v=0\r\nm=audio x RTP/AVP 0\r\n"), "SDP line 2: m= port 'x' is not a number");
}

// ---- ReadAnswer -------------------------------------------------------------------------------

TEST(ReadAnswerTest, ReadsAnAudioAnswer) {
  std::string answer = Sdp("192.0.2.10")
                           .Line("m=audio 7078 RTP/AVP 8 101")
                           .Line("a=rtpmap:8 PCMA/8000")
                           .Line("a=rtpmap:101 telephone-event/8000")
                           .Line("a=ptime:30")
                           .str();
  auto media = ReadAnswer(answer, MediaKind::kAudio, Local());
  ASSERT_TRUE(media.ok()) << media.error().message;
  EXPECT_EQ(media->kind, MediaKind::kAudio);
  EXPECT_EQ(media->remote_address, "192.0.2.10");
  EXPECT_EQ(media->remote_port, 7078);
  EXPECT_EQ(media->codec, AudioCodec::kPcma);
  EXPECT_EQ(media->payload_type, 8);
  EXPECT_EQ(media->telephone_event_payload_type, 101);
  EXPECT_EQ(media->ptime_ms, 30);
}

TEST(ReadAnswerTest, TakesTheAnswerersFirstG711) {
  // The prototype's invalid "0 8 101" answer (reference 3.3) still reads as PCMU.
  std::string answer = Sdp().Line("m=audio 7078 RTP/AVP 0 8 101").str();
  auto media = ReadAnswer(answer, MediaKind::kAudio, Local());
  ASSERT_TRUE(media.ok()) << media.error().message;
  EXPECT_EQ(media->codec, AudioCodec::kPcmu);
  EXPECT_EQ(media->telephone_event_payload_type, -1);

  // A G.711 codec we did not offer is still one we can run.
  LocalMedia pcma_only = Local();
  pcma_only.codecs = {AudioCodec::kPcma};
  std::string pcmu = Sdp().Line("m=audio 7078 RTP/AVP 0").str();
  auto lenient = ReadAnswer(pcmu, MediaKind::kAudio, pcma_only);
  ASSERT_TRUE(lenient.ok());
  EXPECT_EQ(lenient->codec, AudioCodec::kPcmu);
}

TEST(ReadAnswerTest, RefusedStreamsAreErrors) {
  auto error_of = [](const std::string& answer, MediaKind kind) {
    auto media = ReadAnswer(answer, kind, Local());
    return media.ok() ? std::string("read") : media.error().message;
  };
  EXPECT_EQ(error_of(Sdp().Line("m=image 0 udptl t38").str(), MediaKind::kT38),
            "the far end refused T.38: its answer has m=image udptl with port 0");
  EXPECT_EQ(error_of(Sdp().Line("m=audio 7000 RTP/AVP 8").str(), MediaKind::kT38),
            "the far end refused T.38: its answer has no m=image udptl line");
  EXPECT_EQ(error_of(Sdp().Line("m=audio 0 RTP/AVP 8").str(), MediaKind::kAudio),
            "the far end refused audio: its answer has m=audio RTP/AVP with port 0");
  EXPECT_EQ(error_of(Sdp().Line("m=audio 7000 RTP/AVP 18").str(), MediaKind::kAudio),
            "the far end answered without PCMU or PCMA (answered: audio G729)");
  EXPECT_EQ(error_of("v=0\r\nm=audio 7000 RTP/AVP 8\r\n", MediaKind::kAudio),
            "the far end's audio answer has no c= address");
}

TEST(ReadAnswerTest, TakesTheVegasLocalTcfAnswer) {
  // Vega's answer to BroadWorks' transferredTCF offer (interop/alwishariff_Analysis_1_vega.pcap).
  std::string answer = Sdp("192.168.3.15")
                           .Line("m=image 10340 udptl t38")
                           .Line("a=T38FaxVersion:0")
                           .Line("a=T38MaxBitRate:14400")
                           .Line("a=T38FaxFillBitRemoval:0")
                           .Line("a=T38FaxTranscodingMMR:0")
                           .Line("a=T38FaxTranscodingJBIG:0")
                           .Line("a=T38FaxRateManagement:localTCF")
                           .Line("a=T38FaxMaxBuffer:200")
                           .Line("a=T38FaxMaxDatagram:200")
                           .Line("a=T38FaxUdpEC:t38UDPRedundancy")
                           .str();
  auto media = ReadAnswer(answer, MediaKind::kT38, Local());
  ASSERT_TRUE(media.ok()) << media.error().message;
  EXPECT_EQ(media->kind, MediaKind::kT38);
  EXPECT_EQ(media->remote_address, "192.168.3.15");
  EXPECT_EQ(media->remote_port, 10340);
  EXPECT_FALSE(media->t38.transferred_tcf);
  EXPECT_FALSE(media->t38.fill_bit_removal);
  EXPECT_EQ(media->t38.max_datagram, 400);  // ours
  EXPECT_EQ(media->t38.max_buffer, 2000);   // ours
  EXPECT_EQ(media->far_max_datagram, 200);
}

TEST(ReadAnswerTest, OurOfferAnsweredByOurselvesAgrees) {
  LocalMedia caller = Local();
  caller.t38_preferences.version = 3;
  caller.t38_preferences.error_correction = T38ErrorCorrection::kFec;
  LocalMedia callee = Local();
  callee.address = "198.51.100.20";
  callee.t38_preferences.max_bit_rate = 9600;
  callee.t38_preferences.max_datagram = 1440;
  callee.codecs = {AudioCodec::kPcmu};

  for (MediaKind kind : {MediaKind::kAudio, MediaKind::kT38}) {
    SCOPED_TRACE(std::string(ToString(kind)));
    Answer answer = MustAnswer(BuildOffer(caller, kind), callee, OfferContext::kReinvite);
    EXPECT_EQ(answer.media.kind, kind);
    auto read = ReadAnswer(answer.sdp, kind, caller);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read->remote_address, "198.51.100.20");
    EXPECT_EQ(read->codec, answer.media.codec);
    EXPECT_EQ(read->payload_type, answer.media.payload_type);
    EXPECT_EQ(read->telephone_event_payload_type, answer.media.telephone_event_payload_type);
    if (kind == MediaKind::kT38) {
      EXPECT_EQ(read->t38.version, 0);  // the callee's
      EXPECT_EQ(read->t38.max_bit_rate, 9600);
      EXPECT_EQ(read->t38.error_correction, T38ErrorCorrection::kFec);
      EXPECT_EQ(read->far_max_datagram, 1400);  // the callee's 1440, clamped
      EXPECT_EQ(answer.media.far_max_datagram, 400);
    }
  }
}

// ---- RFC 2198 redundant audio ------------------------------------------------------------

TEST(RedundantAudioTest, OfferedForTheFirstCodecWhenAsked) {
  LocalMedia local = Local();
  local.audio_redundancy = 2;
  std::string offer = BuildOffer(local, MediaKind::kAudio);
  EXPECT_THAT(offer, HasSubstr("m=audio 40000 RTP/AVP 8 0 101 100\r\n"));
  EXPECT_THAT(offer, HasSubstr("a=rtpmap:100 red/8000\r\na=fmtp:100 8/8/8\r\n"));
  EXPECT_THAT(BuildOffer(Local(), MediaKind::kAudio), Not(HasSubstr("red")));
}

TEST(RedundantAudioTest, AnsweredAtThePeersNumberForTheChosenCodec) {
  LocalMedia local = Local();
  local.audio_redundancy = 1;
  std::string offer = Sdp()
                          .Line("m=audio 6000 RTP/AVP 0 96")
                          .Line("a=rtpmap:96 RED/8000")
                          .Line("a=fmtp:96 0/0")
                          .str();
  Answer answer = MustAnswer(offer, local);
  EXPECT_EQ(answer.media.red_payload_type, 96);
  EXPECT_THAT(answer.sdp, HasSubstr("m=audio 40000 RTP/AVP 0 96\r\n"));
  EXPECT_THAT(answer.sdp, HasSubstr("a=rtpmap:96 red/8000\r\na=fmtp:96 0/0\r\n"));
}

TEST(RedundantAudioTest, NotTakenWhenTurnedOffHere) {
  std::string offer = Sdp().Line("m=audio 6000 RTP/AVP 0 96").Line("a=rtpmap:96 red/8000").str();
  Answer answer = MustAnswer(offer, Local());
  EXPECT_EQ(answer.media.red_payload_type, -1);
  EXPECT_THAT(answer.sdp, Not(HasSubstr("red")));
}

TEST(RedundantAudioTest, RedAloneIsNotACodec) {
  LocalMedia local = Local();
  local.audio_redundancy = 2;
  std::string refusal =
      RefusalOf(Sdp().Line("m=audio 6000 RTP/AVP 96").Line("a=rtpmap:96 red/8000").str(), local);
  EXPECT_THAT(refusal, HasSubstr("audio without a codec"));
}

TEST(RedundantAudioTest, TwoFaxgatesAgreeOnIt) {
  LocalMedia caller = Local();
  caller.audio_redundancy = 2;
  LocalMedia callee = Local();
  callee.audio_redundancy = 3;
  callee.codecs = {AudioCodec::kPcmu};
  Answer answer = MustAnswer(BuildOffer(caller, MediaKind::kAudio), callee);
  EXPECT_EQ(answer.media.red_payload_type, 100);
  EXPECT_EQ(answer.media.payload_type, 0);
  auto read = ReadAnswer(answer.sdp, MediaKind::kAudio, caller);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->red_payload_type, 100);
  EXPECT_EQ(read->payload_type, 0);
  // A peer that answers without it gets plain G.711.
  auto plain = ReadAnswer(MustAnswer(BuildOffer(caller, MediaKind::kAudio), Local()).sdp,
                          MediaKind::kAudio, caller);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->red_payload_type, -1);
}

// ---- ParseT38Attributes -----------------------------------------------------------------------

TEST(ParseT38AttributesTest, NoAttributesGiveTheDefaults) {
  EXPECT_EQ(ParseT38Attributes(ImageWith({})), T38Description{});
}

TEST(ParseT38AttributesTest, NamesAreCaseInsensitiveAndAliasesCount) {
  T38Description d = ParseT38Attributes(ImageWith({
      Attr("t38faxversion", "1"),
      Attr("T38FaxMaxRate", "9600"),
      Attr("T38MAXDATAGRAM", " 176 "),
      Attr("T38FaxMaxBuffer", "262"),
      Attr("t38faxratemanagement", "LOCALTCF"),
  }));
  EXPECT_EQ(d.version, 1);
  EXPECT_EQ(d.max_bit_rate, 9600);
  EXPECT_EQ(d.max_datagram, 176);
  EXPECT_EQ(d.max_buffer, 262);
  EXPECT_FALSE(d.transferred_tcf);
}

TEST(ParseT38AttributesTest, BooleansByPresenceOrByValue) {
  T38Description presence =
      ParseT38Attributes(ImageWith({Flag("T38FaxFillBitRemoval"), Flag("T38FaxTranscodingMMR")}));
  EXPECT_TRUE(presence.fill_bit_removal);
  EXPECT_TRUE(presence.transcoding_mmr);
  EXPECT_FALSE(presence.transcoding_jbig);
  EXPECT_FALSE(presence.value_style_booleans);

  // Asterisk reads `:0` as true; the standard and we read it as false.
  T38Description value = ParseT38Attributes(
      ImageWith({Attr("T38FaxFillBitRemoval", "0"), Attr("T38FaxTranscodingMMR", "1"),
                 Attr("T38FaxTranscodingJBIG", "false")}));
  EXPECT_FALSE(value.fill_bit_removal);
  EXPECT_TRUE(value.transcoding_mmr);
  EXPECT_FALSE(value.transcoding_jbig);
  EXPECT_TRUE(value.value_style_booleans);
}

TEST(ParseT38AttributesTest, SeveralErrorCorrectionLinesPreferRedundancy) {
  EXPECT_EQ(ParseT38Attributes(ImageWith({Attr("T38FaxUdpEC", "t38UDPFEC"),
                                          Attr("T38FaxUdpEC", "t38UDPRedundancy")}))
                .error_correction,
            T38ErrorCorrection::kRedundancy);
  EXPECT_EQ(ParseT38Attributes(ImageWith({Attr("t38faxudpec", "T38UDPFEC")})).error_correction,
            T38ErrorCorrection::kFec);
}

TEST(ParseT38AttributesTest, GarbageNumbersKeepTheDefaults) {
  T38Description d = ParseT38Attributes(
      ImageWith({Attr("T38FaxVersion", "-1"), Attr("T38MaxBitRate", "fast"),
                 Attr("T38FaxMaxDatagram", "99999999999"), Attr("T38FaxMaxBuffer", "")}));
  EXPECT_EQ(d, T38Description{});
}

TEST(ParseT38AttributesTest, FarMaxDatagramIsBounded) {
  auto far = [](const std::string& datagram) {
    std::string offer =
        Sdp().Line("m=image 6000 udptl t38").Line("a=T38FaxMaxDatagram:" + datagram).str();
    return MustAnswer(offer).media.far_max_datagram;
  };
  EXPECT_EQ(far("0"), 400);
  EXPECT_EQ(far("176"), 176);
  EXPECT_EQ(far("1400"), 1400);
  EXPECT_EQ(far("1440"), 1400);
}

}  // namespace
}  // namespace faxgate
