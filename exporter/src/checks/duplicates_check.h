#pragma once

#include <memory>
#include <string>

#include "checks/check.h"
#include "config/mapping_reader.h"

namespace freshness {

// kind: duplicates — keys executed more than once inside `window` (idempotency violations).
// Exports freshness_duplicate_executions.
class DuplicatesCheck final : public Check {
 public:
  DuplicatesCheck(CheckSpec spec, std::string sql, TierPair tiers);

  std::vector<MetricDescriptor> Descriptors() const override;
  Observation Collect(const CollectContext& context) override;
  CheckSummary Summarize(const Observation& observation, TimePoint now) const override;
  std::vector<Sample> ConfigSamples() const override;
  nlohmann::json ThresholdsJson() const override;

  const std::string& sql() const { return sql_; }
  const TierPair& tiers() const { return tiers_; }

 private:
  std::string sql_;
  TierPair tiers_;  // warn_above, error_above (counts of duplicated keys)
};

std::shared_ptr<Check> MakeDuplicatesCheck(CheckSpec spec, MappingReader& reader,
                                           const ConfigData& config);

}  // namespace freshness
