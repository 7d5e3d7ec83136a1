#include "http/api/handler_support.h"

#include <charconv>

#include <fmt/format.h>

namespace faxgate::http {
namespace {

std::string DecodeBase64(std::string_view in) {
  static const std::string kChars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (unsigned char c : in) {
    size_t pos = kChars.find(static_cast<char>(c));
    if (pos == std::string::npos) break;
    val = (val << 6) + static_cast<int>(pos);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

Result<User> Authenticate(const ApiContext& ctx, const Request& r) {
  auto header = r.Header("Authorization");
  if (!header) {
    return MakeError(ErrorCode::kUnauthenticated,
                     "sign in: send 'Authorization: Bearer <token>' (faxgate token create)");
  }
  std::string_view h = *header;
  if (h.size() > 7 && EqualsIgnoreCase(h.substr(0, 7), "bearer ")) {
    return ctx.users->AuthenticateToken(std::string(h.substr(7)));
  }
  if (h.size() > 6 && EqualsIgnoreCase(h.substr(0, 6), "basic ")) {
    std::string pair = DecodeBase64(h.substr(6));
    size_t colon = pair.find(':');
    if (colon != std::string::npos) {
      return ctx.users->AuthenticatePassword(pair.substr(0, colon), pair.substr(colon + 1));
    }
  }
  return MakeError(ErrorCode::kUnauthenticated, "the Authorization header is not Bearer or Basic");
}

}  // namespace

Handler Authed(const ApiContext& ctx, AuthedHandler handler) {
  return [ctx, handler = std::move(handler)](const Request& r) {
    auto user = Authenticate(ctx, r);
    if (!user.ok()) {
      Response resp = ErrorResponse(user.error());
      resp.AddHeader("WWW-Authenticate", "Bearer realm=\"faxgate\"");
      return resp;
    }
    return handler(r, *user);
  };
}

Result<nlohmann::json> ParseJsonBody(const Request& request) {
  auto parsed = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "the request body must be a JSON object");
  }
  return parsed;
}

Result<int64_t> ParseInteger(const std::string& text, std::string_view field) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} must be a whole number, not '{}'", field, text));
  }
  return v;
}

}  // namespace faxgate::http
