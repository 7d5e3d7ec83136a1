#include "sip/sdp.h"

#include <optional>
#include <string>

#include "sip/sdp_text.h"

namespace faxgate {
namespace {

using sdp_text::EqualsIgnoreCase;
using sdp_text::IsBlank;
using sdp_text::ParseDecimal;
using sdp_text::ParseInt;
using sdp_text::Quote;
using sdp_text::SplitWords;

// Bounds on what a stranger's SDP may make us hold. Real fax offers have 5-30 lines, one or two
// media and under 15 attributes per media.
constexpr size_t kMaxSdpLines = 1000;
constexpr size_t kMaxMedia = 16;
constexpr size_t kMaxAttributes = 128;  // per media, and at session level
constexpr size_t kMaxFormats = 128;     // per m= line

Error SdpError(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

Error LineError(int line, std::string message) {
  return SdpError("SDP line " + std::to_string(line) + ": " + std::move(message));
}

bool HasControlCharacter(std::string_view line) {
  for (char c : line) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) return true;
  }
  return false;
}

// RFC 4566 allows a host name as well as an IPv4 or IPv6 literal in c=; anything else (the
// Megaco wildcard '$', quotes, ...) cannot be sent to.
bool IsAddressOrHostName(std::string_view address) {
  if (address.empty() || address.size() > 255) return false;
  for (char c : address) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == '-' || c == ':';
    if (!ok) return false;
  }
  return true;
}

bool IsIp6(std::string_view address) { return address.find(':') != std::string_view::npos; }

std::string AddressType(std::string_view address) { return IsIp6(address) ? "IP6" : "IP4"; }

// Reads one SDP body line by line. Session-level lines go to the session until the first m=;
// after that c= and a= belong to the latest media.
class SdpReader {
 public:
  Result<SdpSession> Read(std::string_view text);

 private:
  Status ReadLine(int number, char type, std::string_view value);
  Status ReadOrigin(std::string_view value);
  Status ReadConnection(int number, std::string_view value, std::string& address);
  Status ReadMedia(int number, std::string_view value);
  Status ReadAttribute(int number, std::string_view value);

  SdpSession session_;
};

Result<SdpSession> SdpReader::Read(std::string_view text) {
  if (text.size() > kMaxSdpBytes)
    return SdpError("SDP is " + std::to_string(text.size()) + " bytes, more than the " +
                    std::to_string(kMaxSdpBytes) + " accepted");
  bool seen_version = false;
  int number = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (++number > static_cast<int>(kMaxSdpLines))
      return SdpError("SDP has more than " + std::to_string(kMaxSdpLines) + " lines");
    // CRLF or bare LF; trailing blanks are a common sloppiness, not a meaning.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && IsBlank(line.back())) line.remove_suffix(1);
    if (line.empty()) continue;
    if (HasControlCharacter(line)) return LineError(number, "contains a control character");
    if (line.size() < 2 || line[1] != '=')
      return LineError(number, Quote(line) + " is not a <type>=<value> line");
    std::string_view value = line.substr(2);
    if (!seen_version) {
      if (line[0] != 'v') return LineError(number, "expected v=0, found " + Quote(line));
      if (value != "0") return LineError(number, "SDP version " + Quote(value) + " is not 0");
      seen_version = true;
      continue;
    }
    FG_RETURN_IF_ERROR(ReadLine(number, line[0], value));
  }
  if (!seen_version) return SdpError("SDP is empty");
  return std::move(session_);
}

Status SdpReader::ReadLine(int number, char type, std::string_view value) {
  switch (type) {
    case 'o':
      return ReadOrigin(value);
    case 's':
      session_.session_name = value.empty() ? "-" : std::string(value);
      return Status::Ok();
    case 'c':
      return ReadConnection(number, value,
                            session_.media.empty() ? session_.connection_address
                                                   : session_.media.back().connection_address);
    case 'm':
      return ReadMedia(number, value);
    case 'a':
      return ReadAttribute(number, value);
    default:
      // v= again, i=, u=, e=, p=, b=, t=, r=, z=, k= and anything newer: nothing we act on.
      return Status::Ok();
  }
}

// o=<username> <sess-id> <sess-version> IN IP4 <address>. Only informational to us (we never
// answer with the peer's origin), so a sloppy o= line does not cost the call: fields that are
// missing or not numbers read as defaults.
Status SdpReader::ReadOrigin(std::string_view value) {
  auto words = SplitWords(value);
  if (words.size() >= 1) session_.origin_user = std::string(words[0]);
  if (words.size() >= 2) session_.session_id = ParseDecimal(words[1], UINT64_MAX).value_or(0);
  if (words.size() >= 3) session_.session_version = ParseDecimal(words[2], UINT64_MAX).value_or(0);
  if (words.size() >= 6) session_.origin_address = std::string(words[5]);
  return Status::Ok();
}

// c=IN IP4 <address>[/<ttl>[/<count>]] (the suffixes are multicast only). The first c= of a
// level wins, as senders of several list the one to use first.
Status SdpReader::ReadConnection(int number, std::string_view value, std::string& address) {
  auto words = SplitWords(value);
  if (words.size() < 3)
    return LineError(number,
                     "c= " + Quote(value) + " needs network type, address type and address");
  if (!EqualsIgnoreCase(words[0], "IN"))
    return LineError(number, "c= network type " + Quote(words[0]) + " is not IN");
  if (!EqualsIgnoreCase(words[1], "IP4") && !EqualsIgnoreCase(words[1], "IP6"))
    return LineError(number, "c= address type " + Quote(words[1]) + " is not IP4 or IP6");
  std::string_view host = words[2].substr(0, words[2].find('/'));
  if (!IsAddressOrHostName(host))
    return LineError(number,
                     "c= address " + Quote(words[2]) + " is not an IP address or host name");
  if (address.empty()) address = std::string(host);
  return Status::Ok();
}

// m=<media> <port>[/<count>] <proto> <fmt> ...
Status SdpReader::ReadMedia(int number, std::string_view value) {
  if (session_.media.size() >= kMaxMedia)
    return LineError(number, "more than " + std::to_string(kMaxMedia) + " m= lines");
  auto words = SplitWords(value);
  if (words.size() < 3)
    return LineError(number, "m= " + Quote(value) + " needs media, port and protocol");
  if (words.size() - 3 > kMaxFormats)
    return LineError(number, "m= has more than " + std::to_string(kMaxFormats) + " formats");
  std::string_view port_text = words[1];
  std::optional<std::string_view> count_text;
  if (size_t slash = port_text.find('/'); slash != std::string_view::npos) {
    count_text = port_text.substr(slash + 1);
    port_text = port_text.substr(0, slash);
  }
  auto port = ParseDecimal(port_text, UINT64_MAX);
  if (!port) return LineError(number, "m= port " + Quote(port_text) + " is not a number");
  if (*port > 65535)
    return LineError(number, "m= port " + Quote(port_text) + " is out of range (0-65535)");
  // The port count (RTP/RTCP pairs for layered encodings) means nothing to a fax call; it is
  // checked so that garbage is not silently taken for a count, then dropped.
  if (count_text) {
    auto count = ParseInt(*count_text, 65535);
    if (!count || *count == 0)
      return LineError(number, "m= port count " + Quote(*count_text) + " is not a number");
  }
  SdpMedia media;
  media.type = std::string(words[0]);
  media.port = static_cast<int>(*port);
  media.proto = std::string(words[2]);
  for (size_t i = 3; i < words.size(); ++i) media.formats.emplace_back(words[i]);
  session_.media.push_back(std::move(media));
  return Status::Ok();
}

// a=<name> or a=<name>:<value>. The value is kept as written (after the first ':').
Status SdpReader::ReadAttribute(int number, std::string_view value) {
  auto& attributes =
      session_.media.empty() ? session_.attributes : session_.media.back().attributes;
  size_t colon = value.find(':');
  SdpAttribute attribute;
  attribute.name = std::string(value.substr(0, colon));
  if (attribute.name.empty()) return Status::Ok();  // "a=" or "a=:x": nothing to name
  if (colon != std::string_view::npos) {
    attribute.value = std::string(value.substr(colon + 1));
    attribute.has_value = true;
  }
  if (attributes.size() >= kMaxAttributes)
    return LineError(number, "more than " + std::to_string(kMaxAttributes) + " a= lines for " +
                                 (session_.media.empty() ? "the session" : "one m= line"));
  attributes.push_back(std::move(attribute));
  return Status::Ok();
}

void PrintConnection(std::string& out, const std::string& address) {
  if (address.empty()) return;
  out += "c=IN " + AddressType(address) + " " + address + "\r\n";
}

void PrintAttributes(std::string& out, const std::vector<SdpAttribute>& attributes) {
  for (const SdpAttribute& a : attributes) {
    out += "a=" + a.name;
    if (a.has_value) out += ":" + a.value;
    out += "\r\n";
  }
}

}  // namespace

const SdpAttribute* SdpMedia::Find(std::string_view name) const {
  for (const SdpAttribute& a : attributes)
    if (EqualsIgnoreCase(a.name, name)) return &a;
  return nullptr;
}

Result<SdpSession> ParseSdp(std::string_view text) { return SdpReader().Read(text); }

std::string PrintSdp(const SdpSession& session) {
  std::string out = "v=0\r\n";
  out += "o=" + (session.origin_user.empty() ? std::string("-") : session.origin_user) + " " +
         std::to_string(session.session_id) + " " + std::to_string(session.session_version) +
         " IN " + AddressType(session.origin_address);
  if (!session.origin_address.empty()) out += " " + session.origin_address;
  out += "\r\n";
  out += "s=" + (session.session_name.empty() ? std::string("-") : session.session_name) + "\r\n";
  PrintConnection(out, session.connection_address);
  out += "t=0 0\r\n";
  PrintAttributes(out, session.attributes);
  for (const SdpMedia& m : session.media) {
    out += "m=" + m.type + " " + std::to_string(m.port) + " " + m.proto;
    for (const std::string& format : m.formats) out += " " + format;
    out += "\r\n";
    PrintConnection(out, m.connection_address);
    PrintAttributes(out, m.attributes);
  }
  return out;
}

}  // namespace faxgate
