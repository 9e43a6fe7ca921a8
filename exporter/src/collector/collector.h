#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "checks/check.h"
#include "collector/check_state.h"
#include "db/database.h"
#include "loader/config_loader.h"
#include "log/logger.h"
#include "util/clock.h"

namespace freshness {

using DatabaseMap = std::map<std::string, std::shared_ptr<Database>>;

// Runs every check of one config in the background, each on its own interval (with jitter),
// one run per check at a time, on a bounded pool of workers; keeps each check's last result.
// A failing or slow check never stops another one: each run has its own budget and one catch
// site here. The schedule, run durations and budgets follow the MonotonicClock it is given (the
// wall Clock only dates results), so tests run it on fake time.
class Collector {
 public:
  struct Options {
    int workers = 8;
    bool jitter = true;  // spread first runs so checks do not hit the database together
  };

  Collector(std::shared_ptr<const Config> config, DatabaseMap databases, const Clock& clock,
            const MonotonicClock& elapsed, Logger& logger, Options options);
  // Elapsed time from the process's steady clock.
  Collector(std::shared_ptr<const Config> config, DatabaseMap databases, const Clock& clock,
            Logger& logger, Options options);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Carries counters and last observations over from a previous collector, by check name, so a
  // reload neither resets counters nor empties /metrics. Call before Start.
  void AdoptStates(const Collector& previous);

  void Start();
  void Stop();  // waits for runs in progress (each bounded by its budget)
  // Runs every check once on the worker pool and returns when all are done (--once); with
  // `run`, only the checks it accepts (--once --at skips the database checks).
  void RunOnce(const std::function<bool(const Check&)>& run = nullptr);

  // Calls `visit` for every check with its state, under a shared lock: keep it quick.
  void Visit(const std::function<void(const Check&, const CheckState&)>& visit) const;
  std::optional<CheckState> StateOf(const std::string& check_name) const;
  bool FirstCollectionDone() const;
  std::optional<double> LastCollectionUnix() const;

  const Config& config() const { return *config_; }
  // Per check, in config order: its declared-threshold samples as exposition text, and its label
  // blocks ({check=...,globals}; with kind/target/mode; with each error reason).
  struct CheckText {
    std::shared_ptr<const RenderedSamples> config_samples;
    std::string labels;
    std::string info_labels;
    std::vector<std::string> reason_labels;  // in kAllErrorReasons order
  };
  const std::vector<CheckText>& check_text() const { return check_text_; }
  const std::shared_ptr<const Config>& shared_config() const { return config_; }
  const DatabaseMap& databases() const { return databases_; }

 private:
  struct Due {
    MonotonicTime when;
    std::size_t index;
    bool operator>(const Due& other) const { return when > other.when; }
  };

  void RunCheck(std::size_t index);
  void WorkerLoop();
  std::chrono::nanoseconds Jitter(std::chrono::nanoseconds interval);

  std::shared_ptr<const Config> config_;
  DatabaseMap databases_;
  const Clock& clock_;
  const MonotonicClock& elapsed_;
  Logger& logger_;
  Options options_;

  mutable std::shared_mutex state_mutex_;
  std::vector<CheckState> states_;
  std::vector<CheckText> check_text_;
  std::map<std::string, std::size_t> index_by_name_;
  std::atomic<std::size_t> collected_count_{0};
  std::atomic<double> last_collection_unix_{0};

  std::mutex schedule_mutex_;
  std::condition_variable schedule_changed_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> schedule_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::uint64_t jitter_state_;
};

}  // namespace freshness
