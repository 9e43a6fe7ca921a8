#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

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

// Elapsed time that passes only when told to. Its waits block on the caller's condition variable
// until it is notified or Advance moves the time past their deadline, so code that sleeps until
// a deadline runs as fast as the test advances it. Safe to use from several threads; Advance must
// not race the destruction of a waiter's mutex or condition variable (stop their threads first).
class FakeMonotonicClock final : public MonotonicClock {
 public:
  MonotonicTime Now() const override { return MonotonicTime(MonotonicTime::duration(now_.load())); }

  void Wait(std::condition_variable& wake, std::unique_lock<std::mutex>& lock) const override {
    WaitUntil(wake, lock, MonotonicTime::max());
  }

  void WaitUntil(std::condition_variable& wake, std::unique_lock<std::mutex>& lock,
                 MonotonicTime deadline) const override {
    Waiter waiter{&wake, lock.mutex(), deadline};
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (Now() >= deadline) return;
      waiters_.push_back(&waiter);
    }
    waiters_changed_.notify_all();
    // `lock` is held from the check above until wait releases it, and Advance takes it before
    // notifying: an advance in between is not lost.
    wake.wait(lock);
    {
      std::lock_guard<std::mutex> guard(mutex_);
      waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &waiter));
    }
    waiters_changed_.notify_all();
  }

  // Moves time forward and wakes the waits whose deadline it reached.
  void Advance(std::chrono::nanoseconds step) {
    std::vector<std::pair<std::condition_variable*, std::mutex*>> due;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      now_.fetch_add(std::chrono::duration_cast<MonotonicTime::duration>(step).count());
      for (const Waiter* waiter : waiters_) {
        if (waiter->deadline <= Now()) due.emplace_back(waiter->wake, waiter->mutex);
      }
    }
    for (const auto& [wake, mutex] : due) {
      std::lock_guard<std::mutex> guard(*mutex);
      wake->notify_all();
    }
    waiters_changed_.notify_all();
  }

  // Blocks (in real time, at most `limit`) until `count` threads wait on this clock for a
  // deadline still ahead (or for none): e.g. every worker of a collector is idle. Returns whether
  // they do.
  bool AwaitIdle(std::size_t count,
                 std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
    std::unique_lock<std::mutex> guard(mutex_);
    return waiters_changed_.wait_for(guard, limit, [&] {
      const MonotonicTime now = Now();
      return static_cast<std::size_t>(std::count_if(
                 waiters_.begin(), waiters_.end(),
                 [now](const Waiter* waiter) { return waiter->deadline > now; })) >= count;
    });
  }

 private:
  struct Waiter {
    std::condition_variable* wake;
    std::mutex* mutex;
    MonotonicTime deadline;
  };

  std::atomic<MonotonicTime::rep> now_{0};
  mutable std::mutex mutex_;
  mutable std::condition_variable waiters_changed_;
  mutable std::vector<const Waiter*> waiters_;
};

}  // namespace freshness::testing
