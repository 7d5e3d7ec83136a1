#include "base/clock.h"

namespace faxgate {

TimePoint SystemClock::Now() const { return std::chrono::time_point_cast<Duration>(Clock_::now()); }

}  // namespace faxgate
