#include "collector/collector.h"

#include <algorithm>

#include "metrics/text_format.h"
#include "util/redact.h"

namespace freshness {

Collector::Collector(std::shared_ptr<const Config> config, DatabaseMap databases,
                     const Clock& clock, Logger& logger, Options options)
    : Collector(std::move(config), std::move(databases), clock, RealMonotonicClock(), logger,
                options) {}

Collector::Collector(std::shared_ptr<const Config> config, DatabaseMap databases,
                     const Clock& clock, const MonotonicClock& elapsed, Logger& logger,
                     Options options)
    : config_(std::move(config)),
      databases_(std::move(databases)),
      clock_(clock),
      elapsed_(elapsed),
      logger_(logger),
      options_(options),
      states_(config_->checks.size()),
      jitter_state_(static_cast<std::uint64_t>(elapsed.Now().time_since_epoch().count()) | 1) {
  const Labels& global = config_->global.labels;
  for (std::size_t i = 0; i < config_->checks.size(); ++i) {
    const Check& check = *config_->checks[i];
    const CheckSpec& spec = check.spec();
    index_by_name_[spec.name] = i;
    CheckText text;
    text.config_samples =
        RenderSamples(check.ConfigSamples(), check.Descriptors(), spec.name, global);
    text.labels = LabelBlock({{"check", spec.name}}, {}, global);
    text.info_labels = LabelBlock(
        {{"check", spec.name}, {"kind", spec.kind}, {"target", spec.target}, {"mode", spec.mode}},
        {}, global);
    for (ErrorReason reason : kAllErrorReasons) {
      text.reason_labels.push_back(LabelBlock(
          {{"check", spec.name}}, {{"reason", std::string(ReasonName(reason))}}, global));
    }
    check_text_.push_back(std::move(text));
  }
  options_.workers = std::max(1, options_.workers);
}

Collector::~Collector() { Stop(); }

void Collector::AdoptStates(const Collector& previous) {
  std::shared_lock<std::shared_mutex> their_lock(previous.state_mutex_);
  std::unique_lock<std::shared_mutex> lock(state_mutex_);
  for (const auto& [name, index] : index_by_name_) {
    const auto found = previous.index_by_name_.find(name);
    if (found == previous.index_by_name_.end()) continue;
    const Check& before = *previous.config_->checks[found->second];
    const Check& now = *config_->checks[index];
    CheckState state = previous.states_[found->second];
    // Values of a check whose kind or target changed describe something else: keep only the
    // counters, which must never go backwards.
    if (before.spec().kind != now.spec().kind || before.spec().target != now.spec().target) {
      CheckState fresh;
      fresh.errors_by_reason = state.errors_by_reason;
      fresh.collections = state.collections;
      state = fresh;
    } else {
      // What the check remembers between runs (lag groups) goes on with it.
      config_->checks[index]->AdoptMemory(before);
    }
    // The series text carries the global labels, which a reload may have changed.
    if (state.observation != nullptr) {
      state.rendered = RenderSamples(state.observation->samples, now.Descriptors(), now.spec().name,
                                     config_->global.labels);
    }
    // Readiness waits for this config's own first collection.
    state.collected = false;
    states_[index] = std::move(state);
  }
}

std::chrono::nanoseconds Collector::Jitter(std::chrono::nanoseconds interval) {
  // xorshift: cheap, and good enough to spread start times.
  jitter_state_ ^= jitter_state_ << 13;
  jitter_state_ ^= jitter_state_ >> 7;
  jitter_state_ ^= jitter_state_ << 17;
  const auto span = std::max<std::int64_t>(1, interval.count());
  return std::chrono::nanoseconds(
      static_cast<std::int64_t>(jitter_state_ % static_cast<std::uint64_t>(span)));
}

void Collector::Start() {
  std::lock_guard<std::mutex> lock(schedule_mutex_);
  stopping_ = false;
  const MonotonicTime now = elapsed_.Now();
  for (std::size_t i = 0; i < config_->checks.size(); ++i) {
    const auto interval = config_->checks[i]->spec().interval;
    // First runs land within the first second (or interval) so readiness comes quickly.
    const auto spread = std::min<std::chrono::nanoseconds>(interval, std::chrono::seconds(1));
    schedule_.push(Due{now + (options_.jitter ? Jitter(spread) : std::chrono::nanoseconds(0)), i});
  }
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

void Collector::Stop() {
  {
    std::lock_guard<std::mutex> lock(schedule_mutex_);
    stopping_ = true;
  }
  schedule_changed_.notify_all();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
  std::lock_guard<std::mutex> lock(schedule_mutex_);
  schedule_ = {};
}

void Collector::WorkerLoop() {
  std::unique_lock<std::mutex> lock(schedule_mutex_);
  while (!stopping_) {
    if (schedule_.empty()) {
      elapsed_.Wait(schedule_changed_, lock);
      continue;
    }
    const Due next = schedule_.top();
    if (next.when > elapsed_.Now()) {
      elapsed_.WaitUntil(schedule_changed_, lock, next.when);
      continue;
    }
    schedule_.pop();
    lock.unlock();
    RunCheck(next.index);
    lock.lock();
    // Fixed cadence from the planned time, with a little jitter; an overrun starts again now.
    const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(
        config_->checks[next.index]->spec().interval);
    MonotonicTime when = next.when + interval;
    if (options_.jitter) when += Jitter(interval / 50);
    when = std::max(when, elapsed_.Now());
    schedule_.push(Due{when, next.index});
    schedule_changed_.notify_one();
  }
}

void Collector::RunOnce(const std::function<bool(const Check&)>& run) {
  std::vector<std::size_t> due;
  for (std::size_t i = 0; i < config_->checks.size(); ++i) {
    if (!run || run(*config_->checks[i])) due.push_back(i);
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  const std::size_t count = due.size();
  const int workers =
      static_cast<int>(std::min<std::size_t>(options_.workers, std::max<std::size_t>(count, 1)));
  for (int i = 0; i < workers; ++i) {
    threads.emplace_back([&] {
      for (std::size_t at = next++; at < count; at = next++) RunCheck(due[at]);
    });
  }
  for (std::thread& thread : threads) thread.join();
}

void Collector::RunCheck(std::size_t index) {
  Check& check = *config_->checks[index];
  const CheckSpec& spec = check.spec();
  CollectContext context;
  context.clock = &clock_;
  context.elapsed = &elapsed_;
  context.budget = spec.timeout;
  if (!spec.target.empty()) {
    const auto found = databases_.find(spec.target);
    if (found != databases_.end()) context.database = found->second.get();
  }

  std::optional<Observation> observation;
  std::optional<Observation::Failure> failure;
  const MonotonicTime started = elapsed_.Now();
  try {
    if (!spec.target.empty() && context.database == nullptr) {
      throw CheckError(ErrorReason::kConfig, "target \"" + spec.target + "\" is not available");
    }
    observation = check.Collect(context);
    if (observation->failure) failure = observation->failure;
  } catch (const CheckError& error) {
    failure = Observation::Failure{error.reason(), error.what()};
  } catch (const std::exception& error) {
    // A library error a check did not classify: still counted, never fatal.
    failure = Observation::Failure{spec.target.empty() ? ErrorReason::kProbe : ErrorReason::kQuery,
                                   error.what()};
  } catch (...) {
    failure = Observation::Failure{ErrorReason::kQuery, "unknown error"};
  }
  if (failure && failure->message.rfind("target \"", 0) == 0) {
    // A database error: say which check met it, wherever the message is shown on its own.
    failure->message = "check \"" + spec.name + "\", " + failure->message;
  }
  const std::chrono::duration<double> duration = elapsed_.Now() - started;
  const double finished_unix = ToUnixSeconds(clock_.Now());
  // The series text, written here on the worker rather than on every scrape.
  std::shared_ptr<const Observation> stored;
  std::shared_ptr<const RenderedSamples> rendered;
  if (observation) {
    stored = std::make_shared<const Observation>(std::move(*observation));
    rendered =
        RenderSamples(stored->samples, check.Descriptors(), spec.name, config_->global.labels);
  }

  bool first_run = false;
  bool recovered = false;
  {
    std::unique_lock<std::shared_mutex> lock(state_mutex_);
    CheckState& state = states_[index];
    first_run = !state.collected;
    recovered = state.last_error_reason.has_value() && !failure;
    state.collected = true;
    state.collections++;
    state.duration_seconds = duration.count();
    state.last_run_unix = finished_unix;
    if (stored) {
      state.observation = std::move(stored);
      state.rendered = std::move(rendered);
    }
    if (failure) {
      state.success = false;
      state.errors_by_reason[static_cast<std::size_t>(failure->reason)]++;
      state.last_error_reason = failure->reason;
      state.last_error = RedactSecrets(failure->message);
    } else {
      state.success = true;
      state.last_success_unix = finished_unix;
      state.last_error_reason.reset();
      state.last_error.clear();
    }
  }
  if (first_run) collected_count_++;
  double previous = last_collection_unix_.load();
  while (previous < finished_unix &&
         !last_collection_unix_.compare_exchange_weak(previous, finished_unix)) {
  }
  if (failure) {
    logger_.Warn("check failed", {{"check", spec.name},
                                  {"reason", std::string(ReasonName(failure->reason))},
                                  {"err", failure->message}});
  } else if (recovered) {
    logger_.Info("check recovered", {{"check", spec.name}});
  } else {
    logger_.Debug("check collected",
                  {{"check", spec.name}, {"duration_seconds", std::to_string(duration.count())}});
  }
}

void Collector::Visit(const std::function<void(const Check&, const CheckState&)>& visit) const {
  std::shared_lock<std::shared_mutex> lock(state_mutex_);
  for (std::size_t i = 0; i < states_.size(); ++i) visit(*config_->checks[i], states_[i]);
}

std::optional<CheckState> Collector::StateOf(const std::string& check_name) const {
  std::shared_lock<std::shared_mutex> lock(state_mutex_);
  const auto found = index_by_name_.find(check_name);
  if (found == index_by_name_.end()) return std::nullopt;
  return states_[found->second];
}

bool Collector::FirstCollectionDone() const {
  return collected_count_.load() >= config_->checks.size();
}

std::optional<double> Collector::LastCollectionUnix() const {
  const double value = last_collection_unix_.load();
  if (value <= 0) return std::nullopt;
  return value;
}

}  // namespace freshness
