#pragma once

#if defined(__SANITIZE_THREAD__)
#define FRESHNESS_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FRESHNESS_THREAD_SANITIZER 1
#endif
#endif

#ifdef FRESHNESS_THREAD_SANITIZER
#include <atomic>
#include <mutex>
#endif

namespace freshness {

// Uninstrumented libraries build some function-local statics on first use (libpqxx its encoding
// table during the first connection). A later
// thread passes the static's guard on an inline fast path inside the library, which
// ThreadSanitizer cannot observe, so it reports a race that does not exist. Under
// ThreadSanitizer only, a latch lets callers through one at a time until one of them has
// succeeded (and so built the statics); in every other build it is empty and never waits.
class FirstSuccessLatch {
 public:
  // One caller's pass: waits its turn while the latch is closed.
  class Turn {
   public:
#ifdef FRESHNESS_THREAD_SANITIZER
    explicit Turn(FirstSuccessLatch& latch) : latch_(latch) {
      if (!latch_.open_.load()) lock_ = std::unique_lock<std::mutex>(latch_.mutex_);
    }
    // Opens the latch for good.
    void Succeeded() { latch_.open_.store(true); }

   private:
    FirstSuccessLatch& latch_;
    std::unique_lock<std::mutex> lock_;
#else
    explicit Turn(FirstSuccessLatch&) {}
    void Succeeded() {}
#endif
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
  };

#ifdef FRESHNESS_THREAD_SANITIZER
 private:
  std::mutex mutex_;
  std::atomic<bool> open_{false};
#endif
};

}  // namespace freshness
