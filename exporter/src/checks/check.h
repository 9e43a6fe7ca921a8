#pragma once

#include <prometheus/metric_type.h>

#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checks/thresholds.h"
#include "config/check_spec.h"
#include "config/config.h"
#include "schedule/active_window.h"
#include "schedule/maintenance_window.h"
#include "util/check_error.h"
#include "util/clock.h"
#include "util/duration.h"

namespace freshness {

class Database;

struct MetricDescriptor {
  std::string name;
  std::string help;
  prometheus::MetricType type = prometheus::MetricType::Gauge;
};

// One value a check exports. Labels are the check's own (group_by columns, state); the
// collector adds `check` and the global labels.
struct Sample {
  Sample() = default;
  Sample(std::string metric_name, Labels sample_labels, double sample_value,
         std::optional<double> since = std::nullopt, bool clamp_at_zero = false)
      : metric(std::move(metric_name)),
        labels(std::move(sample_labels)),
        value(sample_value),
        since_unix_seconds(since),
        non_negative(clamp_at_zero) {}

  std::string metric;
  Labels labels;
  double value = 0;
  // When set, the exported value is (scrape time - since_unix_seconds): ages are computed at
  // scrape time so they are exact and never under-report staleness between collections.
  std::optional<double> since_unix_seconds;
  // An age that must not go below 0 (an object modified inside the clock-skew tolerance after
  // the evaluated instant is 0 seconds old, not -20).
  bool non_negative = false;
};

// The value a sample shows at `now_unix`: its value, or the age since since_unix_seconds.
double ValueAt(const Sample& sample, double now_unix);

// freshness_check_threshold samples of a pair of tiers on `metric`, one per tier that is set.
std::vector<Sample> TierSamples(const TierPair& tiers, const std::string& metric);
// freshness_check_for_seconds.
Sample ForSample(Duration for_duration);
// HELP of the series every kind may put in ConfigSamples.
std::vector<MetricDescriptor> ThresholdDescriptors();
// The thresholds of a pair as JSON: {"warn_after": 600, "error_after": 900} (tiers that are set).
nlohmann::json TiersJson(const TierPair& tiers);

struct Observation {
  std::vector<Sample> samples;
  // Set when the check produced values worth publishing but its collection still failed, e.g.
  // an artifact whose probe errored is exported as state probe_failed and counted as an error.
  // A check that has nothing to publish throws CheckError instead (the last good observation
  // is then kept).
  struct Failure {
    ErrorReason reason;
    std::string message;
  };
  std::optional<Failure> failure;
  // A short explanation of the values that the samples cannot carry (an artifact's "not yet at
  // this instant (modified ...)"), for reasons on the status page.
  std::string detail;
};

// The series that decided a check's level (or its largest value when all are fine).
struct WorstSeries {
  std::string metric;
  Labels labels;
  double value = 0;
  std::string text;  // the value for people: "41m08s", "3"
};

// Where an artifact check looked for the slot that matters now.
struct ArtifactLocation {
  std::string location;   // expanded, safe to show (no credentials, no query string)
  std::string partition;  // YYYY-MM-DD, empty for undated sources
};

// What a check's last observation means at one instant, by the check's own thresholds. The
// status page, the JSON API and --once build their verdicts from it.
struct CheckSummary {
  std::string state;  // e.g. "ok", "lagging", "fresh", "missing"
  std::string value;  // human-readable main value, e.g. "lag 12.3s", "2 unfinished"
  Level level = Level::kOk;
  // One line saying why: "lag 41m08s > error_after 15m (for 10m)".
  std::string reason;
  std::optional<WorstSeries> worst;
  std::optional<ArtifactLocation> artifact;
  bool paused = false;  // an artifact before its paused_until
};

struct CollectContext {
  Database* database = nullptr;  // the check's target; null for kinds without one
  const Clock* clock = nullptr;
  const MonotonicClock* elapsed = nullptr;  // budgets; null: the process's steady clock
  Duration budget{5'000};
};

// A check kind is a small class behind this interface. Collect runs on a worker thread and
// reports failure by throwing CheckError; the collector owns the common metrics.
class Check {
 public:
  explicit Check(CheckSpec spec) : spec_(std::move(spec)) {}
  virtual ~Check() = default;
  Check(const Check&) = delete;
  Check& operator=(const Check&) = delete;

  const CheckSpec& spec() const { return spec_; }

  // Every metric this check may emit, for HELP and TYPE lines (ConfigSamples' too).
  virtual std::vector<MetricDescriptor> Descriptors() const = 0;
  virtual Observation Collect(const CollectContext& context) = 0;
  // The observation judged at `now` by the check's own thresholds.
  virtual CheckSummary Summarize(const Observation& observation, TimePoint now) const = 0;
  // Series that describe the config rather than the data (declared thresholds, `for`): the
  // same at every scrape, exported whether or not the check has run.
  virtual std::vector<Sample> ConfigSamples() const { return {}; }
  // The thresholds in effect, for the JSON API: {"warn_after": 600, "for": 0} (seconds, counts).
  virtual nlohmann::json ThresholdsJson() const { return nlohmann::json::object(); }
  // Carries what a check remembers between collections over from the check of the same name
  // in the previous config (the collector calls it when kind and target are unchanged).
  virtual void AdoptMemory(const Check& /*previous*/) {}
  // Whether the check is paused at `now` (an artifact's paused_until).
  virtual bool IsPaused(TimePoint /*now*/) const { return false; }
  // Whether `now` counts towards the check's SLO: enforce mode, inside its active window, not in
  // maintenance, not paused.
  bool CountsForSlo(TimePoint now) const {
    return spec_.mode == "enforce" && spec_.IsActive(now) && spec_.MaintenanceAt(now) == nullptr &&
           !IsPaused(now);
  }

 private:
  CheckSpec spec_;
};

}  // namespace freshness
