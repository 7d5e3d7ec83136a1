#include "base/time_format.h"

#include <cctype>
#include <charconv>
#include <ctime>

#include <fmt/format.h>

namespace faxgate {

std::string FormatRfc3339(TimePoint t) {
  std::time_t secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string FormatLocalDateTime(TimePoint t) {
  std::time_t secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm tm{};
  localtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min);
}

namespace {

bool ReadInt(std::string_view s, size_t pos, size_t len, int* out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  std::from_chars(s.data() + pos, s.data() + pos + len, *out);
  return true;
}

Result<TimePoint> ParseRelative(std::string_view text, TimePoint now) {
  int64_t amount = 0;
  auto [end, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), amount);
  if (ec != std::errc() || end == text.data() + 1 || end + 1 != text.data() + text.size() ||
      amount < 0 || amount > 1'000'000) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("'{}' is not a time: write +10m, +2h or +1d", text));
  }
  int64_t unit = 0;
  switch (*end) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("'{}' has an unknown unit: use s, m, h or d", text));
  }
  return now + std::chrono::seconds(amount * unit);
}

}  // namespace

Result<TimePoint> ParseTime(std::string_view text, TimePoint now) {
  if (!text.empty() && text[0] == '+') return ParseRelative(text, now);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("'{}' is not a time: write 2026-11-22T08:15:00Z or +10m", text));
  };
  if (!ReadInt(text, 0, 4, &y) || text.size() < 10 || text[4] != '-' || !ReadInt(text, 5, 2, &mo) ||
      text[7] != '-' || !ReadInt(text, 8, 2, &d))
    return bad();
  size_t pos = 10;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != ' ') return bad();
    if (!ReadInt(text, pos + 1, 2, &h) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadInt(text, pos + 4, 2, &mi))
      return bad();
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!ReadInt(text, pos + 1, 2, &s)) return bad();
      pos += 3;
    }
  }
  int offset_min = 0;
  if (pos < text.size()) {
    if (text[pos] == 'Z' && pos + 1 == text.size()) {
      // UTC
    } else if ((text[pos] == '+' || text[pos] == '-') && pos + 6 == text.size() &&
               text[pos + 3] == ':') {
      int oh, om;
      if (!ReadInt(text, pos + 1, 2, &oh) || !ReadInt(text, pos + 4, 2, &om)) return bad();
      offset_min = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    } else {
      return bad();
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return bad();
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  std::time_t secs = timegm(&tm) - offset_min * 60;
  return TimePoint(std::chrono::seconds(secs));
}

}  // namespace faxgate
