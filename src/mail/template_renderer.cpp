#include "mail/template_renderer.h"

#include <algorithm>

namespace faxgate::mail {
namespace {

// Decodes one UTF-8 code point at s[i]; advances i. Bad bytes count as one narrow character.
char32_t NextCodePoint(std::string_view s, size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  char32_t cp = extra == 3 ? c & 0x07 : extra == 2 ? c & 0x0F : extra == 1 ? c & 0x1F : c;
  ++i;
  while (extra-- > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  return cp;
}

bool IsWide(char32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return "";
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], DisplayWidth(row[c]));
  }
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (size_t c = 0; c < rows[r].size(); ++c) {
      line += rows[r][c];
      if (c + 1 < rows[r].size()) line += std::string(width[c] - DisplayWidth(rows[r][c]) + 2, ' ');
    }
    out += line + "\n";
    if (r == 0) {
      size_t total = 0;
      for (size_t w : width) total += w + 2;
      out += std::string(total > 2 ? total - 2 : total, '-') + "\n";
    }
  }
  return out;
}

// Calls f(name, begin, end) for each {$NAME} in text.
template <typename F>
void ForEachPlaceholder(std::string_view text, F f) {
  size_t pos = 0;
  while ((pos = text.find("{$", pos)) != std::string_view::npos) {
    const size_t end = text.find('}', pos + 2);
    if (end == std::string_view::npos) return;
    std::string_view name = text.substr(pos + 2, end - pos - 2);
    const bool ok =
        !name.empty() && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        });
    if (ok) f(std::string(name), pos, end + 1);
    pos = ok ? end + 1 : pos + 2;
  }
}

}  // namespace

size_t DisplayWidth(std::string_view utf8) {
  size_t w = 0;
  for (size_t i = 0; i < utf8.size();) w += IsWide(NextCodePoint(utf8, i)) ? 2 : 1;
  return w;
}

std::string RenderTemplate(std::string_view text, const TemplateValues& values) {
  std::string out;
  size_t copied = 0;
  ForEachPlaceholder(text, [&](const std::string& name, size_t begin, size_t end) {
    std::string value;
    if (name == "RECORDS") {
      value = Table(values.records_header_and_rows);
    } else if (auto it = values.fields.find(name); it != values.fields.end()) {
      value = it->second;
    } else {
      return;  // unknown: left as written
    }
    out.append(text.substr(copied, begin - copied));
    out += value;
    copied = end;
  });
  out.append(text.substr(copied));
  return out;
}

std::vector<std::string> UnknownPlaceholders(std::string_view text,
                                             const std::vector<std::string>& known) {
  std::vector<std::string> unknown;
  ForEachPlaceholder(text, [&](const std::string& name, size_t, size_t) {
    if (std::find(known.begin(), known.end(), name) == known.end() &&
        std::find(unknown.begin(), unknown.end(), name) == unknown.end())
      unknown.push_back(name);
  });
  return unknown;
}

}  // namespace faxgate::mail
