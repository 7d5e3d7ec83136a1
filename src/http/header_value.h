// Structured header values: `multipart/form-data; boundary="x y"` and
// `form-data; name="file"; filename*=UTF-8''%E2%82%AC.pdf`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace faxgate::http {

struct HeaderValue {
  std::string value;                                        // lower-case: "multipart/form-data"
  std::vector<std::pair<std::string, std::string>> params;  // names lower-case, values unquoted

  // The first parameter of that name (lower-case); nullopt when absent.
  std::optional<std::string> Param(std::string_view name) const;
};

// RFC 9110 5.6.6 parameters with RFC 9110 5.6.4 quoted strings (backslash escapes). An
// unterminated quote or a parameter without '=' is an error; empty parameters (";;") are not.
Result<HeaderValue> ParseHeaderValue(std::string_view text);

// Decodes an RFC 8187 (ex RFC 5987) extended value such as UTF-8''%E2%82%AC.pdf to UTF-8.
// UTF-8 and ISO-8859-1 are the charsets the RFC requires; others are an error.
Result<std::string> DecodeExtValue(std::string_view text);

}  // namespace faxgate::http
