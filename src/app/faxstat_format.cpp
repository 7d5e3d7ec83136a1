#include "app/faxstat_format.h"

#include <ctime>

#include <fmt/format.h>

#include "base/time_format.h"

namespace faxgate {
namespace {

std::string Truncate(const std::string& s, size_t n) { return s.size() > n ? s.substr(0, n) : s; }

TimePoint TimeField(const nlohmann::json& j, const char* key, TimePoint now) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return TimePoint{};
  auto t = ParseTime(it->get<std::string>(), now);
  return t.ok() ? *t : TimePoint{};
}

std::string Strftime(const char* format, TimePoint t) {
  std::time_t secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

}  // namespace

char StateLetter(const std::string& s) {
  if (s == "preparing") return 'B';  // blocked: its documents are being converted
  if (s == "scheduled") return 'P';  // pending: waiting for its time to send
  if (s == "retrying") return 'S';   // sleeping between attempts
  if (s == "queued") return 'W';     // waiting for a line
  if (s == "sending") return 'R';    // running
  if (s == "succeeded") return 'D';  // done
  if (s == "failed" || s == "cancelled") return 'F';
  return '?';
}

std::string CompactTime(TimePoint t, TimePoint now, bool future) {
  if (t == TimePoint{}) return "";
  if (future && t <= now) return "";
  const auto distance = future ? t - now : now - t;
  if (Strftime("%Y%m%d", t) == Strftime("%Y%m%d", now)) return Strftime("%H:%M", t);
  if (distance < std::chrono::hours(24 * 7)) return Strftime("%a%I%p", t);
  return Strftime("%d%b%y", t);
}

std::string FormatJobRow(const nlohmann::json& f, TimePoint now) {
  const std::string status = f.value("status", "");
  const auto& to = f["to"];
  std::string number = to.value("input", "");
  if (number.empty()) number = to.value("display", "");
  TimePoint tts =
      status == "retrying" ? TimeField(f, "next_try_at", now) : TimeField(f, "send_at", now);
  std::string pages = fmt::format("{:2}:{:<2}", f.value("pages_sent", 0), f.value("pages", 0));
  std::string dials = fmt::format("{:2}:{:<2}", f.value("dials", 0), f.value("max_dials", 0));
  return fmt::format("{:<4} {:3} {} {:>6} {:<12} {:>5} {:>5} {:>7} {}", f.value("id", 0),
                     f.value("priority", 0), StateLetter(status), Truncate(f.value("owner", ""), 6),
                     Truncate(number, 12), pages, dials, CompactTime(tts, now, true),
                     Truncate(f.value("status_text", ""), 25));
}

std::string FormatReceivedRow(const nlohmann::json& f, TimePoint now) {
  const bool receiving = f.value("status", "") == "receiving";
  std::string sender = f.value("remote_ident", "");
  if (sender.empty()) sender = f.value("caller_number", "");
  return fmt::format("{:<7} {:4}{} {:<8} {:>14} {:>7} fax{:08}.tif", "-rw-r--", f.value("pages", 0),
                     receiving ? '*' : ' ', Truncate(f.value("owner", ""), 8), Truncate(sender, 14),
                     CompactTime(TimeField(f, "started_at", now), now, false), f.value("id", 0));
}

}  // namespace faxgate
