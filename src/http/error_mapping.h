// The one place where faxgate's error codes meet HTTP. Every JSON error body the server sends
// carries a code from here, so API clients can rely on the codes and not on the messages.
#pragma once

#include <string_view>

#include "base/result.h"

namespace faxgate::http {

struct HttpError {
  int status;
  std::string_view code;  // stable, snake_case: "not_found"
};

// The status and JSON code for an error from the service layer.
HttpError HttpErrorFor(ErrorCode code);

// The reverse, for the client: the ErrorCode behind a JSON code, or, for a code this version
// does not know, the one that best fits the status.
ErrorCode ErrorCodeFor(std::string_view json_code, int status);

// Codes of errors the HTTP layer finds itself, which no ErrorCode stands behind.
inline constexpr std::string_view kBadRequest = "bad_request";                     // 400
inline constexpr std::string_view kMethodNotAllowed = "method_not_allowed";        // 405
inline constexpr std::string_view kPayloadTooLarge = "payload_too_large";          // 413
inline constexpr std::string_view kHeadersTooLarge = "request_headers_too_large";  // 431

}  // namespace faxgate::http
