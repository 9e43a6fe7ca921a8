#pragma once

#include <memory>
#include <string>
#include <vector>

#include "checks/check.h"
#include "config/mapping_reader.h"

namespace freshness {

// kind: query — any SELECT mapped to named gauges, one series per row, labels from columns.
class QueryCheck final : public Check {
 public:
  struct MetricMapping {
    std::string name;
    std::string value_column;
    std::vector<std::string> label_columns;
    std::string help;
  };

  QueryCheck(CheckSpec spec, std::string sql, std::vector<MetricMapping> metrics, int max_series);

  std::vector<MetricDescriptor> Descriptors() const override;
  Observation Collect(const CollectContext& context) override;
  CheckSummary Summarize(const Observation& observation, TimePoint now) const override;

 private:
  std::string sql_;
  std::vector<MetricMapping> metrics_;
  int max_series_;
};

std::shared_ptr<Check> MakeQueryCheck(CheckSpec spec, MappingReader& reader, const Config& config);

}  // namespace freshness
