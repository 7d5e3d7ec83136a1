// Logging by category. A line at info says what happened in the user's terms (number, job,
// call); protocol detail (T.30 frames, SQL, HTTP headers) goes one level below, at debug.
#pragma once

#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

namespace faxgate::log {

// Categories in use: app, http, job, queue, call, t30, store, spandsp.
std::shared_ptr<spdlog::logger> Get(std::string_view category);

// level: trace, debug, info, warn, error. Applies to every category, present and future.
void SetLevel(std::string_view level);

}  // namespace faxgate::log
