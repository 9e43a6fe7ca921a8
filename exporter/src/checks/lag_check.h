#pragma once

#include <memory>
#include <string>
#include <vector>

#include "checks/check.h"
#include "config/mapping_reader.h"

namespace freshness {

// kind: lag — how long since the newest event in a table (or per group_by value).
// Exports freshness_lag_seconds (age at scrape time, +Inf for an empty table) and
// freshness_last_event_timestamp_seconds.
class LagCheck final : public Check {
 public:
  LagCheck(CheckSpec spec, std::string sql, std::vector<std::string> group_by, int max_series);

  std::vector<MetricDescriptor> Descriptors() const override;
  Observation Collect(const CollectContext& context) override;
  CheckSummary Summarize(const Observation& observation, TimePoint now) const override;

  const std::string& sql() const { return sql_; }

 private:
  std::string sql_;
  std::vector<std::string> group_by_;
  int max_series_;
};

std::shared_ptr<Check> MakeLagCheck(CheckSpec spec, MappingReader& reader, const Config& config);

}  // namespace freshness
