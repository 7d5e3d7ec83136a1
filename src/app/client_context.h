// How a client verb finds the server and its credentials: --server/--token, then FAXGATE_URL /
// FAXGATE_TOKEN, then a demo data directory beside the user (./var/server.json, admin.token).
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "http/http_client.h"

namespace faxgate {

struct ClientFlags {
  std::string server;
  std::string token;
  std::string data_dir = "var";
  bool json = false;
};

Result<std::unique_ptr<http::HttpClient>> ConnectClient(const ClientFlags& flags);

// Prints an error for the user and returns the exit code for it.
int ReportError(const Error& error);
// Turns a non-2xx answer into the server's own error message.
Result<http::ClientResponse> Expect2xx(Result<http::ClientResponse> response);

}  // namespace faxgate
