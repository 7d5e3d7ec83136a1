#include "domain/settings.h"

#include <charconv>
#include <functional>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace faxgate {
namespace {

// One row per parameter: how to print it and how to read it back. Readers return an error
// message, or "" when the value was taken.
struct Field {
  std::string_view key;
  std::function<std::string(const SystemSettings&)> get;
  std::function<std::string(SystemSettings&, const std::string&)> set;
};

std::string SetInt(int* out, const std::string& v, int lo, int hi) {
  int n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi)
    return fmt::format("must be a whole number from {} to {}", lo, hi);
  *out = n;
  return "";
}

std::string SetDigits(std::string* out, const std::string& v, bool allow_empty) {
  if (v.empty() && !allow_empty) return "must not be empty";
  for (char c : v)
    if (c < '0' || c > '9') return "must be digits only";
  *out = v;
  return "";
}

std::string SetBool(bool* out, const std::string& v) {
  if (v == "true" || v == "1")
    *out = true;
  else if (v == "false" || v == "0")
    *out = false;
  else
    return "must be true or false";
  return "";
}

#define FG_INT(name, lo, hi)                                                                        \
  Field {                                                                                           \
#name,                                                                                          \
        [](const SystemSettings&                                                                    \
               s) { return std::to_string(s.name); },                                               \
                                                   [](SystemSettings & s,                           \
                                                      const std::string&                            \
                                                          v) { return SetInt(&s.name, v, lo, hi); } \
  }
#define FG_DIGITS(name, empty_ok)                                                              \
  Field {                                                                                      \
#name, [](const SystemSettings&                                                            \
                  s) { return s.name; }, [](SystemSettings & s,                                \
                                            const std::string&                                 \
                                                v) { return SetDigits(&s.name, v, empty_ok); } \
  }
#define FG_BOOL(name)                                                                    \
  Field {                                                                                \
#name, [](const SystemSettings& s) { return std::string(s.name ? "true" : "false"); }, \
        [](SystemSettings& s, const std::string& v) { return SetBool(&s.name, v); } \
  }
#define FG_TEXT(name, max_len)                                         \
  Field {                                                              \
#name, [](const SystemSettings& s) { return s.name; },               \
        [](SystemSettings& s, const std::string& v) -> std::string {          \
          if (v.size() > max_len) return fmt::format("must be at most {} characters", max_len); \
          s.name = v;                                                          \
          return "";                                                           \
        } \
  }

#define FG_CHOICE(name, ...)                                                              \
  Field {                                                                                 \
#name, [](const SystemSettings& s) { return s.name; },                                  \
        [](SystemSettings& s, const std::string& v) -> std::string {                      \
          for (const char* choice : {__VA_ARGS__})                                        \
            if (v == choice) {                                                            \
              s.name = v;                                                                 \
              return "";                                                                  \
            }                                                                             \
          return fmt::format("must be one of: {}",                                  \
                             fmt::join(std::initializer_list<const char*>{__VA_ARGS__}, ", "));       \
        } \
  }

const std::vector<Field>& Fields() {
  static const std::vector<Field> fields = {
      FG_DIGITS(country_code, false),
      FG_DIGITS(area_code, true),
      FG_DIGITS(long_distance_prefix, true),
      FG_DIGITS(international_prefix, false),
      Field{"extension_separator",
            [](const SystemSettings& s) { return std::string(1, s.extension_separator); },
            [](SystemSettings& s, const std::string& v) -> std::string {
              if (v.size() != 1 || (v[0] >= '0' && v[0] <= '9') || v[0] == '-' || v[0] == '+')
                return "must be one letter or sign that is not a digit, '-' or '+'";
              s.extension_separator = v[0];
              return "";
            }},
      FG_INT(extension_wait_s, 0, 60),
      FG_INT(retry_interval_s, 0, 86400),
      FG_INT(retry_busy_s, 0, 86400),
      FG_INT(retry_no_answer_s, 0, 86400),
      FG_INT(max_tries, 1, 100),
      FG_INT(max_dials, 1, 1000),
      FG_INT(kill_time_s, 60, 30 * 86400),
      FG_TEXT(local_ident, 20u),
      FG_TEXT(page_header, 50u),
      FG_TEXT(tag_line, 200u),
      FG_TEXT(fax_number, 30u),
      FG_CHOICE(default_resolution, "standard", "fine", "superfine"),
      FG_CHOICE(default_paper, "a4", "letter", "b4"),
      FG_CHOICE(halftone, "cluster", "diffusion", "threshold"),
      FG_INT(max_receive_pages, 1, 10000),
      FG_TEXT(unknown_did, 64u),
      FG_INT(mail_check_interval_s, 60, 600),
      Field{"max_attachment_bytes",
            [](const SystemSettings& s) { return std::to_string(s.max_attachment_bytes); },
            [](SystemSettings& s, const std::string& v) -> std::string {
              int64_t n = 0;
              auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
              if (ec != std::errc() || end != v.data() + v.size() || n < 1024)
                return "must be a byte count of at least 1024";
              s.max_attachment_bytes = n;
              return "";
            }},
      FG_BOOL(mail_sender_auth),
      FG_BOOL(mail_password_auth),
      FG_BOOL(mail_require_spf),
      FG_BOOL(mail_require_dkim),
      FG_CHOICE(mail_body, "cover", "page", "ignore"),
      FG_BOOL(mail_result_thumbnail),
      FG_CHOICE(default_language, "en", "zh-CN"),
      FG_TEXT(printer, 200u),
  };
  return fields;
}

}  // namespace

DialPlan SystemSettings::dial_plan() const {
  DialPlan p;
  p.country_code = country_code;
  p.area_code = area_code;
  p.long_distance_prefix = long_distance_prefix;
  p.international_prefix = international_prefix;
  p.extension_separator = extension_separator;
  return p;
}

std::map<std::string, std::string> ToKeyValues(const SystemSettings& s) {
  std::map<std::string, std::string> kv;
  for (const auto& f : Fields()) kv[std::string(f.key)] = f.get(s);
  return kv;
}

Result<SystemSettings> FromKeyValues(const std::map<std::string, std::string>& kv) {
  SystemSettings s;
  for (const auto& [key, value] : kv) {
    const Field* field = nullptr;
    for (const auto& f : Fields())
      if (f.key == key) field = &f;
    if (!field) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("unknown system parameter '{}'", key));
    }
    std::string problem = field->set(s, value);
    if (!problem.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("system parameter {} = '{}' {}", key, value, problem));
    }
  }
  return s;
}

}  // namespace faxgate
