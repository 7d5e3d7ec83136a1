#include <gtest/gtest.h>

#include "base/config.h"

namespace faxgate {
namespace {

TEST(TelephonyConfigTest, TrunksSipAndMediaAreRead) {
  auto c = ParseConfig(R"(
[sip]
listen = "127.0.0.1:5070"
public_address = "203.0.113.5"
[media]
ports = "30000-30099"
jitter_ms = 80
impair_loss = 0.01
impair_jitter_ms = 40
[[trunk]]
name = "carrier-a"
proxy = "sip.example.com:5060"
register = true
user = "faxuser"
password = "s3cret"
codecs = ["pcmu"]
t38_reinvite = "both"
outbound = ["86*", "1*"]
priority = 10
dids = ["8001", "80*"]
[[trunk]]
proxy = "10.0.0.2"
t38 = false
audio_redundancy = 0
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->sip.listen, "127.0.0.1:5070");
  EXPECT_EQ(c->sip.public_address, "203.0.113.5");
  EXPECT_EQ(c->media.first_port, 30000);
  EXPECT_EQ(c->media.last_port, 30099);
  EXPECT_EQ(c->media.jitter_ms, 80);
  EXPECT_DOUBLE_EQ(c->media.impair_loss, 0.01);
  ASSERT_EQ(c->trunks.size(), 2u);
  EXPECT_EQ(c->trunks[0].name, "carrier-a");
  EXPECT_TRUE(c->trunks[0].do_register);
  EXPECT_EQ(c->trunks[0].codecs, std::vector<std::string>{"PCMU"});
  EXPECT_EQ(c->trunks[0].t38_reinvite, "both");
  EXPECT_EQ(c->trunks[0].priority, 10);
  EXPECT_EQ(c->trunks[1].name, "trunk2");
  EXPECT_FALSE(c->trunks[1].t38);
  EXPECT_EQ(c->trunks[0].audio_redundancy, 2);  // RFC 2198 when the peer agrees, by default
  EXPECT_EQ(c->trunks[1].audio_redundancy, 0);
  EXPECT_EQ(c->trunks[1].outbound, std::vector<std::string>{"*"});
  // Real trunks switch the demo's loopback trunk off.
  EXPECT_FALSE(c->loopback.enabled);
}

TEST(TelephonyConfigTest, LoopbackStaysWhenAskedFor) {
  auto c = ParseConfig("[loopback]\nenabled = true\n[[trunk]]\nproxy = \"127.0.0.1:5080\"\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->loopback.enabled);
}

TEST(TelephonyConfigTest, MistakesAreNamedWithTheirKey) {
  auto missing = ParseConfig("[[trunk]]\nname = \"a\"\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "faxgate.toml: trunk[0].proxy is missing: name the host[:port] calls go to");
  auto codec = ParseConfig("[[trunk]]\nproxy = \"h\"\ncodecs = [\"G729\"]\n");
  ASSERT_FALSE(codec.ok());
  EXPECT_EQ(codec.error().message,
            "faxgate.toml: trunk[0].codecs has 'G729'; faxgate speaks PCMA and PCMU");
  auto transport = ParseConfig("[[trunk]]\nproxy = \"h\"\ntransport = \"sctp\"\n");
  ASSERT_FALSE(transport.ok());
  EXPECT_EQ(transport.error().message,
            "faxgate.toml: trunk[0].transport is 'sctp'; use one of \"tcp\", \"tls\", \"udp\"");
  auto typo = ParseConfig("[[trunk]]\nproxy = \"h\"\nchanels = 3\n");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().message, "faxgate.toml: unknown key 'trunk[0].chanels'");
  auto ports = ParseConfig("[media]\nports = \"20000\"\n");
  ASSERT_FALSE(ports.ok());
  EXPECT_NE(ports.error().message.find("media.ports is '20000'"), std::string::npos);
  auto twice =
      ParseConfig("[[trunk]]\nname=\"a\"\nproxy=\"h\"\n[[trunk]]\nname=\"a\"\nproxy=\"g\"\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().message, "faxgate.toml: trunk[1].name 'a' is used by another trunk");
  auto redundancy = ParseConfig("[[trunk]]\nproxy = \"h\"\naudio_redundancy = 9\n");
  ASSERT_FALSE(redundancy.ok());
  EXPECT_NE(redundancy.error().message.find("trunk[0].audio_redundancy"), std::string::npos);
  auto pattern = ParseConfig("[[trunk]]\nproxy = \"h\"\noutbound = [\"8*6\"]\n");
  ASSERT_FALSE(pattern.ok());
}

TEST(TelephonyConfigTest, NumberPatterns) {
  EXPECT_TRUE(NumberPatternMatches("*", "8001"));
  EXPECT_TRUE(NumberPatternMatches("80*", "8001"));
  EXPECT_FALSE(NumberPatternMatches("81*", "8001"));
  EXPECT_TRUE(NumberPatternMatches("8001", "8001"));
  EXPECT_FALSE(NumberPatternMatches("8001", "80011"));
}

}  // namespace
}  // namespace faxgate
