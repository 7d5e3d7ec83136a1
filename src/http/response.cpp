#include "http/response.h"

#include <nlohmann/json.hpp>

#include "http/error_mapping.h"

namespace faxgate::http {

Response JsonResponse(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  response.content_type = "application/json; charset=utf-8";
  // Replace, not throw, on invalid UTF-8: messages quote user input, which may be any bytes.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response ErrorResponse(const Error& error) {
  HttpError mapped = HttpErrorFor(error.code);
  return ErrorResponse(mapped.status, std::string(mapped.code), error.message);
}

Response ErrorResponse(int status, std::string code, std::string message) {
  nlohmann::json body = {{"error", {{"code", std::move(code)}, {"message", std::move(message)}}}};
  return JsonResponse(status, body);
}

Response TextResponse(int status, std::string body) {
  Response response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(body);
  return response;
}

}  // namespace faxgate::http
