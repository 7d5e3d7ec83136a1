// What a handler returns. The server adds Content-Length, Connection and Server headers.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "http/request.h"

namespace faxgate::http {

struct Response {
  int status = 200;
  std::string content_type;  // empty: no Content-Type header (e.g. 204)
  Headers headers;           // extra headers: Location, Set-Cookie, Content-Disposition, ...
  std::string body;

  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// application/json; charset=utf-8
Response JsonResponse(int status, const nlohmann::json& body);

// {"error": {"code": "not_found", "message": "no job 42"}} with the status that
// error_mapping.h gives the error's code.
Response ErrorResponse(const Error& error);
// The same body for errors the HTTP layer finds itself (405, 413, ...), which have no
// ErrorCode; `code` is one of the constants in error_mapping.h.
Response ErrorResponse(int status, std::string code, std::string message);

// text/plain; charset=utf-8 (health checks, metrics).
Response TextResponse(int status, std::string body);

}  // namespace faxgate::http
