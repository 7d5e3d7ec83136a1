#include "mail/imap_syntax.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace faxgate::mail {
namespace {

constexpr size_t kNpos = std::string_view::npos;
// Nested lists in FETCH data (BODYSTRUCTURE) are shallow; anything deeper is an attack on the
// stack, not mail.
constexpr int kMaxListDepth = 64;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

// RFC 3501 ATOM-CHAR, minus "]" which closes response codes.
bool IsAtomChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  return std::string_view("(){%*\"\\]").find(c) == kNpos;
}

// "{123}" (or "{123+}", or "~{123}" for BINARY) at the end of a line: the literal's size.
std::optional<uint64_t> LiteralAnnouncement(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const size_t open = line.rfind('{');
  if (open == kNpos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return n;
}

template <typename T>
std::optional<T> ParseNumber(std::string_view digits) {
  if (digits.empty() || digits.size() > 20) return std::nullopt;
  T n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return n;
}

bool IsStatusName(std::string_view name) {
  return name == "OK" || name == "NO" || name == "BAD" || name == "BYE" || name == "PREAUTH";
}

// A cursor over FETCH data ("(UID 5 FLAGS (\Seen) BODY[] {3}\r\nabc)").
class FetchReader {
 public:
  explicit FetchReader(std::string_view s) : s_(s) {}

  Result<ImapFetch> Read() {
    ImapFetch out;
    if (!Take('(')) return Fail("does not start with (");
    while (true) {
      SkipSpaces();
      if (Take(')')) return out;
      if (AtEnd()) return Fail("ends before )");
      const std::string item = Upper(ItemName());
      if (item.empty()) return Fail("has an empty item name");
      if (!Take(' ')) return Fail("has no value for " + item);
      if (item == "UID") {
        auto n = ParseNumber<uint32_t>(Atom());
        if (!n) return Fail("has a bad UID");
        out.uid = *n;
      } else if (item == "RFC822.SIZE") {
        auto n = ParseNumber<uint64_t>(Atom());
        if (!n) return Fail("has a bad RFC822.SIZE");
        out.size = *n;
      } else if (item == "FLAGS") {
        if (!Flags(&out.flags)) return Fail("has bad FLAGS");
      } else if (item == "BODY[]") {
        auto body = NString();
        if (!body.ok()) return body.error();
        out.body = std::move(*body);
      } else if (!SkipValue(0)) {
        return Fail("has a bad value for " + item);
      }
    }
  }

 private:
  Error Fail(const std::string& what) const {
    return MakeError(ErrorCode::kInvalidArgument, "IMAP FETCH response " + what);
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Take(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++pos_;
    return true;
  }
  void SkipSpaces() {
    while (Peek() == ' ') ++pos_;
  }
  std::string_view Atom() {
    const size_t begin = pos_;
    while (!AtEnd() && IsAtomChar(s_[pos_])) ++pos_;
    return s_.substr(begin, pos_ - begin);
  }
  // "UID", "BODY[]", "BODY[HEADER.FIELDS (DATE)]<0>": brackets may hold spaces and parentheses.
  std::string_view ItemName() {
    const size_t begin = pos_;
    int brackets = 0;
    while (!AtEnd()) {
      const char c = s_[pos_];
      if (c == '[') {
        ++brackets;
      } else if (c == ']') {
        if (brackets == 0) break;
        --brackets;
      } else if (brackets == 0 && (c == ' ' || c == '(' || c == ')')) {
        break;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        break;
      }
      ++pos_;
    }
    return s_.substr(begin, pos_ - begin);
  }
  bool Flags(std::vector<std::string>* flags) {
    if (!Take('(')) return false;
    while (true) {
      SkipSpaces();
      if (Take(')')) return true;
      const size_t begin = pos_;
      Take('\\');
      if (!Take('*')) Atom();
      if (pos_ == begin) return false;
      flags->emplace_back(s_.substr(begin, pos_ - begin));
    }
  }
  // A literal after its "{": the size, CRLF, the bytes.
  std::optional<std::string> Literal() {
    const size_t close = s_.find('}', pos_);
    if (close == kNpos) return std::nullopt;
    auto n = ParseNumber<uint64_t>(s_.substr(pos_, close - pos_));
    if (!n) return std::nullopt;
    pos_ = close + 1;
    Take('\r');
    if (!Take('\n')) return std::nullopt;
    if (s_.size() - pos_ < *n) return std::nullopt;
    std::string out(s_.substr(pos_, *n));
    pos_ += *n;
    return out;
  }
  std::optional<std::string> Quoted() {
    std::string out;
    while (!AtEnd()) {
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (AtEnd()) return std::nullopt;
        c = s_[pos_++];
      }
      if (c == '\r' || c == '\n') return std::nullopt;
      out += c;
    }
    return std::nullopt;
  }
  Result<std::string> NString() {
    std::optional<std::string> s;
    if (Take('{')) {
      s = Literal();
    } else if (Take('"')) {
      s = Quoted();
    } else if (EqualsNoCase(Atom(), "NIL")) {
      s = std::string();
    }
    if (!s) return Fail("has a bad BODY[]");
    return std::move(*s);
  }
  // Any value: number, atom, NIL, quoted, literal or a list of those.
  bool SkipValue(int depth) {
    if (depth > kMaxListDepth) return false;
    if (Take('(')) {
      while (true) {
        SkipSpaces();
        if (Take(')')) return true;
        if (AtEnd() || !SkipValue(depth + 1)) return false;
      }
    }
    if (Take('"')) return Quoted().has_value();
    if (Take('~')) return Take('{') && Literal().has_value();  // literal8 (RFC 3516)
    if (Take('{')) return Literal().has_value();
    return !ItemName().empty();  // atoms here may carry brackets: BODY[1] <partial> etc.
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// Appends the UTF-16 code units of a run of non-ASCII code points in modified base64.
void AppendModifiedBase64(const std::vector<uint16_t>& units, std::string* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
  std::string bytes;
  for (uint16_t u : units) {
    bytes += static_cast<char>(u >> 8);
    bytes += static_cast<char>(u & 0xff);
  }
  *out += '&';
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                       (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    *out += kAlphabet[(v >> 18) & 63];
    *out += kAlphabet[(v >> 12) & 63];
    *out += kAlphabet[(v >> 6) & 63];
    *out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {  // 1 or 2 bytes left: no padding in modified base64
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    *out += kAlphabet[(v >> 18) & 63];
    *out += kAlphabet[(v >> 12) & 63];
    if (i + 1 < bytes.size()) *out += kAlphabet[(v >> 6) & 63];
  }
  *out += '-';
}

// The next code point of UTF-8 text, or nullopt for invalid UTF-8 (overlong forms, surrogates,
// beyond U+10FFFF, truncated sequences).
std::optional<uint32_t> NextCodePoint(std::string_view s, size_t* pos) {
  const auto b0 = static_cast<uint8_t>(s[*pos]);
  int extra = 0;
  uint32_t cp = 0;
  if (b0 < 0x80) {
    cp = b0;
  } else if ((b0 & 0xe0) == 0xc0) {
    extra = 1;
    cp = b0 & 0x1f;
  } else if ((b0 & 0xf0) == 0xe0) {
    extra = 2;
    cp = b0 & 0x0f;
  } else if ((b0 & 0xf8) == 0xf0) {
    extra = 3;
    cp = b0 & 0x07;
  } else {
    return std::nullopt;
  }
  if (s.size() - *pos <= static_cast<size_t>(extra)) return std::nullopt;
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<uint8_t>(s[*pos + k]);
    if ((b & 0xc0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3f);
  }
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
  *pos += extra + 1;
  return cp;
}

}  // namespace

void ImapResponseSplitter::Append(std::string_view bytes) {
  // Drop what was handed out once it is most of the buffer: amortised linear.
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(0, start_);
    line_ -= start_;
    start_ = 0;
  }
  buffer_.append(bytes);
}

Result<std::optional<std::string>> ImapResponseSplitter::Next() {
  auto too_long = [this] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "IMAP response longer than " + std::to_string(max_) + " bytes");
  };
  while (true) {
    const size_t newline = buffer_.find('\n', line_);
    if (newline == std::string::npos) {
      if (pending() > max_) return too_long();
      return std::optional<std::string>();
    }
    size_t end = newline;
    if (end > line_ && buffer_[end - 1] == '\r') --end;
    const auto literal = LiteralAnnouncement(std::string_view(buffer_).substr(line_, end - line_));
    if (literal) {
      if (*literal > max_ || newline + 1 - start_ + *literal > max_) return too_long();
      if (buffer_.size() - (newline + 1) < *literal) return std::optional<std::string>();
      line_ = newline + 1 + *literal;  // the response goes on after the literal
      continue;
    }
    if (end - start_ > max_) return too_long();
    std::string response = buffer_.substr(start_, end - start_);
    start_ = line_ = newline + 1;
    return std::optional<std::string>(std::move(response));
  }
}

Result<ImapResponse> ParseImapResponse(std::string_view s) {
  auto bad = [&](const char* what) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("IMAP response ") + what);
  };
  ImapResponse r;
  if (!s.empty() && s[0] == '+') {
    r.kind = ImapResponse::Kind::kContinuation;
    s.remove_prefix(1);
    if (!s.empty() && s[0] == ' ') s.remove_prefix(1);
    r.text = std::string(s);
    return r;
  }
  if (s.size() >= 2 && s[0] == '*' && s[1] == ' ') {
    s.remove_prefix(2);
    size_t digits = 0;
    while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
    if (digits > 0) {
      r.number = ParseNumber<uint32_t>(s.substr(0, digits));
      if (!r.number) return bad("has a number out of range");
      if (digits >= s.size() || s[digits] != ' ') return bad("has no name after its number");
      s.remove_prefix(digits + 1);
    }
  } else {
    r.kind = ImapResponse::Kind::kTagged;
    size_t n = 0;
    while (n < s.size() && IsAtomChar(s[n]) && s[n] != '+') ++n;
    if (n == 0 || n >= s.size() || s[n] != ' ') return bad("is neither tagged nor untagged");
    r.tag = std::string(s.substr(0, n));
    s.remove_prefix(n + 1);
  }
  size_t n = 0;
  while (n < s.size() && IsAtomChar(s[n])) ++n;
  if (n == 0) return bad("has no name");
  r.name = Upper(s.substr(0, n));
  s.remove_prefix(n);
  if (r.kind == ImapResponse::Kind::kTagged && r.name != "OK" && r.name != "NO" && r.name != "BAD")
    return bad("is tagged but not OK, NO or BAD");
  if (!s.empty()) {
    if (s[0] != ' ') return bad("has junk after its name");
    s.remove_prefix(1);
  }
  if (IsStatusName(r.name) && !s.empty() && s[0] == '[') {
    const size_t close = s.find(']');
    if (close == kNpos) return bad("has an unclosed [response code]");
    r.code = std::string(s.substr(1, close - 1));
    s.remove_prefix(close + 1);
    if (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  }
  r.text = std::string(s);
  return r;
}

std::vector<std::string> ParseCapabilities(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t space = text.find(' ', pos);
    const size_t end = space == kNpos ? text.size() : space;
    if (end > pos) out.push_back(Upper(text.substr(pos, end - pos)));
    pos = end + 1;
  }
  return out;
}

bool HasCapability(const std::vector<std::string>& capabilities, std::string_view name) {
  return std::any_of(capabilities.begin(), capabilities.end(),
                     [&](const std::string& c) { return EqualsNoCase(c, name); });
}

bool ImapFetch::HasFlag(std::string_view flag) const {
  return std::any_of(flags.begin(), flags.end(),
                     [&](const std::string& f) { return EqualsNoCase(f, flag); });
}

Result<ImapFetch> ParseFetch(std::string_view data) { return FetchReader(data).Read(); }

std::optional<std::string> ImapQuoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || c == '\0' || u >= 0x80) return std::nullopt;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

Result<std::string> EncodeMailboxName(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> run;  // UTF-16 units of the current non-ASCII run
  size_t pos = 0;
  while (pos < utf8.size()) {
    auto cp = NextCodePoint(utf8, &pos);
    if (!cp) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the folder name is not valid UTF-8: " + std::string(utf8));
    }
    if (*cp >= 0x20 && *cp <= 0x7e) {
      if (!run.empty()) {
        AppendModifiedBase64(run, &out);
        run.clear();
      }
      out += *cp == '&' ? std::string("&-") : std::string(1, static_cast<char>(*cp));
    } else if (*cp >= 0x10000) {
      const uint32_t v = *cp - 0x10000;
      run.push_back(static_cast<uint16_t>(0xd800 + (v >> 10)));
      run.push_back(static_cast<uint16_t>(0xdc00 + (v & 0x3ff)));
    } else {
      run.push_back(static_cast<uint16_t>(*cp));
    }
  }
  if (!run.empty()) AppendModifiedBase64(run, &out);
  return out;
}

}  // namespace faxgate::mail
