#include "http/connection_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace freshness {
namespace {

using std::chrono::milliseconds;

// Jobs that block until released, like connections held open by slow clients.
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    --waiting_;
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  bool WaitForWaiting(int count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return waiting_ >= count; });
  }
  int waiting() {
    std::lock_guard<std::mutex> lock(mutex_);
    return waiting_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

bool Eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return condition();
}

TEST(ConnectionThreadsTest, StartsWithTheMinimumAndGrowsForBlockedJobs) {
  ConnectionThreads threads(2, 64, std::chrono::seconds(30));
  EXPECT_EQ(threads.threads(), 2u);
  Gate gate;
  for (int i = 0; i < 40; ++i) threads.enqueue([&] { gate.Wait(); });
  // Forty held connections, and a forty-first job still runs at once.
  ASSERT_TRUE(gate.WaitForWaiting(40));
  std::atomic<bool> ran{false};
  threads.enqueue([&] { ran = true; });
  EXPECT_TRUE(Eventually([&] { return ran.load(); }));
  EXPECT_GE(threads.threads(), 41u);
  gate.Open();
  threads.shutdown();
  EXPECT_EQ(threads.threads(), 0u);
}

TEST(ConnectionThreadsTest, PastTheMaximumJobsWaitInOrder) {
  ConnectionThreads threads(0, 3, std::chrono::seconds(30));
  // One thread is freed first, alone, so the queued jobs run one after the other on it in the
  // order they were queued (freeing all three at once would let two threads race them).
  Gate first_gate;
  Gate other_gate;
  threads.enqueue([&] { first_gate.Wait(); });
  for (int i = 0; i < 2; ++i) threads.enqueue([&] { other_gate.Wait(); });
  ASSERT_TRUE(first_gate.WaitForWaiting(1));
  ASSERT_TRUE(other_gate.WaitForWaiting(2));
  std::atomic<int> order{0};
  int first = -1;
  int second = -1;
  threads.enqueue([&] { first = order++; });
  threads.enqueue([&] { second = order++; });
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(order.load(), 0) << "no fourth thread may start";
  EXPECT_EQ(threads.threads(), 3u);
  first_gate.Open();
  EXPECT_TRUE(Eventually([&] { return order.load() == 2; }));
  other_gate.Open();
  threads.shutdown();
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 1);
}

TEST(ConnectionThreadsTest, IdleThreadsAboveTheMinimumExit) {
  ConnectionThreads threads(1, 16, milliseconds(50));
  Gate gate;
  for (int i = 0; i < 8; ++i) threads.enqueue([&] { gate.Wait(); });
  ASSERT_TRUE(gate.WaitForWaiting(8));
  EXPECT_GE(threads.threads(), 8u);
  gate.Open();
  EXPECT_TRUE(Eventually([&] { return threads.threads() == 1; })) << threads.threads();
  // And it grows again when needed.
  std::atomic<int> done{0};
  for (int i = 0; i < 4; ++i) threads.enqueue([&] { ++done; });
  EXPECT_TRUE(Eventually([&] { return done.load() == 4; }));
}

TEST(ConnectionThreadsTest, ShutdownRunsQueuedJobsThenJoins) {
  std::atomic<int> done{0};
  {
    ConnectionThreads threads(1, 1, std::chrono::seconds(30));
    for (int i = 0; i < 20; ++i) {
      threads.enqueue([&] {
        std::this_thread::sleep_for(milliseconds(1));
        ++done;
      });
    }
    threads.shutdown();
    EXPECT_EQ(done.load(), 20);
    EXPECT_EQ(threads.threads(), 0u);
  }  // the destructor after an explicit shutdown is harmless
  EXPECT_EQ(done.load(), 20);
}

}  // namespace
}  // namespace freshness
