#pragma once

#include <memory>
#include <optional>
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
    // Thresholds on this gauge (all optional): warning below critical above the value,
    // warning above critical below it.
    std::optional<double> warn_above;
    std::optional<double> error_above;
    std::optional<double> warn_below;
    std::optional<double> error_below;

    bool HasThresholds() const { return warn_above || error_above || warn_below || error_below; }
  };

  QueryCheck(CheckSpec spec, std::string sql, std::vector<MetricMapping> metrics, int max_series);

  std::vector<MetricDescriptor> Descriptors() const override;
  Observation Collect(const CollectContext& context) override;
  CheckSummary Summarize(const Observation& observation, TimePoint now) const override;
  std::vector<Sample> ConfigSamples() const override;
  nlohmann::json ThresholdsJson() const override;

  const std::vector<MetricMapping>& metrics() const { return metrics_; }

 private:
  std::string sql_;
  std::vector<MetricMapping> metrics_;
  int max_series_;
};

std::shared_ptr<Check> MakeQueryCheck(CheckSpec spec, MappingReader& reader,
                                      const ConfigData& config);

}  // namespace freshness
