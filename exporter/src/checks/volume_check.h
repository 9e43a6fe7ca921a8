#pragma once

#include <date/tz.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checks/check.h"
#include "checks/table_keys.h"
#include "config/mapping_reader.h"
#include "schedule/calendar.h"

namespace freshness {

// kind: volume — rows whose time_column falls in the last `period`, [now - period, now),
// compared with a fixed count (`expect: {rows: N}`) or with the same local times N days, weeks or
// business days before. Exports freshness_volume_observed_rows, freshness_volume_expected_rows
// and freshness_volume_ratio (absent when nothing is expected).
class VolumeCheck final : public Check {
 public:
  enum class Expect { kRows, kDaysAgo, kWeeksAgo, kBusinessDaysAgo };

  struct Settings {
    std::string table;        // quoted
    std::string time_column;  // quoted
    std::string where;        // " AND (...)" or ""
    Duration period{3'600'000};
    Expect expect = Expect::kRows;
    long long count = 0;                       // rows, or how many days, weeks, business days ago
    std::shared_ptr<const Calendar> calendar;  // business_days_ago only
    const date::time_zone* zone = nullptr;     // local times of the comparison
    TierPair tiers;                            // warn_below, error_below (ratios)
    // For run-time errors: the table as configured and the keys' texts.
    std::string table_name;
    std::vector<SqlKeyText> keys;
  };

  VolumeCheck(CheckSpec spec, Settings settings);

  std::vector<MetricDescriptor> Descriptors() const override;
  Observation Collect(const CollectContext& context) override;
  CheckSummary Summarize(const Observation& observation, TimePoint now) const override;
  std::vector<Sample> ConfigSamples() const override;
  nlohmann::json ThresholdsJson() const override;

  const Settings& settings() const { return settings_; }
  // The period compared with the one that ends at `end` (the same local times days, weeks or
  // business days before); nullopt for `rows:`. Throws CheckError (config) when the calendar's
  // holidays do not cover `end`'s day.
  std::optional<std::pair<TimePoint, TimePoint>> ComparisonPeriod(TimePoint end) const;
  // The statement counting the period that ends at `end` (and the comparison period).
  std::string CountSql(TimePoint end) const;

 private:
  Settings settings_;
};

std::shared_ptr<Check> MakeVolumeCheck(CheckSpec spec, MappingReader& reader,
                                       const ConfigData& config);

}  // namespace freshness
