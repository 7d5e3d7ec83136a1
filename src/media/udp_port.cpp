// UDP ports for RTP and UDPTL: a port allocator over the configured range and non-blocking
// POSIX sockets that a media worker drains once per tick.
#include "media/udp_port.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace faxgate {
namespace {

// Large enough for a few hundred milliseconds of every stream on a busy port when a tick is
// late, small enough not to matter per call. The kernel caps it at net.core.rmem_max anyway.
constexpr int kSocketBufferBytes = 256 * 1024;
// DSCP EF (46) in the upper six bits: routers that honour it queue media ahead of bulk data.
constexpr int kTosExpeditedForwarding = 0xB8;
// The largest UDP payload; anything an RTP or UDPTL peer sends fits.
constexpr size_t kMaxDatagram = 65535;

std::string ErrnoText(int error) { return std::strerror(error); }

int FirstEven(int first) { return first % 2 == 0 ? first : first + 1; }

// Media sockets are tuned best effort: a refused option costs quality under load, not the call.
void TuneForMedia(int fd, int family) {
  int size = kSocketBufferBytes;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
  int tos = kTosExpeditedForwarding;
  if (family == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
  } else {
    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
  }
}

void SetPort(UdpEndpoint& endpoint, int port) {
  if (endpoint.address.ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&endpoint.address)->sin6_port =
        htons(static_cast<uint16_t>(port));
  } else {
    reinterpret_cast<sockaddr_in*>(&endpoint.address)->sin_port =
        htons(static_cast<uint16_t>(port));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// UdpPortRange

UdpPortRange::UdpPortRange(int first, int last)
    : first_(FirstEven(std::max(first, 0))),
      last_(std::min(last, 65535)),
      next_(first_),
      used_(static_cast<size_t>(std::max(last_ - first_ + 1, 0)), false) {}

// Round robin from where the last search stopped, so a port just closed is the last to be
// reused: late packets of a finished call must not land in the next call on that port.
int UdpPortRange::Acquire() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (first_ > last_) return -1;
  for (int tried = 0; tried <= last_ - first_; tried += 2) {
    int port = next_;
    next_ = next_ + 2 > last_ ? first_ : next_ + 2;
    size_t slot = static_cast<size_t>(port - first_);
    if (!used_[slot]) {
      used_[slot] = true;
      return port;
    }
  }
  return -1;
}

void UdpPortRange::Release(int port) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Ignore ports this range never handed out, so a double close cannot corrupt the bookkeeping.
  if (port < first_ || port > last_ || (port - first_) % 2 != 0) return;
  used_[static_cast<size_t>(port - first_)] = false;
}

// ---------------------------------------------------------------------------------------------
// UdpEndpoint

Result<UdpEndpoint> UdpEndpoint::Parse(const std::string& host, int port) {
  if (port < 0 || port > 65535) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "UDP port " + std::to_string(port) + " is outside 0-65535");
  }
  // SIP and URIs write IPv6 addresses in brackets; SDP does not. Accept both.
  std::string bare = host;
  if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  UdpEndpoint endpoint;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&endpoint.address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&endpoint.address);
  if (inet_pton(AF_INET, bare.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    endpoint.length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, bare.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    endpoint.length = sizeof(sockaddr_in6);
  } else {
    return MakeError(ErrorCode::kInvalidArgument,
                     "'" + host + "' is not a numeric IPv4 or IPv6 address");
  }
  SetPort(endpoint, port);
  return endpoint;
}

int UdpEndpoint::port() const {
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  }
  return 0;
}

std::string UdpEndpoint::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, text,
              sizeof(text));
    return "[" + std::string(text) + "]:" + std::to_string(port());
  }
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text,
              sizeof(text));
    return std::string(text) + ":" + std::to_string(port());
  }
  return "(no address)";
}

// Family, address and port; an IPv6 scope id too, since fe80::1 on two links are two peers.
bool UdpEndpoint::operator==(const UdpEndpoint& other) const {
  if (address.ss_family != other.address.ss_family) return false;
  if (address.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&address);
    const auto* b = reinterpret_cast<const sockaddr_in*>(&other.address);
    return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
  }
  if (address.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&address);
    const auto* b = reinterpret_cast<const sockaddr_in6*>(&other.address);
    return a->sin6_port == b->sin6_port && a->sin6_scope_id == b->sin6_scope_id &&
           std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
  }
  return true;  // two empty endpoints
}

// ---------------------------------------------------------------------------------------------
// UdpPort

Result<std::unique_ptr<UdpPort>> UdpPort::Open(const std::string& local_address,
                                               std::shared_ptr<UdpPortRange> range) {
  FG_ASSIGN_OR_RETURN(UdpEndpoint local, UdpEndpoint::Parse(local_address, 0));
  const int family = local.address.ss_family;
  // Ports bound by other programs are skipped but held until the search ends, so the range
  // cannot hand the same busy port back within one search.
  std::vector<int> busy;
  auto release_busy = [&] {
    for (int port : busy) range->Release(port);
  };
  for (;;) {
    int port = range->Acquire();
    if (port < 0) {
      release_busy();
      return MakeError(ErrorCode::kUnavailable,
                       "no free UDP port for media on " + local_address +
                           ": every port of the configured range is in use");
    }
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) {
      int error = errno;
      range->Release(port);
      release_busy();
      return MakeError(ErrorCode::kUnavailable, "cannot create a UDP socket: " + ErrnoText(error));
    }
    SetPort(local, port);
    if (bind(fd, reinterpret_cast<const sockaddr*>(&local.address), local.length) == 0) {
      release_busy();
      TuneForMedia(fd, family);
      return std::unique_ptr<UdpPort>(new UdpPort(fd, port, std::move(range)));
    }
    int error = errno;
    close(fd);
    if (error == EADDRINUSE) {
      busy.push_back(port);
      continue;
    }
    // Any other failure (address not on this host, no permission) is the same for every port.
    range->Release(port);
    release_busy();
    return MakeError(ErrorCode::kUnavailable, "cannot bind UDP port " + std::to_string(port) +
                                                  " on " + local_address + ": " + ErrnoText(error));
  }
}

UdpPort::UdpPort(int fd, int port, std::shared_ptr<UdpPortRange> range)
    : fd_(fd), port_(port), range_(std::move(range)), buffer_(kMaxDatagram) {}

UdpPort::~UdpPort() {
  close(fd_);
  range_->Release(port_);
}

int UdpPort::Drain(
    const std::function<void(std::span<const uint8_t>, const UdpEndpoint&)>& on_datagram, int max) {
  int count = 0;
  while (count < max) {
    UdpEndpoint from;
    from.length = sizeof(from.address);
    ssize_t n = recvfrom(fd_, buffer_.data(), buffer_.size(), MSG_DONTWAIT,
                         reinterpret_cast<sockaddr*>(&from.address), &from.length);
    if (n < 0) {
      if (errno == EINTR) continue;
      // EAGAIN: nothing more waiting. Anything else (an ICMP error queued on the socket) is
      // consumed by this call; the next tick tries again.
      break;
    }
    ++count;
    on_datagram(std::span<const uint8_t>(buffer_.data(), static_cast<size_t>(n)), from);
  }
  return count;
}

void UdpPort::SendTo(std::span<const uint8_t> datagram, const UdpEndpoint& to) {
  ssize_t n = sendto(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT,
                     reinterpret_cast<const sockaddr*>(&to.address), to.length);
  if (n < 0) ++send_errors_;
}

}  // namespace faxgate
