#include "http/header_value.h"

#include "http/text.h"
#include "http/url.h"

namespace faxgate::http {
namespace {

Error Malformed(std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument, "malformed header value: " + std::string(what));
}

// Reads a quoted string starting at text[0] == '"'; advances text past the closing quote.
Result<std::string> ReadQuoted(std::string_view& text) {
  std::string out;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] == '"') {
      text.remove_prefix(i + 1);
      return out;
    }
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    out.push_back(text[i]);
  }
  return Malformed("a quoted string has no closing quote");
}

// Reads "name=value" up to the next ';' (or the end); advances text past it.
Result<std::pair<std::string, std::string>> ReadParam(std::string_view& text) {
  size_t eq = text.find('=');
  size_t semi = text.find(';');
  if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
    return Malformed("parameter \"" + std::string(TrimWhitespace(text.substr(0, semi))) +
                     "\" has no '='");
  }
  std::string name = ToLower(TrimWhitespace(text.substr(0, eq)));
  text = TrimWhitespace(text.substr(eq + 1));
  std::string value;
  if (!text.empty() && text.front() == '"') {
    FG_ASSIGN_OR_RETURN(value, ReadQuoted(text));
    text = TrimWhitespace(text);
    if (!text.empty() && text.front() != ';') return Malformed("text after a quoted string");
  } else {
    semi = text.find(';');
    value = std::string(TrimWhitespace(text.substr(0, semi)));
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi);
  }
  return std::make_pair(std::move(name), std::move(value));
}

std::string Latin1ToUtf8(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xC0 | (u >> 6)));
      out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> HeaderValue::Param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return std::nullopt;
}

Result<HeaderValue> ParseHeaderValue(std::string_view text) {
  HeaderValue result;
  size_t semi = text.find(';');
  result.value = ToLower(TrimWhitespace(text.substr(0, semi)));
  text = semi == std::string_view::npos ? std::string_view() : text.substr(semi);
  while (!text.empty()) {
    text.remove_prefix(1);  // the ';'
    text = TrimWhitespace(text);
    if (text.empty() || text.front() == ';') continue;
    FG_ASSIGN_OR_RETURN(auto param, ReadParam(text));
    result.params.push_back(std::move(param));
  }
  return result;
}

Result<std::string> DecodeExtValue(std::string_view text) {
  size_t first = text.find('\'');
  size_t second = first == std::string_view::npos ? first : text.find('\'', first + 1);
  if (second == std::string_view::npos) {
    return Malformed("an extended value needs the form charset'language'text");
  }
  std::string charset = ToLower(text.substr(0, first));
  FG_ASSIGN_OR_RETURN(std::string decoded, PercentDecode(text.substr(second + 1)));
  if (charset == "utf-8") return decoded;
  if (charset == "iso-8859-1") return Latin1ToUtf8(decoded);
  return MakeError(ErrorCode::kInvalidArgument,
                   "unsupported charset \"" + charset + "\" in an extended value; use UTF-8");
}

}  // namespace faxgate::http
