#include "mail/smtp_sasl.h"

namespace faxgate::mail {
namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::optional<std::string> DecodeSaslBase64(std::string_view text) {
  if (text == "=") return std::string();
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
      } else if (pad > 0 || (v[k] = Base64Value(c)) < 0) {
        return std::nullopt;  // a letter after '=', or not base64
      }
    }
    const unsigned bits = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((bits >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((bits >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(bits & 0xff);
  }
  return out;
}

std::optional<SaslCredentials> DecodeSaslPlain(std::string_view base64) {
  const auto decoded = DecodeSaslBase64(base64);
  if (!decoded) return std::nullopt;
  const std::string_view d = *decoded;
  const size_t first = d.find('\0');
  const size_t second = first == std::string_view::npos ? first : d.find('\0', first + 1);
  if (second == std::string_view::npos || d.find('\0', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  SaslCredentials c{std::string(d.substr(first + 1, second - first - 1)),
                    std::string(d.substr(second + 1))};
  const std::string_view authzid = d.substr(0, first);
  if (c.user.empty() || (!authzid.empty() && authzid != c.user)) return std::nullopt;
  return c;
}

}  // namespace faxgate::mail
