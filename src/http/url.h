// URL pieces the HTTP server and client need: percent-coding, query strings, host:port and
// the base URL the command line talks to. Everything here parses text from strangers, so every
// function returns an error value instead of trusting its input (fuzz/http_url_fuzz.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace faxgate::http {

// Query parameters in the order they were sent; a repeated key appears once per occurrence.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Decodes %XX escapes. With plus_as_space, '+' becomes ' ' (HTML forms' query strings).
// A '%' not followed by two hex digits is an error naming the text.
Result<std::string> PercentDecode(std::string_view text, bool plus_as_space = false);

// Escapes every byte except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), so the
// result is safe as a path segment or a query key or value.
std::string PercentEncode(std::string_view text);

// "a=1&b=x%20y&a=2&flag" -> {a,1} {b,"x y"} {a,2} {flag,""}. Empty pieces ("a=1&&b=2") are
// skipped; '+' means space.
Result<QueryParams> ParseQuery(std::string_view query);

// Builds "a=1&b=x%20y" from pairs (the inverse of ParseQuery).
std::string BuildQuery(const QueryParams& params);

// A request target split at the first '?': "/a/b?x=1" -> {"/a/b", "x=1"}.
struct Target {
  std::string_view path;
  std::string_view query;
};
Target SplitTarget(std::string_view target);

struct HostPort {
  std::string host;  // without IPv6 brackets: "::1"
  uint16_t port = 0;
};

// "127.0.0.1:8080", "localhost:8080", "[::1]:8080", ":8080" (all interfaces). The port is
// required and may be 0 (any free port, for tests).
Result<HostPort> ParseHostPort(std::string_view text);

// How the command line reaches the server: "http://127.0.0.1:8080" or, behind a reverse proxy,
// "https://fax.example.com/faxgate".
struct BaseUrl {
  std::string scheme;       // "http" or "https"
  std::string host;         // without IPv6 brackets
  uint16_t port = 0;        // 80 / 443 when the URL names none
  std::string path_prefix;  // "" or "/faxgate" (never ends with '/')

  // The URL as a user would type it, for messages: "http://127.0.0.1:8080".
  std::string ToString() const;
};
Result<BaseUrl> ParseBaseUrl(std::string_view url);

}  // namespace faxgate::http
