#include "mail/smtp_reply.h"

#include <fmt/format.h>

namespace faxgate::mail {
namespace {

// A reply longer than this is not an SMTP server talking (EHLO replies have about 15 lines).
constexpr size_t kMaxLines = 1000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Quotes a line for an error message: printable ASCII only, cut at 80 bytes.
std::string Quote(std::string_view line) {
  std::string out;
  for (char c : line.substr(0, 80)) out += c >= ' ' && c <= '~' ? c : '?';
  if (line.size() > 80) out += "...";
  return "\"" + out + "\"";
}

// RFC 3463 2: class "." subject "." detail, subject and detail of 1 to 3 digits, followed by a
// space or the end of the line. Returns its length, or 0 when `text` does not start with one.
size_t EnhancedCodeLength(std::string_view text) {
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
    return 0;
  }
  size_t i = 2;
  for (int part = 0; part < 2; ++part) {
    const size_t start = i;
    while (i < text.size() && IsDigit(text[i]) && i - start < 4) ++i;
    if (i == start || i - start > 3) return 0;
    if (part == 0) {
      if (i >= text.size() || text[i] != '.') return 0;
      ++i;
    }
  }
  return i == text.size() || text[i] == ' ' ? i : 0;
}

}  // namespace

std::string ServerReply::Text() const {
  std::string out;
  for (const std::string& line : lines) {
    if (line.empty()) continue;
    if (!out.empty()) out += ' ';
    out += line;
  }
  return out;
}

Result<std::optional<ServerReply>> ServerReplyReader::Add(std::string_view line) {
  auto refuse = [&](std::string_view why) -> Error {
    partial_ = ServerReply{};
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}: {}", why, Quote(line)));
  };
  if (line.size() < 3 || !IsDigit(line[0]) || !IsDigit(line[1]) || !IsDigit(line[2]) ||
      line[0] < '2' || line[0] > '5') {
    return refuse("not an SMTP reply");
  }
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') {
    return refuse("not an SMTP reply");
  }
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (!partial_.lines.empty() && code != partial_.code) {
    return refuse(fmt::format("reply line with another code than {}", partial_.code));
  }
  if (partial_.lines.size() >= kMaxLines) return refuse("reply of too many lines");
  partial_.code = code;
  std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view();
  if (const size_t n = EnhancedCodeLength(text)) {
    if (partial_.enhanced.empty()) partial_.enhanced = std::string(text.substr(0, n));
    text = text.substr(std::min(n + 1, text.size()));
  }
  partial_.lines.emplace_back(text);
  const bool more = line.size() > 3 && line[3] == '-';
  if (more) return std::optional<ServerReply>();
  std::optional<ServerReply> done(std::move(partial_));
  partial_ = ServerReply{};
  return done;
}

EhloExtensions::EhloExtensions(const ServerReply& ehlo) {
  // lines[0] is the server's name and greeting.
  for (size_t i = 1; i < ehlo.lines.size(); ++i) {
    std::string_view line = ehlo.lines[i];
    const size_t end = line.find_first_of(" =");
    const std::string keyword = Upper(line.substr(0, end));
    if (keyword.empty()) continue;
    std::string params(end == std::string_view::npos ? "" : line.substr(end + 1));
    std::string& known = keywords_[keyword];
    // "AUTH PLAIN LOGIN" next to the old "AUTH=PLAIN LOGIN": both count.
    known += (known.empty() || params.empty() ? "" : " ") + params;
  }
}

bool EhloExtensions::Has(std::string_view keyword) const {
  return keywords_.find(Upper(keyword)) != keywords_.end();
}

std::string EhloExtensions::Params(std::string_view keyword) const {
  auto it = keywords_.find(Upper(keyword));
  return it == keywords_.end() ? std::string() : it->second;
}

uint64_t EhloExtensions::SizeLimit() const {
  const std::string size = Params("SIZE");
  uint64_t limit = 0;
  for (char c : size) {
    if (!IsDigit(c) || limit > UINT64_MAX / 10 - 9) return 0;
    limit = limit * 10 + static_cast<uint64_t>(c - '0');
  }
  return limit;
}

bool EhloExtensions::HasAuth(std::string_view mechanism) const {
  const std::string params = " " + Upper(Params("AUTH")) + " ";
  return params.find(" " + Upper(mechanism) + " ") != std::string::npos;
}

}  // namespace faxgate::mail
