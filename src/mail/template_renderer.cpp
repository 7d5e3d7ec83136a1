#include "mail/template_renderer.h"

#include <algorithm>
#include <functional>

#include "mail/quoted_input.h"

namespace faxgate::mail {
namespace {

constexpr size_t kMaxNameLength = 40;
constexpr size_t kColumnGap = 2;

struct Range {
  char32_t first, last;
};

// East Asian Width W and F (Unicode UAX #11), condensed to the blocks mail text meets.
constexpr Range kWide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F5},   {0x26FA, 0x26FD},
    {0x2705, 0x2705},   {0x270A, 0x270B},   {0x2728, 0x2728},   {0x274C, 0x274C},
    {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},
    {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},
    {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
    {0xA000, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
    {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},
    {0x16FE0, 0x16FE4}, {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004},
    {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251},
    {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF},
    {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

// Combining marks and format characters that take no column.
constexpr Range kZero[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0x302A, 0x302D},
    {0x3099, 0x309A}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

template <size_t N>
bool InRanges(const Range (&ranges)[N], char32_t cp) {
  const Range* it = std::upper_bound(ranges, ranges + N, cp,
                                     [](char32_t c, const Range& r) { return c < r.first; });
  return it != ranges && cp <= (it - 1)->last;
}

size_t CodePointWidth(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;
  if (InRanges(kZero, cp)) return 0;
  return InRanges(kWide, cp) ? 2 : 1;
}

// A table cell on one line: line breaks and tabs become spaces, other control bytes go.
std::string CellText(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) {
      out += c;
    }
  }
  return out;
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width;
  for (const auto& row : rows) {
    cells.emplace_back();
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) {
      cells.back().push_back(CellText(row[c]));
      width[c] = std::max(width[c], DisplayWidth(cells.back().back()));
    }
  }
  std::string out;
  for (size_t r = 0; r < cells.size(); ++r) {
    std::string line;
    for (size_t c = 0; c < cells[r].size(); ++c) {
      if (c > 0) line += std::string(kColumnGap, ' ');
      line += cells[r][c];
      line += std::string(width[c] - DisplayWidth(cells[r][c]), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    if (r == 0) {
      size_t total = 0;
      for (size_t w : width) total += w;
      if (!width.empty()) total += kColumnGap * (width.size() - 1);
      out += std::string(total, '-') + "\n";
    }
  }
  return out;
}

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// Calls f(name_as_written, begin, end) for each well-formed {$NAME} in text.
void ForEachPlaceholder(std::string_view text,
                        const std::function<void(std::string_view, size_t, size_t)>& f) {
  size_t pos = 0;
  while ((pos = text.find("{$", pos)) != std::string_view::npos) {
    size_t end = pos + 2;
    while (end < text.size() && end - pos - 2 < kMaxNameLength && IsNameChar(text[end])) ++end;
    if (end > pos + 2 && end < text.size() && text[end] == '}') {
      f(text.substr(pos + 2, end - pos - 2), pos, end + 1);
      pos = end + 1;
    } else {
      pos += 2;
    }
  }
}

}  // namespace

size_t DisplayWidth(std::string_view utf8) {
  size_t w = 0;
  for (size_t i = 0; i < utf8.size();) w += CodePointWidth(NextCodePoint(utf8, &i));
  return w;
}

std::string RenderTemplate(std::string_view text, const TemplateValues& values) {
  std::string out;
  size_t copied = 0;
  ForEachPlaceholder(text, [&](std::string_view written, size_t begin, size_t end) {
    const std::string name = Upper(written);
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
  ForEachPlaceholder(text, [&](std::string_view written, size_t, size_t) {
    const std::string name = Upper(written);
    const bool is_known = std::any_of(known.begin(), known.end(),
                                      [&](const std::string& k) { return Upper(k) == name; });
    if (!is_known && std::find(unknown.begin(), unknown.end(), written) == unknown.end())
      unknown.emplace_back(written);
  });
  return unknown;
}

}  // namespace faxgate::mail
