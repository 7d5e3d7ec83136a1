// Timestamps as users and the API see them: RFC 3339 in UTC.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace faxgate {

// "2026-11-22T08:15:00Z"
std::string FormatRfc3339(TimePoint t);
// "2026-11-22 16:15" in the server's local time zone: what a cover page or tag line shows.
std::string FormatLocalDateTime(TimePoint t);
// Accepts "2026-11-22T08:15:00Z", "...+08:00", "2026-11-22 08:15" (UTC), and "+10m"/"+2h"
// relative to now (what `faxgate send -a` users type).
Result<TimePoint> ParseTime(std::string_view text, TimePoint now);

}  // namespace faxgate
