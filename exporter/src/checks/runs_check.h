#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "checks/table_keys.h"
#include "config/mapping_reader.h"

namespace freshness {

// kind: runs — runs of a ledger started inside `window` that have no finish time yet.
// Exports freshness_unfinished_runs and freshness_oldest_unfinished_run_age_seconds. With
// `failed_when` (a condition on a finished run's row), also the failed runs inside the window,
// the streak of failures among the newest finished runs (across the window) and the newest
// successful run's finish time and age.
class RunsCheck final : public Check {
 public:
  // What `failed_when` adds; absent without it.
  struct Ledger {
    std::string sql;       // one row: failed runs in the window, the streak, the newest success
    TierPair failures;     // warn_after_failures, error_after_failures (>= tier breaches)
    TierPair success_age;  // max_success_age (warning only, seconds, > tier breaches)
    int streak_cap = 0;    // the streak is counted among at most this many newest runs
  };
  // Names for run-time errors: the table as configured and the keys' texts.
  struct Names {
    std::string table;
    std::vector<SqlKeyText> keys;
  };

  RunsCheck(CheckSpec spec, std::string sql, TierPair tiers, Duration for_duration,
            std::optional<Ledger> ledger = std::nullopt, Names names = {});

  std::vector<MetricDescriptor> Descriptors() const override;
  Observation Collect(const CollectContext& context) override;
  CheckSummary Summarize(const Observation& observation, TimePoint now) const override;
  std::vector<Sample> ConfigSamples() const override;
  nlohmann::json ThresholdsJson() const override;

  const std::string& sql() const { return sql_; }
  const TierPair& tiers() const { return tiers_; }
  const std::optional<Ledger>& ledger() const { return ledger_; }

 private:
  std::string sql_;
  TierPair tiers_;  // warn_duration, max_duration (seconds, on the oldest run's age)
  Duration for_duration_;
  std::optional<Ledger> ledger_;
  Names names_;
};

std::shared_ptr<Check> MakeRunsCheck(CheckSpec spec, MappingReader& reader,
                                     const ConfigData& config);

}  // namespace freshness
