// Wall-clock time behind an interface so that the scheduler and its tests never sleep.
#pragma once

#include <chrono>
#include <cstdint>

namespace faxgate {

using Clock_ = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock_, std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
};

// A clock that moves only when told to. Tests advance it instead of sleeping.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1'800'000'000)))
      : now_(start) {}
  TimePoint Now() const override { return now_; }
  void Advance(Duration d) { now_ += d; }
  void Set(TimePoint t) { now_ = t; }

 private:
  TimePoint now_;
};

// Milliseconds since the Unix epoch, the form the store keeps.
inline int64_t ToUnixMillis(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMillis(int64_t ms) { return TimePoint(Duration(ms)); }

}  // namespace faxgate
