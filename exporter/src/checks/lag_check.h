#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "checks/grouped_lag_sql.h"
#include "config/mapping_reader.h"

namespace freshness {

// kind: lag — how long since the newest event in a table (or per group_by value).
// Exports freshness_lag_seconds (age at scrape time, +Inf for an empty table) and
// freshness_last_event_timestamp_seconds. With group_by, a group that stops being returned is
// remembered (its lag keeps growing) until forget_after has passed since it was last returned.
class LagCheck final : public Check {
 public:
  struct Settings {
    std::string sql;
    std::vector<std::string> group_by;
    int max_series = 100;
    TierPair tiers;  // warn_after, error_after (seconds)
    Duration for_duration{0};
    std::optional<Duration> forget_after = Duration(86'400'000);  // nullopt: off
    // Set for table + column + group_by (not for custom sql): the statement is then chosen per
    // config, the loose index scan when the table has the index for it, else `sql`.
    std::optional<GroupedLagQuery> grouped;
  };

  // The statement a grouped lag check runs against `database`.
  struct Plan {
    std::string sql;
    std::string index;     // the index the loose scan walks; empty for the GROUP BY form
    bool decided = false;  // false: the catalog could not be read; retried next collection
    // The index exists but the table is small for its groups (fewer than kLooseMinRowsPerGroup
    // rows per group by the planner's statistics): reading it whole is cheaper than a probe per
    // group, so the GROUP BY form runs. `index` is then the index that takes over as it grows.
    bool small_table = false;
    double estimated_rows = -1;    // pg_class.reltuples; -1 unknown
    double estimated_groups = -1;  // pg_stats.n_distinct of the group columns; -1 unknown
  };
  static constexpr double kLooseMinRowsPerGroup = 32;
  // How long a decision holds: the catalog is read again after this, so an index created later,
  // or a table that grew, changes the statement without a reload.
  static constexpr std::chrono::minutes kReplanAfter{10};
  Plan PlanFor(Database& database, Duration budget,
               std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

  LagCheck(CheckSpec spec, Settings settings);

  std::vector<MetricDescriptor> Descriptors() const override;
  Observation Collect(const CollectContext& context) override;
  CheckSummary Summarize(const Observation& observation, TimePoint now) const override;
  std::vector<Sample> ConfigSamples() const override;
  nlohmann::json ThresholdsJson() const override;
  void AdoptMemory(const Check& previous) override;

  const std::string& sql() const { return settings_.sql; }
  const Settings& settings() const { return settings_; }
  // The groups remembered, for tests.
  std::size_t RememberedGroups() const;

 private:
  struct Group {
    Labels labels;
    std::optional<double> newest;   // unix seconds; nullopt: no event (+Inf lag)
    double last_returned_unix = 0;  // when the query last returned this group
  };

  Settings settings_;
  std::mutex plan_mutex_;
  std::optional<Plan> plan_;
  std::chrono::steady_clock::time_point planned_at_;
  mutable std::mutex memory_mutex_;
  std::map<Labels, Group> memory_;
};

std::shared_ptr<Check> MakeLagCheck(CheckSpec spec, MappingReader& reader,
                                    const ConfigData& config);

}  // namespace freshness
