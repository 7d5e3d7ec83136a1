// What a handler sees of an HTTP request. The server fills it from the wire before a handler
// runs; nothing here refers to Beast, so handlers and their tests build without it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/text.h"
#include "http/url.h"

namespace faxgate::http {

// Header names as received; lookups ignore case (RFC 9110 5.1).
using Headers = std::vector<std::pair<std::string, std::string>>;
using PathParams = std::map<std::string, std::string, std::less<>>;

struct Request {
  std::string method;      // "GET", as sent (methods are case-sensitive)
  std::string target;      // "/api/v1/faxes/42?full=1", as sent
  std::string path;        // "/api/v1/faxes/42", still percent-encoded
  PathParams path_params;  // {"id": "42"}, decoded; set by the Router
  QueryParams query;       // decoded, in order, repeated keys kept
  Headers headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1"
  uint16_t remote_port = 0;

  // First value of a query parameter; nullopt when absent ("?flag" gives "").
  std::optional<std::string> Query(std::string_view name) const;
  // Every value of a repeated query parameter ("?to=1&to=2"), in order.
  std::vector<std::string> QueryAll(std::string_view name) const;
  // First header of that name, any case; nullopt when absent.
  std::optional<std::string> Header(std::string_view name) const;
  // A path parameter the route template declares; "" when the template has none of that name.
  const std::string& PathParam(std::string_view name) const;
};

}  // namespace faxgate::http
