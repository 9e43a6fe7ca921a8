#pragma once

#include <atomic>

#include "util/clock.h"

namespace freshness::testing {

// A clock that stands still until told to move; safe to read from several threads.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint{}) : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(TimePoint::duration(now_.load())); }
  void Set(TimePoint time) { now_.store(time.time_since_epoch().count()); }
  void Advance(std::chrono::nanoseconds step) {
    now_.fetch_add(std::chrono::duration_cast<TimePoint::duration>(step).count());
  }

 private:
  std::atomic<TimePoint::rep> now_;
};

// Elapsed time that passes only when told to; safe to read from several threads.
class FakeMonotonicClock final : public MonotonicClock {
 public:
  MonotonicTime Now() const override { return MonotonicTime(MonotonicTime::duration(now_.load())); }
  void Advance(std::chrono::nanoseconds step) {
    now_.fetch_add(std::chrono::duration_cast<MonotonicTime::duration>(step).count());
  }

 private:
  std::atomic<MonotonicTime::rep> now_{0};
};

}  // namespace freshness::testing
