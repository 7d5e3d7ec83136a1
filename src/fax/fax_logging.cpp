// InstallFaxLogging and the per-session routing of spandsp's and libtiff's messages.
#include "fax/fax_logging.h"

#include <cstdio>
#include <mutex>
#include <string_view>

#include "fax/fax_session.h"

namespace faxgate {
namespace {

// A failed call is an outcome, reported by the caller; what spandsp says along the way is
// detail, warnings included (a successful ECM call warns "ECM carrier not found" after every
// block). Only its ERROR level suggests something wrong on our side.
spdlog::level::level_enum LevelOf(int span_level) {
  return (span_level & SPAN_LOG_SEVERITY_MASK) == SPAN_LOG_ERROR ? spdlog::level::warn
                                                                 : spdlog::level::debug;
}

std::string_view Trim(const char* text) {
  std::string_view line(text ? text : "");
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

void OnSpandspMessage(int level, const char* text) {
  SpandspLog().log(LevelOf(level), "{}", Trim(text));
}

void OnT30Message(int level, const char* text) { T30Log().log(LevelOf(level), "{}", Trim(text)); }

void OnTiffMessage(spdlog::level::level_enum level, const char* module, const char* fmt,
                   va_list args) {
  if (!SpandspLog().should_log(level)) return;
  char text[512];
  std::vsnprintf(text, sizeof text, fmt, args);
  SpandspLog().log(level, "libtiff: {}: {}", module ? module : "", text);
}

void OnTiffError(const char* module, const char* fmt, va_list args) {
  OnTiffMessage(spdlog::level::warn, module, fmt, args);
}

void OnTiffWarning(const char* module, const char* fmt, va_list args) {
  OnTiffMessage(spdlog::level::debug, module, fmt, args);
}

// The C++20 `|` of enumerators from spandsp's two anonymous enums is deprecated; int it is.
constexpr int Level(int severity) { return static_cast<int>(SPAN_LOG_SHOW_TAG) | severity; }

}  // namespace

spdlog::logger& SpandspLog() {
  static const std::shared_ptr<spdlog::logger> log = log::Get("spandsp");
  return *log;
}

spdlog::logger& T30Log() {
  static const std::shared_ptr<spdlog::logger> log = log::Get("t30");
  return *log;
}

void InstallFaxLogging() {
  static std::once_flag once;
  std::call_once(once, [] {
    span_set_message_handler(&OnSpandspMessage);
    TIFFSetErrorHandler(&OnTiffError);
    TIFFSetWarningHandler(&OnTiffWarning);
  });
}

void ConfigureSessionLogging(t30_state_t* t30, logging_state_t* transport, const std::string& tag) {
  logging_state_t* t30_log = t30_get_logging_state(t30);
  bool detail = T30Log().should_log(spdlog::level::debug);
  span_log_set_level(t30_log, Level(detail ? static_cast<int>(SPAN_LOG_FLOW)
                                           : static_cast<int>(SPAN_LOG_WARNING)));
  span_log_set_tag(t30_log, tag.c_str());
  span_log_set_message_handler(t30_log, &OnT30Message);
  if (transport != nullptr) {
    span_log_set_level(transport, Level(static_cast<int>(SPAN_LOG_WARNING)));
    span_log_set_tag(transport, tag.c_str());
  }
}

}  // namespace faxgate
