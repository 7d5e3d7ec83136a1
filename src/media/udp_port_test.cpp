#include "media/udp_port.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace faxgate {
namespace {

// A range of ports the kernel is unlikely to hand out as ephemeral ports meanwhile. Each test
// uses its own slice so that tests do not depend on each other's sockets being closed.
constexpr int kBase = 41000;

std::vector<uint8_t> Bytes(const std::string& text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

UdpEndpoint Loopback(int port) { return *UdpEndpoint::Parse("127.0.0.1", port); }

// Drains until `want` datagrams arrived or nothing came for a while (bounded, no timing asserts).
struct Received {
  std::string data;
  UdpEndpoint from;
};
std::vector<Received> DrainAll(UdpPort& port, size_t want) {
  std::vector<Received> got;
  for (int round = 0; round < 1000 && got.size() < want; ++round) {
    port.Drain([&](std::span<const uint8_t> datagram, const UdpEndpoint& from) {
      got.push_back(Received{std::string(datagram.begin(), datagram.end()), from});
    });
    if (got.size() < want) std::this_thread::yield();
  }
  return got;
}

TEST(UdpEndpointTest, ParsesIpv4) {
  auto endpoint = UdpEndpoint::Parse("127.0.0.1", 20000);
  ASSERT_TRUE(endpoint.ok()) << endpoint.error().message;
  EXPECT_EQ(endpoint->port(), 20000);
  EXPECT_EQ(endpoint->ToString(), "127.0.0.1:20000");
  EXPECT_EQ(endpoint->address.ss_family, AF_INET);
  EXPECT_EQ(endpoint->length, sizeof(sockaddr_in));
}

TEST(UdpEndpointTest, ParsesIpv6WithAndWithoutBrackets) {
  auto plain = UdpEndpoint::Parse("2001:db8::1", 5004);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->ToString(), "[2001:db8::1]:5004");
  EXPECT_EQ(plain->length, sizeof(sockaddr_in6));
  auto bracketed = UdpEndpoint::Parse("[2001:db8:0::1]", 5004);
  ASSERT_TRUE(bracketed.ok());
  EXPECT_TRUE(*plain == *bracketed);
}

TEST(UdpEndpointTest, RejectsNamesAndBadPorts) {
  for (const char* host : {"localhost", "", "1.2.3", "256.1.1.1", "1.2.3.4 ", "::g", "[::1"}) {
    auto endpoint = UdpEndpoint::Parse(host, 5004);
    ASSERT_FALSE(endpoint.ok()) << host;
    EXPECT_EQ(endpoint.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(endpoint.error().message.find("numeric"), std::string::npos);
  }
  for (int port : {-1, 65536}) {
    auto endpoint = UdpEndpoint::Parse("127.0.0.1", port);
    ASSERT_FALSE(endpoint.ok()) << port;
    EXPECT_NE(endpoint.error().message.find(std::to_string(port)), std::string::npos);
  }
  EXPECT_TRUE(UdpEndpoint::Parse("0.0.0.0", 0).ok());
  EXPECT_TRUE(UdpEndpoint::Parse("::", 65535).ok());
}

TEST(UdpEndpointTest, Equality) {
  EXPECT_TRUE(Loopback(1000) == Loopback(1000));
  EXPECT_FALSE(Loopback(1000) == Loopback(1001));
  EXPECT_FALSE(Loopback(1000) == *UdpEndpoint::Parse("127.0.0.2", 1000));
  EXPECT_FALSE(Loopback(1000) == *UdpEndpoint::Parse("::ffff:127.0.0.1", 1000));
  EXPECT_TRUE(*UdpEndpoint::Parse("::1", 7) == *UdpEndpoint::Parse("0:0::1", 7));
  EXPECT_TRUE(UdpEndpoint{} == UdpEndpoint{});
  EXPECT_EQ(UdpEndpoint{}.port(), 0);
}

TEST(UdpPortRangeTest, HandsOutEvenPortsRoundRobinUntilExhausted) {
  UdpPortRange range(20001, 20008);  // an odd start moves to the next even port
  EXPECT_EQ(range.Acquire(), 20002);
  EXPECT_EQ(range.Acquire(), 20004);
  EXPECT_EQ(range.Acquire(), 20006);
  EXPECT_EQ(range.Acquire(), 20008);
  EXPECT_EQ(range.Acquire(), -1);
  range.Release(20004);
  EXPECT_EQ(range.Acquire(), 20004);
  EXPECT_EQ(range.Acquire(), -1);
}

TEST(UdpPortRangeTest, ReleasedPortIsReusedLast) {
  UdpPortRange range(20000, 20006);
  EXPECT_EQ(range.Acquire(), 20000);
  range.Release(20000);
  // The search goes on from where it stopped, and wraps around.
  EXPECT_EQ(range.Acquire(), 20002);
  EXPECT_EQ(range.Acquire(), 20004);
  EXPECT_EQ(range.Acquire(), 20006);
  EXPECT_EQ(range.Acquire(), 20000);
}

TEST(UdpPortRangeTest, IgnoresPortsItNeverGaveOut) {
  UdpPortRange range(20000, 20002);
  range.Release(19998);
  range.Release(20001);
  range.Release(30000);
  EXPECT_EQ(range.Acquire(), 20000);
  EXPECT_EQ(range.Acquire(), 20002);
  EXPECT_EQ(range.Acquire(), -1);
}

TEST(UdpPortRangeTest, EmptyRanges) {
  EXPECT_EQ(UdpPortRange(20001, 20001).Acquire(), -1);
  EXPECT_EQ(UdpPortRange(20010, 20000).Acquire(), -1);
  UdpPortRange single(20000, 20000);
  EXPECT_EQ(single.Acquire(), 20000);
  EXPECT_EQ(single.Acquire(), -1);
}

TEST(UdpPortRangeTest, ThreadsNeverGetTheSamePort) {
  auto range = std::make_shared<UdpPortRange>(30000, 30000 + 2 * 400 - 2);
  std::vector<std::vector<int>> got(4);
  std::vector<std::thread> threads;
  for (auto& mine : got) {
    threads.emplace_back([&range, &mine] {
      for (int i = 0; i < 100; ++i) mine.push_back(range->Acquire());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<int> all;
  for (const auto& mine : got) {
    for (int port : mine) {
      EXPECT_NE(port, -1);
      EXPECT_TRUE(all.insert(port).second) << "port " << port << " given twice";
    }
  }
  EXPECT_EQ(all.size(), 400u);
  EXPECT_EQ(range->Acquire(), -1);
}

TEST(UdpPortTest, SendsAndReceivesOverLoopback) {
  auto range = std::make_shared<UdpPortRange>(kBase, kBase + 9);
  auto a = UdpPort::Open("127.0.0.1", range);
  auto b = UdpPort::Open("127.0.0.1", range);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  UdpPort& pa = **a;
  UdpPort& pb = **b;
  EXPECT_NE(pa.port(), pb.port());
  EXPECT_EQ(pa.port() % 2, 0);

  pa.SendTo(Bytes("hello"), Loopback(pb.port()));
  pa.SendTo(Bytes("world"), Loopback(pb.port()));
  std::vector<uint8_t> big(1400, 0x5A);
  pa.SendTo(big, Loopback(pb.port()));
  auto got = DrainAll(pb, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].data, "hello");
  EXPECT_EQ(got[1].data, "world");
  EXPECT_EQ(got[2].data, std::string(1400, 'Z'));
  EXPECT_TRUE(got[0].from == Loopback(pa.port())) << got[0].from.ToString();
  EXPECT_EQ(pa.send_errors(), 0u);

  // And back to where it came from.
  pb.SendTo(Bytes("reply"), got[0].from);
  auto back = DrainAll(pa, 1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].data, "reply");
}

TEST(UdpPortTest, DrainStopsAtMax) {
  auto range = std::make_shared<UdpPortRange>(kBase + 10, kBase + 19);
  auto a = UdpPort::Open("127.0.0.1", range);
  auto b = UdpPort::Open("127.0.0.1", range);
  ASSERT_TRUE(a.ok() && b.ok());
  for (int i = 0; i < 5; ++i) (*a)->SendTo(Bytes(std::to_string(i)), Loopback((*b)->port()));
  std::vector<std::string> got;
  auto collect = [&](std::span<const uint8_t> d, const UdpEndpoint&) {
    got.emplace_back(d.begin(), d.end());
  };
  for (int round = 0; round < 1000 && got.empty(); ++round) (*b)->Drain(collect, 2);
  ASSERT_FALSE(got.empty());
  EXPECT_LE(got.size(), 2u);
  auto rest = DrainAll(**b, 5 - got.size());
  for (const auto& r : rest) got.push_back(r.data);
  EXPECT_EQ(got, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
}

TEST(UdpPortTest, DrainOnAnEmptySocketReturnsZero) {
  auto range = std::make_shared<UdpPortRange>(kBase + 20, kBase + 29);
  auto port = UdpPort::Open("127.0.0.1", range);
  ASSERT_TRUE(port.ok()) << port.error().message;
  int calls = 0;
  EXPECT_EQ((*port)->Drain([&](std::span<const uint8_t>, const UdpEndpoint&) { ++calls; }), 0);
  EXPECT_EQ(calls, 0);
}

TEST(UdpPortTest, RangeExhaustionIsAnError) {
  auto range = std::make_shared<UdpPortRange>(kBase + 30, kBase + 32);
  auto a = UdpPort::Open("127.0.0.1", range);
  auto b = UdpPort::Open("127.0.0.1", range);
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = UdpPort::Open("127.0.0.1", range);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(c.error().message.find("no free UDP port"), std::string::npos) << c.error().message;
}

TEST(UdpPortTest, ClosingReleasesThePortForReuse) {
  auto range = std::make_shared<UdpPortRange>(kBase + 40, kBase + 40);
  int first = -1;
  {
    auto a = UdpPort::Open("127.0.0.1", range);
    ASSERT_TRUE(a.ok()) << a.error().message;
    first = (*a)->port();
    EXPECT_FALSE(UdpPort::Open("127.0.0.1", range).ok());
  }
  auto again = UdpPort::Open("127.0.0.1", range);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ((*again)->port(), first);
}

TEST(UdpPortTest, SkipsPortsBoundByOthersAndGivesThemBack) {
  // Another program holds the first port of the range.
  int other = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(other, 0);
  UdpEndpoint held = Loopback(kBase + 50);
  ASSERT_EQ(bind(other, reinterpret_cast<const sockaddr*>(&held.address), held.length), 0);

  auto range = std::make_shared<UdpPortRange>(kBase + 50, kBase + 52);
  auto port = UdpPort::Open("127.0.0.1", range);
  ASSERT_TRUE(port.ok()) << port.error().message;
  EXPECT_EQ((*port)->port(), kBase + 52);
  // The busy port went back to the range: once free, it can be opened.
  close(other);
  auto next = UdpPort::Open("127.0.0.1", range);
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ((*next)->port(), kBase + 50);
}

TEST(UdpPortTest, AllPortsBusyIsAnError) {
  int other = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(other, 0);
  UdpEndpoint held = Loopback(kBase + 60);
  ASSERT_EQ(bind(other, reinterpret_cast<const sockaddr*>(&held.address), held.length), 0);
  auto range = std::make_shared<UdpPortRange>(kBase + 60, kBase + 60);
  auto port = UdpPort::Open("127.0.0.1", range);
  EXPECT_FALSE(port.ok());
  close(other);
  EXPECT_EQ(range->Acquire(), kBase + 60);  // not leaked by the failed search
}

TEST(UdpPortTest, BadLocalAddressIsAnErrorAndLeaksNoPort) {
  auto range = std::make_shared<UdpPortRange>(kBase + 70, kBase + 70);
  auto name = UdpPort::Open("localhost", range);
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error().code, ErrorCode::kInvalidArgument);
  // 192.0.2.1 (TEST-NET-1) is not an address of this host.
  auto foreign = UdpPort::Open("192.0.2.1", range);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(foreign.error().message.find("192.0.2.1"), std::string::npos);
  EXPECT_EQ(range->Acquire(), kBase + 70);
}

TEST(UdpPortTest, SendErrorsAreCountedNotFatal) {
  auto range = std::make_shared<UdpPortRange>(kBase + 80, kBase + 81);
  auto port = UdpPort::Open("127.0.0.1", range);
  ASSERT_TRUE(port.ok());
  (*port)->SendTo(Bytes("x"), UdpEndpoint{});                  // no address at all
  (*port)->SendTo(Bytes("x"), *UdpEndpoint::Parse("::1", 9));  // wrong family
  EXPECT_EQ((*port)->send_errors(), 2u);
}

TEST(UdpPortTest, Ipv6Loopback) {
  auto range = std::make_shared<UdpPortRange>(kBase + 90, kBase + 99);
  auto a = UdpPort::Open("::1", range);
  if (!a.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << a.error().message;
  auto b = UdpPort::Open("::1", range);
  ASSERT_TRUE(b.ok()) << b.error().message;
  (*a)->SendTo(Bytes("six"), *UdpEndpoint::Parse("::1", (*b)->port()));
  auto got = DrainAll(**b, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, "six");
  EXPECT_EQ(got[0].from.ToString(), "[::1]:" + std::to_string((*a)->port()));
}

}  // namespace
}  // namespace faxgate
