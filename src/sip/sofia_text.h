// Private to the SIP agent: turns what sofia parsed from a stranger's message into plain,
// printable std::string (users, display names, bodies, addresses), and builds the URIs and
// header values the agent sends. Nothing here keeps a pointer into a sofia message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sip/sip_agent.h"
#include "sip/sip_agent_sofia.h"

namespace faxgate::sofia_text {

// Longest user part, display name or address passed to the listener; longer input is cut.
constexpr size_t kMaxFieldBytes = 256;
// Longest body passed on as SDP; a larger one is dropped (an SDP offer is a few hundred bytes).
constexpr size_t kMaxBodyBytes = 64 * 1024;

// Drops control characters (and cuts at kMaxFieldBytes); UTF-8 passes through.
std::string Printable(std::string_view text);
// The user part of a SIP URI, %-escapes decoded; empty when there is none.
std::string UrlUser(const url_t* url);
// The display name without its quotes and backslash escapes.
std::string DisplayName(const char* display);
// The message body when it is SDP (Content-Type application/sdp, or none given).
std::string SdpBody(const sip_t* sip);
// Call-ID header value, or empty.
std::string CallId(const sip_t* sip);
// "ip:port" the message came from (the transport address sofia recorded), else the top Via's
// received/rport, else empty.
std::string SourceAddress(msg_t* msg, const sip_t* sip);
// The IP part of "ip:port" / "[v6]:port".
std::string SourceIp(std::string_view source);

struct HostPort {
  std::string host;  // without IPv6 brackets
  std::string port;  // empty: default
};
// "host", "host:port", "[v6]", "[v6]:port".
HostPort SplitHostPort(std::string_view text);
// Numeric addresses of `host` (itself when already numeric); empty when it does not resolve.
std::vector<std::string> ResolveHost(const std::string& host);

// sip:user@host[:port][;transport=..] for the trunk's transport (sips: for TLS).
std::string TrunkUri(const SipTrunkSettings& trunk, std::string_view user,
                     std::string_view hostport, bool with_transport);
// The host From and To carry for a trunk: its domain, else the proxy host.
std::string TrunkDomain(const SipTrunkSettings& trunk);
// "\"name\" " with quotes and backslashes escaped; empty name: empty.
std::string QuotedDisplay(std::string_view name);
// Keeps only characters allowed unescaped in a SIP URI user part (RFC 3261 user = unreserved /
// escaped / user-unreserved); others are %-escaped.
std::string EscapeUser(std::string_view user);
// Digest credentials for nua_authenticate: Digest:"realm":user:password. `realm` arrives quoted
// from the challenge; a bare realm from the settings gets quotes.
std::string DigestCredentials(std::string_view realm, std::string_view user,
                              std::string_view password);
// The realm parameter of the first WWW-/Proxy-Authenticate challenge (with its quotes).
std::string ChallengeRealm(const sip_t* sip);

}  // namespace faxgate::sofia_text
