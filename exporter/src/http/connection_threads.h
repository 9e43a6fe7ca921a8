#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

namespace freshness {

// The HTTP server's task queue. httplib serves each connection on one thread for as long as the
// connection stays open, idle keep-alive and unfinished requests included, so a fixed pool lets a
// few dozen slow or idle clients starve /metrics. This pool grows a thread for each connection
// that finds none idle, up to `max_threads`, and lets a thread idle for `idle_timeout` exit while
// more than `min_threads` are left: cheap at rest, and many slow clients cost threads, not
// scrapes. Past `max_threads`, connections wait in order.
class ConnectionThreads final : public httplib::TaskQueue {
 public:
  ConnectionThreads(std::size_t min_threads, std::size_t max_threads,
                    std::chrono::milliseconds idle_timeout);
  ~ConnectionThreads() override;  // shuts down if the server did not
  ConnectionThreads(const ConnectionThreads&) = delete;
  ConnectionThreads& operator=(const ConnectionThreads&) = delete;

  void enqueue(std::function<void()> job) override;
  // Runs every queued job, then joins every thread.
  void shutdown() override;

  std::size_t threads() const;  // alive now

 private:
  struct Worker {
    std::thread thread;
    bool finished = false;
  };
  void Run(Worker* self);
  void StartWorker();   // mutex_ held
  void ReapFinished();  // mutex_ held

  const std::size_t min_threads_;
  const std::size_t max_threads_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::deque<std::function<void()>> jobs_;
  std::list<Worker> workers_;
  std::size_t alive_ = 0;
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace freshness
