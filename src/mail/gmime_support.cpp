#include "mail/gmime_support.h"

#include <iconv.h>

#include <cctype>
#include <cerrno>
#include <mutex>
#include <optional>
#include <unordered_set>

#include <fmt/format.h>

namespace faxgate::mail::gmime {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWithNoCase(std::string_view s, size_t pos, std::string_view prefix) {
  if (s.size() - pos < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[pos + i])) != prefix[i]) return false;
  }
  return true;
}

bool ContainsNoCase(std::string_view s, std::string_view lower_needle) {
  for (size_t i = 0; i + lower_needle.size() <= s.size(); ++i) {
    if (StartsWithNoCase(s, i, lower_needle)) return true;
  }
  return false;
}

bool IsLwsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The values of every `boundary=` parameter in the text, quoted or not. Boundaries written the
// RFC 2231 way (boundary*0=...) are not seen; the caller treats such text conservatively.
std::unordered_set<std::string_view> DeclaredBoundaries(std::string_view raw) {
  std::unordered_set<std::string_view> out;
  constexpr std::string_view kName = "boundary";
  for (size_t i = 0; i + kName.size() < raw.size(); ++i) {
    if (!StartsWithNoCase(raw, i, kName)) continue;
    size_t p = i + kName.size();
    while (p < raw.size() && IsLwsp(raw[p])) ++p;
    if (p >= raw.size() || raw[p] != '=') continue;
    ++p;
    while (p < raw.size() && IsLwsp(raw[p])) ++p;
    size_t end;
    if (p < raw.size() && raw[p] == '"') {
      ++p;
      end = raw.find('"', p);
      if (end == std::string_view::npos) end = raw.size();
    } else {
      end = p;
      while (end < raw.size() && !IsLwsp(raw[end]) && raw[end] != ';' && raw[end] != '"') ++end;
    }
    if (end > p) out.insert(raw.substr(p, end - p));
    i = end;
  }
  return out;
}

// iconv from `charset` to UTF-8. Strict: nullopt at the first sequence the charset does not
// have. Lossy: U+FFFD for each byte that cannot be read. nullopt when iconv has no such charset.
std::optional<std::string> Iconv(std::string_view bytes, const std::string& charset, bool lossy) {
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::unique_ptr<void, int (*)(iconv_t)> close(cd, iconv_close);
  std::string out(bytes.size() * 2 + 16, '\0');
  size_t used = 0;
  char* in = const_cast<char*>(bytes.data());  // iconv's signature; it does not write the input
  size_t in_left = bytes.size();
  bool flushing = false;
  for (;;) {
    char* o = out.data() + used;
    size_t o_left = out.size() - used;
    // With no input left, one more call writes what a stateful charset (ISO-2022-JP) holds back.
    const size_t r =
        flushing ? iconv(cd, nullptr, nullptr, &o, &o_left) : iconv(cd, &in, &in_left, &o, &o_left);
    const int error = errno;
    used = out.size() - o_left;
    if (r != static_cast<size_t>(-1)) {
      if (flushing) break;
      flushing = true;
      continue;
    }
    if (error == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    if (!lossy) return std::nullopt;
    if (flushing) break;
    out.resize(used);
    out += "\xEF\xBF\xBD";
    used = out.size();
    out.resize(used * 2 + 16);
    if (error == EINVAL || in_left == 0) {
      in_left = 0;  // a sequence cut off at the end
    } else {
      ++in;
      --in_left;
    }
  }
  out.resize(used);
  return out;
}

bool IsValidUtf8(std::string_view s) { return g_utf8_validate_len(s.data(), s.size(), nullptr); }

std::string WithoutNuls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != '\0') out += c;
  }
  return out;
}

}  // namespace

void Init() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

GMimeParserOptions* ParserOptions() {
  static GMimeParserOptions* options = [] {
    Init();
    GMimeParserOptions* o = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    static const char* fallback[] = {"utf-8", "gb18030", nullptr};
    g_mime_parser_options_set_fallback_charsets(o, fallback);
    return o;
  }();
  return options;
}

size_t BoundaryLineCount(std::string_view raw, size_t enough) {
  // First every line that starts with "--": usually few, and then no more work is needed.
  size_t dashes = 0;
  for (size_t pos = 0; pos < raw.size();) {
    if (raw.compare(pos, 2, "--") == 0) ++dashes;
    const size_t nl = raw.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (dashes <= enough || ContainsNoCase(raw, "boundary*")) return dashes;
  // Many: count only those that are a declared boundary (GMime's rule: "--" boundary, then an
  // optional "--", then only white space), not text that merely starts with dashes.
  const std::unordered_set<std::string_view> boundaries = DeclaredBoundaries(raw);
  size_t count = 0;
  for (size_t pos = 0; pos < raw.size() && count <= enough;) {
    size_t nl = raw.find('\n', pos);
    if (nl == std::string_view::npos) nl = raw.size();
    if (raw.compare(pos, 2, "--") == 0) {
      std::string_view token = raw.substr(pos + 2, nl - pos - 2);
      while (!token.empty() && IsLwsp(token.back())) token.remove_suffix(1);
      if (boundaries.count(token) || (token.size() > 2 && token.ends_with("--") &&
                                      boundaries.count(token.substr(0, token.size() - 2)))) {
        ++count;
      }
    }
    pos = nl + 1;
  }
  return count;
}

Result<Ptr<GMimeMessage>> ParseMessage(std::string_view raw, const MimeLimits& limits) {
  if (raw.size() > limits.max_bytes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the message has {} bytes, more than the {} accepted", raw.size(),
                                 limits.max_bytes));
  }
  if (BoundaryLineCount(raw, limits.max_parts) > limits.max_parts) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the message has more than {} parts", limits.max_parts));
  }
  Init();
  Ptr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  Ptr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  Ptr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), ParserOptions()));
  // GMime keeps the Content-* fields with the body part, the others with the message.
  auto has_fields = [](GMimeObject* o) {
    return o && g_mime_header_list_get_count(g_mime_object_get_header_list(o)) > 0;
  };
  if (!message || (!has_fields(GMIME_OBJECT(message.get())) &&
                   !has_fields(g_mime_message_get_mime_part(message.get())))) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the data is not a mail message: it has no header fields");
  }
  return message;
}

std::string DecodedContent(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (!content) return "";
  Ptr<GMimeStream> mem(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(content, mem.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string WireText(GMimeObject* object) {
  Init();
  FormatOptionsPtr format(g_mime_format_options_clone(g_mime_format_options_get_default()));
  g_mime_format_options_set_newline_format(format.get(), GMIME_NEWLINE_FORMAT_DOS);
  Ptr<GMimeStream> mem(g_mime_stream_mem_new());
  g_mime_object_write_to_stream(object, format.get(), mem.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string IconvCharset(std::string_view declared) {
  while (!declared.empty() && (IsLwsp(declared.front()) || declared.front() == '"'))
    declared.remove_prefix(1);
  while (!declared.empty() && (IsLwsp(declared.back()) || declared.back() == '"'))
    declared.remove_suffix(1);
  if (declared.empty()) return "";
  const std::string name = Lower(declared);
  // Mail labelled GB2312 often holds GBK or GB18030 characters (names like 喆, 堃, 赟); GB18030
  // is the superset of the whole family.
  static const std::unordered_set<std::string_view> kGb = {
      "gb2312",  "gb_2312-80", "gb2312-80", "gb-2312",      "gb2312-0",    "gb2312.1980-0",
      "euc-cn",  "euccn",      "x-euc-cn",  "csgb2312",     "chinese",     "iso-ir-58",
      "gbk",     "x-gbk",      "gbk-0",     "cp936",        "ms936",       "windows-936",
      "gb18030", "gb18030-0",  "x-gb18030", "gb18030-2000", "gb18030-2005"};
  if (kGb.count(name)) return "GB18030";
  // Taiwan and Hong Kong mail: Big5-HKSCS holds Big5 and the Hong Kong characters.
  static const std::unordered_set<std::string_view> kBig5 = {
      "big5",   "big-5",    "big-five",   "bigfive",   "cn-big5",
      "csbig5", "x-x-big5", "big5-hkscs", "big5hkscs", "x-big5-hkscs"};
  if (kBig5.count(name)) return "BIG5-HKSCS";
  Init();
  const char* mapped = g_mime_charset_iconv_name(name.c_str());
  return mapped ? mapped : name;
}

std::string ToUtf8(std::string_view bytes, std::string_view declared) {
  const std::string charset = IconvCharset(declared);
  const bool utf8 = charset.empty() || Lower(charset) == "utf-8" || Lower(charset) == "utf8";
  if (!utf8) {
    if (auto text = Iconv(bytes, charset, /*lossy=*/false)) return ValidUtf8(*text);
  }
  std::string clean = WithoutNuls(bytes);
  if (IsValidUtf8(clean)) return clean;
  if (auto text = Iconv(clean, "GB18030", /*lossy=*/false)) return ValidUtf8(*text);
  if (!utf8) {
    if (auto text = Iconv(bytes, charset, /*lossy=*/true)) return ValidUtf8(*text);
  }
  return ValidUtf8(clean);
}

std::string ValidUtf8(std::string_view text) {
  std::string clean = WithoutNuls(text);
  if (IsValidUtf8(clean)) return clean;
  CharPtr valid(g_utf8_make_valid(clean.data(), static_cast<gssize>(clean.size())));
  return valid ? std::string(valid.get()) : std::string();
}

std::string WithGb18030Labels(std::string_view v) {
  constexpr size_t kMaxLabel = 40;
  std::string out;
  out.reserve(v.size());
  size_t i = 0;
  while (i < v.size()) {
    // "=?charset?" or "=?charset*lang?" opens an RFC 2047 encoded word.
    if (v.compare(i, 2, "=?") == 0) {
      const size_t end = v.find_first_of("?* \t\r\n", i + 2);
      if (end != std::string_view::npos && end - i - 2 <= kMaxLabel && v[end] != ' ' &&
          IconvCharset(v.substr(i + 2, end - i - 2)) == "GB18030") {
        out += "=?gb18030";
        i = end;
        continue;
      }
    }
    // "name*=charset'lang'..." (or "name*0*=") starts an RFC 2231 value.
    if (v.compare(i, 2, "*=") == 0) {
      size_t start = i + 2;
      while (start < v.size() && (v[start] == ' ' || v[start] == '"')) ++start;
      const size_t quote = v.find('\'', start);
      if (quote != std::string_view::npos && quote - start <= kMaxLabel &&
          IconvCharset(v.substr(start, quote - start)) == "GB18030") {
        out.append(v.substr(i, start - i));
        out += "gb18030";
        i = quote;
        continue;
      }
    }
    out += v[i++];
  }
  return out;
}

}  // namespace faxgate::mail::gmime
