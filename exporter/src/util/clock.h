#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

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

using MonotonicTime = std::chrono::steady_clock::time_point;

// Elapsed time (probe budgets, run durations, the collector's schedule) comes through this
// interface, never from the wall clock, so it can be faked in tests: a fake's waits return when
// its time is advanced past their deadline.
class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  virtual MonotonicTime Now() const = 0;
  // Like std::condition_variable::wait and wait_until on `wake` with `lock` held: returns on a
  // notification of `wake`, at `deadline` on this clock, or spuriously; callers recheck.
  virtual void Wait(std::condition_variable& wake, std::unique_lock<std::mutex>& lock) const = 0;
  virtual void WaitUntil(std::condition_variable& wake, std::unique_lock<std::mutex>& lock,
                         MonotonicTime deadline) const = 0;
};

class SteadyClock final : public MonotonicClock {
 public:
  MonotonicTime Now() const override { return std::chrono::steady_clock::now(); }
  void Wait(std::condition_variable& wake, std::unique_lock<std::mutex>& lock) const override {
    wake.wait(lock);
  }
  void WaitUntil(std::condition_variable& wake, std::unique_lock<std::mutex>& lock,
                 MonotonicTime deadline) const override {
    wake.wait_until(lock, deadline);
  }
};

// The process's steady clock, for callers that are not given one.
inline const MonotonicClock& RealMonotonicClock() {
  static const SteadyClock clock;
  return clock;
}

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
