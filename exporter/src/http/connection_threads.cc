#include "http/connection_threads.h"

#include <utility>

namespace freshness {

ConnectionThreads::ConnectionThreads(std::size_t min_threads, std::size_t max_threads,
                                     std::chrono::milliseconds idle_timeout)
    : min_threads_(min_threads),
      max_threads_(max_threads < 1 ? 1 : max_threads),
      idle_timeout_(idle_timeout) {
  std::lock_guard<std::mutex> lock(mutex_);
  while (alive_ < min_threads_ && alive_ < max_threads_) StartWorker();
}

ConnectionThreads::~ConnectionThreads() { shutdown(); }

void ConnectionThreads::enqueue(std::function<void()> job) {
  std::lock_guard<std::mutex> lock(mutex_);
  jobs_.push_back(std::move(job));
  ReapFinished();
  // Idle threads already waiting may take this job; grow only when they cannot.
  if (jobs_.size() > idle_ && alive_ < max_threads_) {
    StartWorker();
  } else {
    work_.notify_one();
  }
}

void ConnectionThreads::shutdown() {
  std::list<Worker> joining;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  {
    // Workers drain the queue before they stop. List nodes stay where they are when the list is
    // taken whole, so exiting workers can still mark themselves, and are joined outside the lock.
    std::lock_guard<std::mutex> lock(mutex_);
    joining.swap(workers_);
  }
  for (Worker& worker : joining) {
    if (worker.thread.joinable()) worker.thread.join();
  }
}

std::size_t ConnectionThreads::threads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return alive_;
}

void ConnectionThreads::StartWorker() {
  workers_.emplace_back();
  Worker* worker = &workers_.back();
  ++alive_;
  worker->thread = std::thread([this, worker] { Run(worker); });
}

void ConnectionThreads::ReapFinished() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->finished) {
      it->thread.join();  // it has left Run: returns at once
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

void ConnectionThreads::Run(Worker* self) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    if (jobs_.empty()) {
      if (stopping_) break;
      ++idle_;
      const bool woken =
          work_.wait_for(lock, idle_timeout_, [this] { return stopping_ || !jobs_.empty(); });
      --idle_;
      if (!woken && alive_ > min_threads_) break;
      continue;
    }
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();  // httplib's connection handler: it catches what the routes throw
    job = nullptr;
    lock.lock();
  }
  --alive_;
  self->finished = true;
}

}  // namespace freshness
