#include "sip/sofia_text.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace faxgate::sofia_text {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string NumericHost(const struct sockaddr* address, socklen_t length, std::string* port) {
  char host[NI_MAXHOST] = "";
  char service[NI_MAXSERV] = "";
  if (getnameinfo(address, length, host, sizeof host, service, sizeof service,
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "";
  }
  if (port) *port = service;
  return host;
}

std::string JoinHostPort(const std::string& host, const std::string& port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

}  // namespace

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxFieldBytes));
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) continue;
    if (out.size() == kMaxFieldBytes) break;
    out.push_back(c);
  }
  // A cut must not leave half a UTF-8 sequence behind.
  if (out.size() == kMaxFieldBytes) {
    size_t end = out.size();
    while (end > 0 && (static_cast<unsigned char>(out[end - 1]) & 0xC0) == 0x80) --end;
    if (end > 0 && static_cast<unsigned char>(out[end - 1]) >= 0xC0) out.resize(end - 1);
  }
  return out;
}

std::string UrlUser(const url_t* url) {
  if (!url || !url->url_user) return "";
  return Printable(PercentDecode(url->url_user));
}

std::string DisplayName(const char* display) {
  if (!display) return "";
  std::string_view text(display);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) ++i;
      out.push_back(text[i]);
    }
    return Printable(out);
  }
  return Printable(text);
}

std::string SdpBody(const sip_t* sip) {
  if (!sip || !sip->sip_payload || !sip->sip_payload->pl_data || sip->sip_payload->pl_len == 0) {
    return "";
  }
  if (sip->sip_content_type && sip->sip_content_type->c_type &&
      !EqualsIgnoreCase(sip->sip_content_type->c_type, "application/sdp")) {
    return "";
  }
  if (sip->sip_payload->pl_len > kMaxBodyBytes) return "";
  return std::string(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
}

std::string CallId(const sip_t* sip) {
  if (!sip || !sip->sip_call_id || !sip->sip_call_id->i_id) return "";
  return Printable(sip->sip_call_id->i_id);
}

std::string SourceAddress(msg_t* msg, const sip_t* sip) {
  if (msg) {
    su_addrinfo_t* info = msg_addrinfo(msg);
    if (info && info->ai_addr && info->ai_addrlen > 0 &&
        (info->ai_family == AF_INET || info->ai_family == AF_INET6)) {
      std::string port;
      std::string host =
          NumericHost(info->ai_addr, static_cast<socklen_t>(info->ai_addrlen), &port);
      if (!host.empty()) return JoinHostPort(host, port);
    }
  }
  // The transport address is unknown (should not happen): the top Via says where the peer
  // wants responses, which is where it sent from unless it lies.
  if (sip && sip->sip_via) {
    const sip_via_t* via = sip->sip_via;
    std::string host = Printable(via->v_received ? via->v_received
                                 : via->v_host   ? via->v_host
                                                 : "");
    std::string port = Printable(via->v_rport && *via->v_rport ? via->v_rport
                                 : via->v_port                 ? via->v_port
                                                               : "5060");
    if (!host.empty()) return JoinHostPort(host, port);
  }
  return "";
}

std::string SourceIp(std::string_view source) {
  if (source.empty()) return "";
  if (source.front() == '[') {
    size_t close = source.find(']');
    return std::string(source.substr(1, close == std::string_view::npos ? source.npos : close - 1));
  }
  return std::string(source.substr(0, source.rfind(':')));
}

HostPort SplitHostPort(std::string_view text) {
  HostPort result;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      result.host = std::string(text.substr(1));
      return result;
    }
    result.host = std::string(text.substr(1, close - 1));
    if (close + 1 < text.size() && text[close + 1] == ':') {
      result.port = std::string(text.substr(close + 2));
    }
    return result;
  }
  size_t colon = text.find(':');
  // More than one colon and no brackets: a bare IPv6 address without a port.
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    result.host = std::string(text.substr(0, colon));
    result.port = std::string(text.substr(colon + 1));
  } else {
    result.host = std::string(text);
  }
  return result;
}

std::vector<std::string> ResolveHost(const std::string& host) {
  std::vector<std::string> addresses;
  if (host.empty()) return addresses;
  struct addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  struct addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return addresses;
  for (struct addrinfo* info = found; info; info = info->ai_next) {
    std::string address = NumericHost(info->ai_addr, info->ai_addrlen, nullptr);
    if (!address.empty() &&
        std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
      addresses.push_back(address);
    }
  }
  freeaddrinfo(found);
  return addresses;
}

std::string TrunkUri(const SipTrunkSettings& trunk, std::string_view user,
                     std::string_view hostport, bool with_transport) {
  std::string uri = trunk.transport == SipTransport::kTls ? "sips:" : "sip:";
  if (!user.empty()) uri += EscapeUser(user) + "@";
  uri += hostport;
  if (with_transport && trunk.transport == SipTransport::kTcp) uri += ";transport=tcp";
  if (with_transport && trunk.transport == SipTransport::kTls) uri += ";transport=tls";
  return uri;
}

std::string TrunkDomain(const SipTrunkSettings& trunk) {
  if (!trunk.domain.empty()) return trunk.domain;
  HostPort proxy = SplitHostPort(trunk.proxy);
  if (proxy.host.find(':') != std::string::npos) return "[" + proxy.host + "]";
  return proxy.host;
}

std::string QuotedDisplay(std::string_view name) {
  if (name.empty()) return "";
  std::string out = "\"";
  for (char c : name) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) continue;
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out += "\" ";
  return out;
}

std::string EscapeUser(std::string_view user) {
  static constexpr char kAllowed[] = "-_.!~*'()&=+$,;?/";
  std::string out;
  for (char c : user) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || std::strchr(kAllowed, c)) {
      out.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  return out;
}

std::string DigestCredentials(std::string_view realm, std::string_view user,
                              std::string_view password) {
  std::string quoted(realm);
  if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"') {
    quoted = "\"" + quoted + "\"";
  }
  std::string credentials = "Digest:" + quoted + ":";
  credentials += user;
  credentials += ":";
  credentials += password;
  return credentials;
}

std::string ChallengeRealm(const sip_t* sip) {
  if (!sip) return "";
  const msg_auth_t* challenge =
      sip->sip_www_authenticate ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
  if (!challenge) return "";
  const char* realm = msg_params_find(challenge->au_params, "realm=");
  return realm ? std::string(realm) : "";
}

}  // namespace faxgate::sofia_text
