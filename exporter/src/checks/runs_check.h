#pragma once

#include <memory>
#include <string>

#include "checks/check.h"
#include "config/mapping_reader.h"

namespace freshness {

// kind: runs — runs of a ledger started inside `window` that have no finish time yet.
// Exports freshness_unfinished_runs and freshness_oldest_unfinished_run_age_seconds.
class RunsCheck final : public Check {
 public:
  RunsCheck(CheckSpec spec, std::string sql, TierPair tiers, Duration for_duration);

  std::vector<MetricDescriptor> Descriptors() const override;
  Observation Collect(const CollectContext& context) override;
  CheckSummary Summarize(const Observation& observation, TimePoint now) const override;
  std::vector<Sample> ConfigSamples() const override;
  nlohmann::json ThresholdsJson() const override;

  const std::string& sql() const { return sql_; }
  const TierPair& tiers() const { return tiers_; }

 private:
  std::string sql_;
  TierPair tiers_;  // warn_duration, max_duration (seconds, on the oldest run's age)
  Duration for_duration_;
};

std::shared_ptr<Check> MakeRunsCheck(CheckSpec spec, MappingReader& reader, const Config& config);

}  // namespace freshness
