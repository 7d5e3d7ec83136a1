// SDP (RFC 4566) as faxgate reads and writes it. Offers come from strangers: the parser is
// lenient about what peers really send (CRLF or LF, unknown lines, attributes in any order)
// but bounded (size, line and media counts) and returns an error rather than crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace faxgate {

struct SdpAttribute {
  std::string name;   // "rtpmap", "T38FaxVersion", "sendrecv"
  std::string value;  // text after the first ':' ("" when the attribute has no value)
  bool has_value = false;
  bool operator==(const SdpAttribute& other) const = default;
};

struct SdpMedia {
  std::string type;                  // "audio", "image"
  int port = 0;                      // 0: stream rejected or disabled
  std::string proto;                 // "RTP/AVP", "udptl"
  std::vector<std::string> formats;  // "0", "8", "101" / "t38"
  std::string connection_address;    // this stream's c= line, empty: the session's
  std::vector<SdpAttribute> attributes;
  // The first attribute with this name (case-insensitive), if any.
  const SdpAttribute* Find(std::string_view name) const;
  bool operator==(const SdpMedia& other) const = default;
};

struct SdpSession {
  std::string origin_user = "-";
  uint64_t session_id = 0;
  uint64_t session_version = 0;
  std::string origin_address;
  std::string session_name = "-";
  std::string connection_address;  // session-level c= (IN IP4/IP6 addr)
  std::vector<SdpAttribute> attributes;
  std::vector<SdpMedia> media;
  bool operator==(const SdpSession& other) const = default;
};

constexpr size_t kMaxSdpBytes = 16 * 1024;

// Errors name the line: "SDP line 4: m= port 'x' is not a number". Bounds: kMaxSdpBytes, 1000
// lines, 16 m= lines, 128 a= lines per level, 128 formats per m= line. Lenient where peers are
// sloppy without meaning harm: CRLF or LF, trailing blanks, blank lines, unknown line types,
// a broken o= line (informational only), several c= lines (the first wins), an m= port count
// (checked, then dropped). Strict where we would act on garbage: v=0 first, ports, c= addresses,
// control characters.
Result<SdpSession> ParseSdp(std::string_view text);
// v=0, o=, s=, c=, t=0 0, then each m= with its c= and a= lines; CRLF line ends.
std::string PrintSdp(const SdpSession& session);

}  // namespace faxgate
