#include <nlohmann/json.hpp>

#include "http/error_mapping.h"
#include "http/http_client.h"
#include "http/text.h"

namespace faxgate::http {

std::optional<std::string> ClientResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

Error ClientResponse::ToError() const {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    const auto& error = json["error"];
    auto text = [&error](const char* key) {
      auto it = error.find(key);
      return it != error.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string message = text("message");
    if (!message.empty()) return MakeError(ErrorCodeFor(text("code"), status), message);
  }
  return MakeError(ErrorCodeFor("", status), "the server answered HTTP " + std::to_string(status));
}

}  // namespace faxgate::http
