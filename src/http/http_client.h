// The `faxgate` command line's way to the REST API: one blocking request at a time over one
// kept-alive connection. Failures to reach the server are kUnavailable with a message that
// tells the user what to do; HTTP error statuses are responses, not errors (see ToError).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "http/multipart.h"
#include "http/request.h"

namespace faxgate::http {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  Headers headers;

  bool ok() const { return status >= 200 && status < 300; }
  // First header of that name, any case.
  std::optional<std::string> Header(std::string_view name) const;
  // The server's {"error": {...}} as an Error (code from error_mapping.h); for a body that is
  // not one, an Error naming the status.
  Error ToError() const;
};

struct ClientOptions {
  // How long one step (connect, send the request, receive the response) may take. A large
  // upload or download must fit in it.
  std::chrono::seconds timeout{120};
};

class HttpClient {
 public:
  // base_url: "http://127.0.0.1:8080" (a path prefix is kept); bearer_token: sent as
  // "Authorization: Bearer ..." unless empty. A bad URL makes every request fail with it.
  HttpClient(std::string base_url, std::string bearer_token, ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // path: "/api/v1/faxes?state=queued" (already encoded; see url.h).
  Result<ClientResponse> Get(std::string_view path);
  Result<ClientResponse> Delete(std::string_view path);
  Result<ClientResponse> PostJson(std::string_view path, const nlohmann::json& body);
  Result<ClientResponse> PostMultipart(std::string_view path, const std::vector<FormPart>& parts);
  // Any other request (PUT, PATCH, ...).
  Result<ClientResponse> Send(std::string_view method, std::string_view path, std::string body,
                              std::string content_type);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faxgate::http
