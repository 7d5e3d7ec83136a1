// Shared pieces of the API handlers: who is calling, and reading request fields.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "domain/user.h"
#include "http/api/api.h"
#include "http/request.h"
#include "http/response.h"

namespace faxgate::http {

using AuthedHandler = std::function<Response(const Request&, const User&)>;

// Wraps a handler so it runs only for a valid bearer token (or HTTP Basic user and password);
// anything else gets 401 with a WWW-Authenticate header.
Handler Authed(const ApiContext& ctx, AuthedHandler handler);

Result<nlohmann::json> ParseJsonBody(const Request& request);
// A whole number from a query or form field, with the field named in the error.
Result<int64_t> ParseInteger(const std::string& text, std::string_view field);

}  // namespace faxgate::http
