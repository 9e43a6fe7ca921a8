#pragma once

#include <chrono>

namespace freshness {

using TimePoint = std::chrono::system_clock::time_point;

// Time comes through this interface so schedules and ages can be tested with a fake clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// Seconds since the Unix epoch, as Prometheus timestamps are written.
inline double ToUnixSeconds(TimePoint time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

inline TimePoint FromUnixSeconds(double seconds) {
  return TimePoint(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::duration<double>(seconds)));
}

}  // namespace freshness

namespace freshness {

// A clock fixed at one instant: --once --at replays schedules as of that time.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint at) : at_(at) {}
  TimePoint Now() const override { return at_; }

 private:
  TimePoint at_;
};

}  // namespace freshness
