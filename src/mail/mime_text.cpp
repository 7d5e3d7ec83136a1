#include "mail/mime_text.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

namespace faxgate::mail {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The entity starting at text[0] == '&' ("&amp;", "&#20256;", "&#x4F20;"): its text and length,
// or length 0 when it is none we know (the '&' is then text).
std::pair<std::string, size_t> Entity(std::string_view text) {
  static const std::unordered_map<std::string_view, uint32_t> kNamed = {
      {"nbsp", ' '},     {"amp", '&'},       {"lt", '<'},      {"gt", '>'},       {"quot", '"'},
      {"apos", '\''},    {"copy", 0xA9},     {"reg", 0xAE},    {"trade", 0x2122}, {"mdash", 0x2014},
      {"ndash", 0x2013}, {"hellip", 0x2026}, {"laquo", 0xAB},  {"raquo", 0xBB},   {"middot", 0xB7},
      {"bull", 0x2022},  {"euro", 0x20AC},   {"yen", 0xA5},    {"pound", 0xA3},   {"cent", 0xA2},
      {"deg", 0xB0},     {"times", 0xD7},    {"divide", 0xF7}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
      {"ldquo", 0x201C}, {"rdquo", 0x201D},  {"ensp", ' '},    {"emsp", ' '},     {"thinsp", ' '},
      {"sect", 0xA7},    {"para", 0xB6},     {"plusmn", 0xB1}, {"shy", 0},        {"zwnj", 0},
      {"zwj", 0}};
  const size_t semi = text.find(';');
  if (semi == std::string_view::npos || semi < 2 || semi > 12) return {"", 0};
  const std::string_view name = text.substr(1, semi - 1);
  std::string out;
  if (name[0] == '#') {
    const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    const std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return {"", 0};
    uint32_t cp = 0;
    for (char c : digits) {
      const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                    : hex && std::isxdigit(static_cast<unsigned char>(c))
                        ? std::tolower(c) - 'a' + 10
                        : -1;
      if (d < 0) return {"", 0};
      cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      if (cp > 0x10FFFF) cp = 0x110000;  // stays invalid, never overflows
    }
    AppendUtf8(cp, out);
    return {out, semi + 1};
  }
  const auto it = kNamed.find(name);
  if (it == kNamed.end()) return {"", 0};
  if (it->second != 0) AppendUtf8(it->second, out);
  return {out, semi + 1};
}

// Text as it is laid out: runs of white space as one space, breaks as newlines.
class Layout {
 public:
  void Visible(std::string_view s) {
    if (s.empty()) return;
    if (space_ && !out_.empty() && out_.back() != '\n') out_ += ' ';
    space_ = false;
    out_ += s;
  }
  void Space() { space_ = true; }
  void Raw(char c) {  // inside <pre>
    if (c == '\r') return;
    out_ += c;
    space_ = false;
  }
  void LineBreak() {  // <br>: always a new line
    TrimSpaces();
    out_ += '\n';
  }
  void Block() {  // a block element: start on a line of its own
    TrimSpaces();
    if (!out_.empty() && out_.back() != '\n') out_ += '\n';
  }
  std::string Finish() {
    TrimSpaces();
    std::string text;
    int newlines = 0;
    for (char c : out_) {
      if (c == '\n') {
        if (text.empty() || ++newlines > 2) continue;
      } else {
        newlines = 0;
      }
      text += c;
    }
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (!text.empty()) text += '\n';
    return text;
  }

 private:
  void TrimSpaces() {
    space_ = false;
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
  }
  std::string out_;
  bool space_ = false;
};

// Where the tag starting at html[i] == '<' ends ('>' outside quotes), or npos.
size_t TagEnd(std::string_view html, size_t i) {
  char quote = 0;
  for (size_t p = i + 1; p < html.size(); ++p) {
    const char c = html[p];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return p;
    }
  }
  return std::string_view::npos;
}

size_t FindNoCase(std::string_view haystack, std::string_view lower_needle, size_t from) {
  for (size_t i = from; i + lower_needle.size() <= haystack.size(); ++i) {
    size_t k = 0;
    while (k < lower_needle.size() &&
           std::tolower(static_cast<unsigned char>(haystack[i + k])) == lower_needle[k]) {
      ++k;
    }
    if (k == lower_needle.size()) return i;
  }
  return std::string_view::npos;
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  static const std::unordered_set<std::string_view> kBlocks = {
      "p",      "div",    "tr",      "li",      "ul",         "ol",      "dl",     "dt",
      "dd",     "table",  "h1",      "h2",      "h3",         "h4",      "h5",     "h6",
      "hr",     "pre",    "section", "article", "blockquote", "address", "form",   "center",
      "header", "footer", "nav",     "aside",   "figure",     "main",    "caption"};
  static const std::unordered_set<std::string_view> kHidden = {"head",  "style",    "script",
                                                               "title", "noscript", "template"};
  Layout text;
  int pre = 0;
  for (size_t i = 0; i < html.size(); ++i) {
    const char c = html[i];
    if (c == '&') {
      auto [decoded, length] = Entity(html.substr(i));
      if (length == 0) {
        text.Visible("&");
      } else {
        text.Visible(decoded);
        i += length - 1;
      }
      continue;
    }
    if (c != '<') {
      if (pre > 0) {
        text.Raw(c);
      } else if (IsHtmlSpace(c)) {
        text.Space();
      } else {
        text.Visible(std::string_view(&html[i], 1));
      }
      continue;
    }
    if (html.compare(i, 4, "<!--") == 0) {
      const size_t end = html.find("-->", i + 4);
      if (end == std::string_view::npos) break;
      i = end + 2;
      continue;
    }
    const char next = i + 1 < html.size() ? html[i + 1] : '\0';
    if (!std::isalpha(static_cast<unsigned char>(next)) && next != '/' && next != '!' &&
        next != '?') {
      text.Visible("<");  // "a < b" is text
      continue;
    }
    const size_t end = TagEnd(html, i);
    if (end == std::string_view::npos) break;  // a tag cut off: nothing readable follows
    const bool closing = next == '/';
    std::string_view tag = html.substr(i + (closing ? 2 : 1), end - i - (closing ? 2 : 1));
    const std::string name = Lower(tag.substr(0, tag.find_first_of(" \t\r\n/>")));
    i = end;
    if (!closing && kHidden.count(name)) {
      const size_t close = FindNoCase(html, "</" + name, end);
      if (close == std::string_view::npos) continue;  // unclosed: drop only the tag
      const size_t close_end = html.find('>', close);
      if (close_end == std::string_view::npos) break;
      i = close_end;
      continue;
    }
    if (name == "br") {
      text.LineBreak();
    } else if (name == "td" || name == "th") {
      text.Space();
    } else if (kBlocks.count(name)) {
      text.Block();
      if (name == "pre") pre += closing ? (pre > 0 ? -1 : 0) : 1;
      if (name == "li" && !closing) text.Visible("- ");
    }
  }
  return text.Finish();
}

std::string EnrichedToText(std::string_view s) {
  std::string out;
  int nofill = 0;
  int param = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '<') {
      if (i + 1 < s.size() && s[i + 1] == '<') {
        if (param == 0) out += '<';
        ++i;
        continue;
      }
      const size_t end = s.find('>', i);
      if (end == std::string_view::npos) break;
      std::string name = Lower(s.substr(i + 1, end - i - 1));
      const bool closing = !name.empty() && name[0] == '/';
      if (closing) name.erase(0, 1);
      if (name == "param") param = closing ? std::max(param - 1, 0) : param + 1;
      if (name == "nofill") nofill = closing ? std::max(nofill - 1, 0) : nofill + 1;
      i = end;
      continue;
    }
    if (param > 0 || c == '\r') continue;
    if (c != '\n' || nofill > 0) {
      out += c;
      continue;
    }
    size_t breaks = 0;
    while (i < s.size() && (s[i] == '\n' || s[i] == '\r')) {
      if (s[i] == '\n') ++breaks;
      ++i;
    }
    --i;
    out += breaks == 1 ? std::string(" ") : std::string(breaks - 1, '\n');
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  if (!out.empty()) out += '\n';
  return out;
}

}  // namespace faxgate::mail
