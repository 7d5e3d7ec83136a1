#include "app/client_context.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/files.h"

namespace faxgate {
namespace {

std::string Trim(std::string s) {
  s.erase(s.find_last_not_of(" \r\n\t") + 1);
  return s;
}

}  // namespace

Result<std::unique_ptr<http::HttpClient>> ConnectClient(const ClientFlags& flags) {
  std::string url = flags.server;
  std::string token = flags.token;
  if (url.empty() && std::getenv("FAXGATE_URL")) url = std::getenv("FAXGATE_URL");
  if (token.empty() && std::getenv("FAXGATE_TOKEN")) token = std::getenv("FAXGATE_TOKEN");
  const std::filesystem::path dir = flags.data_dir;
  if (url.empty()) {
    if (auto info = ReadFile(dir / "server.json"); info.ok()) {
      auto j = nlohmann::json::parse(*info, nullptr, false);
      if (j.is_object()) url = j.value("url", "");
    }
  }
  if (url.empty()) url = "http://127.0.0.1:8080";
  if (token.empty()) {
    if (auto t = ReadFile(dir / "admin.token"); t.ok()) token = Trim(*t);
  }
  if (token.empty()) {
    return MakeError(ErrorCode::kUnauthenticated,
                     fmt::format("no API token: pass --token, set FAXGATE_TOKEN, or run this next "
                                 "to the data directory ({}/admin.token)",
                                 dir.string()));
  }
  return std::make_unique<http::HttpClient>(url, token);
}

int ReportError(const Error& error) {
  std::cerr << "faxgate: " << error.message << "\n";
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return 2;
    case ErrorCode::kUnavailable:
      return 3;
    default:
      return 1;
  }
}

Result<http::ClientResponse> Expect2xx(Result<http::ClientResponse> response) {
  if (!response.ok()) return response.error();
  if (!response->ok()) return response->ToError();
  return response;
}

}  // namespace faxgate
