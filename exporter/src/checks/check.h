#pragma once

#include <prometheus/metric_type.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "schedule/active_window.h"
#include "util/check_error.h"
#include "util/clock.h"
#include "util/duration.h"

namespace freshness {

class Database;

// The keys every check has, whatever its kind.
struct CheckSpec {
  std::string name;
  std::string kind;
  std::string target;  // empty for kinds that read no database (artifact)
  Duration interval{15'000};
  Duration timeout{5'000};
  std::string mode = "enforce";  // enforce | observe
  std::string severity = "warning";
  std::shared_ptr<const ActiveWindow> active;  // null: always active
  SourceMark mark;
};

struct MetricDescriptor {
  std::string name;
  std::string help;
  prometheus::MetricType type = prometheus::MetricType::Gauge;
};

// One value a check exports. Labels are the check's own (group_by columns, state); the
// collector adds `check` and the global labels.
struct Sample {
  std::string metric;
  Labels labels;
  double value = 0;
  // When set, the exported value is (scrape time - since_unix_seconds): ages are computed at
  // scrape time so they are exact and never under-report staleness between collections.
  std::optional<double> since_unix_seconds;
};

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
};

// One line of the status page, the JSON API and --once.
struct CheckSummary {
  std::string state;    // e.g. "ok", "lagging", "fresh", "missing"
  std::string value;    // human-readable main value, e.g. "12.3s", "2 unfinished"
  bool healthy = true;  // false makes --once exit 1 (e.g. artifact stale or missing)
};

struct CollectContext {
  Database* database = nullptr;  // the check's target; null for kinds without one
  const Clock* clock = nullptr;
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

  // Every metric this check may emit, for HELP and TYPE lines.
  virtual std::vector<MetricDescriptor> Descriptors() const = 0;
  virtual Observation Collect(const CollectContext& context) = 0;
  virtual CheckSummary Summarize(const Observation& observation, TimePoint now) const = 0;

 private:
  CheckSpec spec_;
};

}  // namespace freshness
