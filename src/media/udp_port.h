// A UDP socket for one call's RTP or UDPTL stream. Non-blocking: a media worker drains every
// waiting datagram once per tick, so no per-packet wake-up is needed. Ports come from the
// configured range, even numbers first (RTP convention), and go back when the port is closed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include <netinet/in.h>

#include "base/result.h"

namespace faxgate {

// Thread-safe allocator for [first, last].
class UdpPortRange {
 public:
  UdpPortRange(int first, int last);
  // A free even port, or -1 when all are taken.
  int Acquire();
  void Release(int port);

 private:
  std::mutex mutex_;
  int first_;
  int last_;
  int next_;
  std::vector<bool> used_;
};

// An IPv4/IPv6 address and port.
struct UdpEndpoint {
  sockaddr_storage address{};
  socklen_t length = 0;
  static Result<UdpEndpoint> Parse(const std::string& host, int port);  // numeric host only
  int port() const;
  std::string ToString() const;  // "127.0.0.1:20000"
  bool operator==(const UdpEndpoint& other) const;
};

class UdpPort {
 public:
  // Binds `local_address` (numeric) on a port from `range` (tries until one binds).
  static Result<std::unique_ptr<UdpPort>> Open(const std::string& local_address,
                                               std::shared_ptr<UdpPortRange> range);
  ~UdpPort();
  UdpPort(const UdpPort&) = delete;
  UdpPort& operator=(const UdpPort&) = delete;

  int port() const { return port_; }
  // Calls `on_datagram` for every datagram waiting (at most `max`); returns how many.
  int Drain(const std::function<void(std::span<const uint8_t>, const UdpEndpoint&)>& on_datagram,
            int max = 256);
  // Best effort, like UDP itself: errors are counted, not returned.
  void SendTo(std::span<const uint8_t> datagram, const UdpEndpoint& to);
  uint64_t send_errors() const { return send_errors_; }

 private:
  UdpPort(int fd, int port, std::shared_ptr<UdpPortRange> range);
  int fd_;
  int port_;
  std::shared_ptr<UdpPortRange> range_;
  uint64_t send_errors_ = 0;
  std::vector<uint8_t> buffer_;  // one datagram of any size, reused by every Drain
};

}  // namespace faxgate
