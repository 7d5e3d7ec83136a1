#include "sip/sdp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace faxgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The Vega's T.38 answer from interop/alwishariff_Analysis_1_vega.pcap, as sent (CRLF).
constexpr char kVegaT38Answer[] =
    "v=0\r\n"
    "o=Vega 26655 26657 IN IP4 192.168.3.15\r\n"
    "s=Sip Call\r\n"
    "c=IN IP4 192.168.3.15\r\n"
    "t=0 0\r\n"
    "m=image 10340 udptl t38\r\n"
    "a=T38FaxVersion:0\r\n"
    "a=T38MaxBitRate:14400\r\n"
    "a=T38FaxFillBitRemoval:0\r\n"
    "a=T38FaxTranscodingMMR:0\r\n"
    "a=T38FaxTranscodingJBIG:0\r\n"
    "a=T38FaxRateManagement:localTCF\r\n"
    "a=T38FaxMaxBuffer:200\r\n"
    "a=T38FaxMaxDatagram:200\r\n"
    "a=T38FaxUdpEC:t38UDPRedundancy\r\n";

// The FB-1 capture's caller offer: G.711 plus a T.38 capability (RFC 5939), LF only here.
constexpr char kFb1AudioOffer[] =
    "v=0\n"
    "o=- 191 1228500736 IN IP4 138.132.169.101\n"
    "s=IMSS\n"
    "c=IN IP4 138.132.169.101\n"
    "t=0 0\n"
    "m=audio 15580 RTP/AVP 8 103 102\n"
    "a=rtpmap:103 G726-32/8000\n"
    "a=ptime:30\n"
    "a=rtpmap:102 telephone-event/8000/1\n"
    "a=fmtp:102 0-15\n"
    "a=sqn:0\n"
    "a=cdsc:1 image udptl t38\n";

std::string ErrorOf(std::string_view text) {
  auto parsed = ParseSdp(text);
  if (parsed.ok()) return "parsed";
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  return parsed.error().message;
}

TEST(SdpTest, ReadsTheVegaAnswerWithCrlf) {
  auto sdp = ParseSdp(kVegaT38Answer);
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  EXPECT_EQ(sdp->origin_user, "Vega");
  EXPECT_EQ(sdp->session_id, 26655u);
  EXPECT_EQ(sdp->session_version, 26657u);
  EXPECT_EQ(sdp->origin_address, "192.168.3.15");
  EXPECT_EQ(sdp->session_name, "Sip Call");
  EXPECT_EQ(sdp->connection_address, "192.168.3.15");
  ASSERT_EQ(sdp->media.size(), 1u);
  const SdpMedia& image = sdp->media[0];
  EXPECT_EQ(image.type, "image");
  EXPECT_EQ(image.port, 10340);
  EXPECT_EQ(image.proto, "udptl");
  EXPECT_THAT(image.formats, ElementsAre("t38"));
  EXPECT_EQ(image.connection_address, "");
  ASSERT_EQ(image.attributes.size(), 9u);
  EXPECT_EQ(image.attributes[2], (SdpAttribute{"T38FaxFillBitRemoval", "0", true}));
}

TEST(SdpTest, ReadsLfOnlyAndKeepsAttributesInOrder) {
  auto sdp = ParseSdp(kFb1AudioOffer);
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  ASSERT_EQ(sdp->media.size(), 1u);
  EXPECT_THAT(sdp->media[0].formats, ElementsAre("8", "103", "102"));
  ASSERT_EQ(sdp->media[0].attributes.size(), 6u);
  EXPECT_EQ(sdp->media[0].attributes[5], (SdpAttribute{"cdsc", "1 image udptl t38", true}));
}

TEST(SdpTest, AttributesWithAndWithoutValue) {
  auto sdp = ParseSdp("v=0\nm=audio 4000 RTP/AVP 0\na=sendrecv\na=ptime:\na=fmtp:101 0-15\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  EXPECT_THAT(sdp->media[0].attributes,
              ElementsAre(SdpAttribute{"sendrecv", "", false}, SdpAttribute{"ptime", "", true},
                          SdpAttribute{"fmtp", "101 0-15", true}));
}

TEST(SdpTest, FindIgnoresCase) {
  auto sdp = ParseSdp(kVegaT38Answer);
  ASSERT_TRUE(sdp.ok());
  const SdpAttribute* version = sdp->media[0].Find("t38faxversion");
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->value, "0");
  EXPECT_EQ(sdp->media[0].Find("rtpmap"), nullptr);
}

TEST(SdpTest, SessionAttributesStayAtSessionLevel) {
  auto sdp = ParseSdp("v=0\na=sendonly\nm=audio 4000 RTP/AVP 0\na=ptime:20\n");
  ASSERT_TRUE(sdp.ok());
  EXPECT_THAT(sdp->attributes, ElementsAre(SdpAttribute{"sendonly", "", false}));
  EXPECT_THAT(sdp->media[0].attributes, ElementsAre(SdpAttribute{"ptime", "20", true}));
}

TEST(SdpTest, MediaConnectionOverridesSessionConnection) {
  auto sdp = ParseSdp(
      "v=0\nc=IN IP4 10.0.0.1\nm=audio 4000 RTP/AVP 0\nc=IN IP4 10.0.0.2\n"
      "m=image 4002 udptl t38\n");
  ASSERT_TRUE(sdp.ok());
  EXPECT_EQ(sdp->connection_address, "10.0.0.1");
  EXPECT_EQ(sdp->media[0].connection_address, "10.0.0.2");
  EXPECT_EQ(sdp->media[1].connection_address, "");
}

TEST(SdpTest, ReadsIpv6AndHostNames) {
  auto sdp =
      ParseSdp("v=0\nc=IN IP6 2001:db8::1\nm=audio 4000 RTP/AVP 0\nc=IN IP4 sbc.example.com\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  EXPECT_EQ(sdp->connection_address, "2001:db8::1");
  EXPECT_EQ(sdp->media[0].connection_address, "sbc.example.com");
}

TEST(SdpTest, FirstConnectionLineWinsAndMulticastSuffixIsDropped) {
  auto sdp = ParseSdp("v=0\nc=IN IP4 224.2.1.1/127/3\nc=IN IP4 10.0.0.9\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  EXPECT_EQ(sdp->connection_address, "224.2.1.1");
}

TEST(SdpTest, PortCountIsCheckedThenDropped) {
  auto sdp = ParseSdp("v=0\nm=audio 49170/2 RTP/AVP 0\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  EXPECT_EQ(sdp->media[0].port, 49170);
  EXPECT_EQ(ErrorOf("v=0\nm=audio 49170/x RTP/AVP 0\n"),
            "SDP line 2: m= port count 'x' is not a number");
  EXPECT_EQ(ErrorOf("v=0\nm=audio 49170/ RTP/AVP 0\n"),
            "SDP line 2: m= port count '' is not a number");
}

TEST(SdpTest, IgnoresUnknownLinesBlankLinesAndTrailingBlanks) {
  auto sdp = ParseSdp(
      "v=0\r\ni=info\r\nb=AS:64\r\nx=new thing\r\n\r\nm=audio 4000 RTP/AVP 0  \r\n"
      "a=sendrecv \r\n\r\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  EXPECT_THAT(sdp->media[0].formats, ElementsAre("0"));
  EXPECT_THAT(sdp->media[0].attributes, ElementsAre(SdpAttribute{"sendrecv", "", false}));
}

TEST(SdpTest, SloppyOriginReadsAsDefaults) {
  // From the FB-1 capture: an H.248 gateway's "o=- 0 0 IN IP4 -".
  auto sdp = ParseSdp("v=0\no=- x 0 IN IP4 -\ns=\nm=image 0 UDPTL t38\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  EXPECT_EQ(sdp->origin_user, "-");
  EXPECT_EQ(sdp->session_id, 0u);
  EXPECT_EQ(sdp->origin_address, "-");
  EXPECT_EQ(sdp->session_name, "-");
  EXPECT_EQ(sdp->media[0].proto, "UDPTL");
}

TEST(SdpTest, ErrorsNameTheLine) {
  EXPECT_EQ(ErrorOf("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nm=audio x RTP/AVP 0\n"),
            "SDP line 4: m= port 'x' is not a number");
  EXPECT_EQ(ErrorOf("v=0\r\nm=audio 65536 RTP/AVP 0\r\n"),
            "SDP line 2: m= port '65536' is out of range (0-65535)");
  EXPECT_EQ(ErrorOf("v=0\nm=audio -1 RTP/AVP 0\n"), "SDP line 2: m= port '-1' is not a number");
  EXPECT_EQ(ErrorOf("v=0\nm=audio 4000\n"),
            "SDP line 2: m= 'audio 4000' needs media, port and protocol");
  EXPECT_EQ(ErrorOf("v=0\nc=IN IP4 $\n"),
            "SDP line 2: c= address '$' is not an IP address or host name");
  EXPECT_EQ(ErrorOf("v=0\nc=IN IPX 1.2.3.4\n"),
            "SDP line 2: c= address type 'IPX' is not IP4 or IP6");
  EXPECT_EQ(ErrorOf("v=0\nc=ATM NSAP 47.00\n"), "SDP line 2: c= network type 'ATM' is not IN");
  EXPECT_EQ(ErrorOf("v=0\nc=IN IP4\n"),
            "SDP line 2: c= 'IN IP4' needs network type, address type and address");
  EXPECT_EQ(ErrorOf("v=0\nthis is not sdp\n"),
            "SDP line 2: 'this is not sdp' is not a <type>=<value> line");
  EXPECT_EQ(ErrorOf("v=0\na=x\x01y\n"), "SDP line 2: contains a control character");
  EXPECT_EQ(ErrorOf("v=0\na=x\ry\n"), "SDP line 2: contains a control character");
}

TEST(SdpTest, VersionLineComesFirst) {
  EXPECT_EQ(ErrorOf(""), "SDP is empty");
  EXPECT_EQ(ErrorOf("\r\n\r\n"), "SDP is empty");
  EXPECT_EQ(ErrorOf("o=- 1 1 IN IP4 1.2.3.4\nv=0\n"),
            "SDP line 1: expected v=0, found 'o=- 1 1 IN IP4 1.2.3.4'");
  EXPECT_EQ(ErrorOf("v=1\n"), "SDP line 1: SDP version '1' is not 0");
  EXPECT_EQ(ErrorOf("\nv=0\nm=audio 1 RTP/AVP 0\n"), "parsed");
}

TEST(SdpTest, BoundsAreErrors) {
  std::string big = "v=0\n" + std::string(kMaxSdpBytes, 'a');
  EXPECT_THAT(ErrorOf(big), HasSubstr("bytes, more than the 16384 accepted"));

  std::string many_lines = "v=0\n";
  for (int i = 0; i < 1000; ++i) many_lines += "\n";
  EXPECT_EQ(ErrorOf(many_lines), "SDP has more than 1000 lines");

  std::string many_media = "v=0\n";
  for (int i = 0; i < 17; ++i) many_media += "m=audio 0 RTP/AVP 0\n";
  EXPECT_EQ(ErrorOf(many_media), "SDP line 18: more than 16 m= lines");

  std::string many_attributes = "v=0\nm=audio 0 RTP/AVP 0\n";
  for (int i = 0; i < 129; ++i) many_attributes += "a=x\n";
  EXPECT_EQ(ErrorOf(many_attributes), "SDP line 131: more than 128 a= lines for one m= line");

  std::string many_formats = "v=0\nm=audio 0 RTP/AVP";
  for (int i = 0; i < 129; ++i) many_formats += " 0";
  EXPECT_EQ(ErrorOf(many_formats), "SDP line 2: m= has more than 128 formats");
}

TEST(SdpTest, ErrorQuotesAreShortAndPrintable) {
  std::string message = ErrorOf("v=0\nm=audio " + std::string(100, '9') + "\xff RTP/AVP 0\n");
  EXPECT_EQ(message, "SDP line 2: m= port '" + std::string(40, '9') + "...' is not a number");
}

TEST(SdpTest, PrintsTheSessionInOrderWithCrlf) {
  SdpSession s;
  s.origin_user = "faxgate";
  s.session_id = 7;
  s.session_version = 8;
  s.origin_address = "203.0.113.5";
  s.session_name = "faxgate";
  s.connection_address = "203.0.113.5";
  SdpMedia audio{.type = "audio", .port = 0, .proto = "RTP/AVP", .formats = {"0"}};
  SdpMedia image{.type = "image",
                 .port = 4002,
                 .proto = "udptl",
                 .formats = {"t38"},
                 .connection_address = "2001:db8::7",
                 .attributes = {{"T38FaxVersion", "0", true}, {"T38FaxFillBitRemoval", "", false}}};
  s.media = {audio, image};
  EXPECT_EQ(PrintSdp(s),
            "v=0\r\n"
            "o=faxgate 7 8 IN IP4 203.0.113.5\r\n"
            "s=faxgate\r\n"
            "c=IN IP4 203.0.113.5\r\n"
            "t=0 0\r\n"
            "m=audio 0 RTP/AVP 0\r\n"
            "m=image 4002 udptl t38\r\n"
            "c=IN IP6 2001:db8::7\r\n"
            "a=T38FaxVersion:0\r\n"
            "a=T38FaxFillBitRemoval\r\n");
}

TEST(SdpTest, PrintsIpv6OriginAndNoSessionConnectionWhenUnset) {
  SdpSession s;
  s.origin_address = "2001:db8::1";
  EXPECT_EQ(PrintSdp(s), "v=0\r\no=- 0 0 IN IP6 2001:db8::1\r\ns=-\r\nt=0 0\r\n");
}

TEST(SdpTest, PrintedSdpParsesBackToTheSameSession) {
  for (const char* text : {kVegaT38Answer, kFb1AudioOffer}) {
    auto first = ParseSdp(text);
    ASSERT_TRUE(first.ok());
    auto second = ParseSdp(PrintSdp(*first));
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(*first, *second);
  }
}

}  // namespace
}  // namespace faxgate
