#include "http/url.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "http/text.h"

namespace faxgate::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Messages quote what the user sent, but never more than a line of it.
std::string Quote(std::string_view text) {
  constexpr size_t kMax = 80;
  // fmt rather than "literal" + std::string: g++ 12 -O3 warns falsely (-Wrestrict) on the latter.
  if (text.size() <= kMax) return fmt::format("\"{}\"", text);
  return fmt::format("\"{}...\"", text.substr(0, kMax));
}

Result<uint16_t> ParsePort(std::string_view digits, std::string_view whole) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      value > 65535) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad port in " + Quote(whole) + ": expected a number from 0 to 65535");
  }
  return static_cast<uint16_t>(value);
}

// Host names and IPv4 literals; IPv6 literals are checked after their brackets are removed.
bool IsHostChar(char c, bool ipv6) {
  unsigned char u = static_cast<unsigned char>(c);
  if (ipv6) return std::isalnum(u) || c == ':' || c == '.' || c == '%';  // zone: %eth0
  return std::isalnum(u) || c == '-' || c == '.' || c == '_';
}

Result<std::string> ParseHost(std::string_view host, std::string_view whole) {
  bool ipv6 = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (ipv6) host = host.substr(1, host.size() - 2);
  if (!ipv6 && host.find(':') != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "bad address " + Quote(whole) +
                                                      ": write IPv6 addresses in brackets, "
                                                      "like [::1]:8080");
  }
  for (char c : host) {
    if (!IsHostChar(c, ipv6)) {
      return MakeError(ErrorCode::kInvalidArgument, "bad host name in " + Quote(whole));
    }
  }
  return std::string(host);
}

// Splits "host:port" / "[v6]:port" at the port colon; npos when there is none.
size_t PortColon(std::string_view authority) {
  size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return colon;
  size_t bracket = authority.rfind(']');
  if (bracket != std::string_view::npos && bracket > colon) return std::string_view::npos;
  if (authority.front() != '[' && authority.find(':') != colon) return std::string_view::npos;
  return colon;
}

}  // namespace

Result<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else if (c != '%') {
      out.push_back(c);
    } else if (i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      return MakeError(ErrorCode::kInvalidArgument, "bad percent escape in " + Quote(text) +
                                                        ": '%' must be followed by two "
                                                        "hex digits");
    }
  }
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (IsUnreserved(u)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

Result<QueryParams> ParseQuery(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    FG_ASSIGN_OR_RETURN(std::string key, PercentDecode(piece.substr(0, eq), true));
    std::string value;
    if (eq != std::string_view::npos) {
      FG_ASSIGN_OR_RETURN(value, PercentDecode(piece.substr(eq + 1), true));
    }
    params.emplace_back(std::move(key), std::move(value));
  }
  return params;
}

std::string BuildQuery(const QueryParams& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += PercentEncode(key);
    out.push_back('=');
    out += PercentEncode(value);
  }
  return out;
}

Target SplitTarget(std::string_view target) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

Result<HostPort> ParseHostPort(std::string_view text) {
  size_t colon = text.empty() ? std::string_view::npos : PortColon(text);
  if (colon == std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad address " + Quote(text) + ": expected host:port, like 127.0.0.1:8080");
  }
  HostPort result;
  FG_ASSIGN_OR_RETURN(result.port, ParsePort(text.substr(colon + 1), text));
  FG_ASSIGN_OR_RETURN(result.host, ParseHost(text.substr(0, colon), text));
  // ":8080" means every interface, as in most servers' listen settings.
  if (result.host.empty()) result.host = "0.0.0.0";
  return result;
}

std::string BaseUrl::ToString() const {
  std::string host_text = host.find(':') == std::string::npos ? host : "[" + host + "]";
  return scheme + "://" + host_text + ":" + std::to_string(port) + path_prefix;
}

Result<BaseUrl> ParseBaseUrl(std::string_view url) {
  BaseUrl result;
  std::string_view rest = url;
  size_t sep = url.find("://");
  // A bare "127.0.0.1:8080" is what people type after --server; take it as http.
  result.scheme = sep == std::string_view::npos ? "http" : ToLower(url.substr(0, sep));
  if (sep != std::string_view::npos) rest = url.substr(sep + 3);
  if (result.scheme != "http" && result.scheme != "https") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad server URL " + Quote(url) + ": expected http:// or https://");
  }
  size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad server URL " + Quote(url) + ": put credentials in a token, not the URL");
  }
  if (path.find_first_of("?#") != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad server URL " + Quote(url) + ": it may have a path but no query");
  }
  size_t colon = authority.empty() ? std::string_view::npos : PortColon(authority);
  result.port = result.scheme == "https" ? 443 : 80;
  if (colon != std::string_view::npos) {
    FG_ASSIGN_OR_RETURN(result.port, ParsePort(authority.substr(colon + 1), url));
  }
  FG_ASSIGN_OR_RETURN(result.host, ParseHost(authority.substr(0, colon), url));
  if (result.host.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "bad server URL " + Quote(url) + ": no host");
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  result.path_prefix = std::string(path);
  return result;
}

}  // namespace faxgate::http
