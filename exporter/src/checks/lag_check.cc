#include "checks/lag_check.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "checks/check_registry.h"
#include "checks/summary_format.h"
#include "config/label_names.h"
#include "db/database.h"
#include "db/sql_text.h"
#include "db/table_catalog.h"
#include "metrics/metric_names.h"
#include "util/check_error.h"

namespace freshness {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string LabelsText(const Labels& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    out += (out.empty() ? "{" : ",") + name + "=\"" + value + "\"";
  }
  return out.empty() ? out : out + "}";
}

}  // namespace

LagCheck::LagCheck(CheckSpec spec, Settings settings)
    : Check(std::move(spec)), settings_(std::move(settings)) {}

std::vector<MetricDescriptor> LagCheck::Descriptors() const {
  std::vector<MetricDescriptor> out = {
      {metric::kLagSeconds,
       "Seconds since the newest event in the table (+Inf when the table is empty)."},
      {metric::kLastEventTimestamp, "Time of the newest event in the table."}};
  for (MetricDescriptor& descriptor : ThresholdDescriptors()) out.push_back(std::move(descriptor));
  return out;
}

LagCheck::Plan LagCheck::PlanFor(Database& database, Duration budget,
                                 std::chrono::steady_clock::time_point now) {
  if (!settings_.grouped) return Plan{settings_.sql, "", true};
  std::lock_guard<std::mutex> lock(plan_mutex_);
  if (plan_ && now - planned_at_ < kReplanAfter) return *plan_;
  const GroupedLagQuery& query = *settings_.grouped;
  TableInfo table;
  Plan plan{settings_.sql, "", true};
  try {
    table = LookupTable(database, query.table, budget);
    // A table that is not there (yet, or not for this role) fails the GROUP BY form with the
    // server's message; the choice is made once it exists.
    if (!table.found) return Plan{settings_.sql, "", false};
    const std::optional<LooseIndex> index = FindLooseIndex(table, query.group_by, query.column);
    if (index) {
      const ColumnInfo* first = table.Column(index->group_order[0]);
      const ColumnInfo* time = table.Column(query.column);
      plan.index = index->name;
      plan.estimated_rows = table.estimated_rows;
      if (const std::optional<double> groups =
              EstimateDistinct(database, table, query.group_by, budget)) {
        plan.estimated_groups = *groups;
        plan.small_table = table.estimated_rows / *groups < kLooseMinRowsPerGroup;
      }
      if (!plan.small_table) {
        plan.sql =
            LooseGroupedLagSql(query, index->group_order, first == nullptr || !first->not_null,
                               time != nullptr && time->not_null);
      }
    }
  } catch (const CheckError&) {
    // The GROUP BY form still answers (or fails with the error that explains why).
    return Plan{settings_.sql, "", false};
  }
  plan_ = plan;
  planned_at_ = now;
  return plan;
}

Observation LagCheck::Collect(const CollectContext& context) {
  const std::string sql = PlanFor(*context.database, context.budget).sql;
  const QueryResult result = context.database->Query(sql, context.budget);
  const std::vector<std::string>& group_by = settings_.group_by;
  const std::size_t label_count = group_by.size();
  if (result.columns.size() != label_count + 1) {
    throw CheckError(ErrorReason::kQuery, "expected " + std::to_string(label_count + 1) +
                                              " columns (group_by values "
                                              "then the event time), got " +
                                              std::to_string(result.columns.size()));
  }
  const double now_unix =
      ToUnixSeconds(context.clock != nullptr ? context.clock->Now() : SystemClock().Now());
  std::vector<Group> groups;
  for (const Row& row : result.rows) {
    Group group;
    for (std::size_t i = 0; i < label_count; ++i) {
      group.labels[group_by[i]] = row[i].value_or("");
    }
    if (row[label_count]) {
      group.newest = ParseSqlTimestamp(*row[label_count]);
      if (!group.newest) {
        throw CheckError(ErrorReason::kQuery,
                         "column \"" + result.columns[label_count] + "\" is not a timestamp");
      }
    }
    group.last_returned_unix = now_unix;
    groups.push_back(std::move(group));
  }
  if (label_count > 0) {
    // Two rows with the same group (custom SQL without GROUP BY) are one series: the newest.
    std::map<Labels, std::size_t> index;
    std::vector<Group> unique;
    for (Group& group : groups) {
      const auto [found, inserted] = index.emplace(group.labels, unique.size());
      if (inserted) {
        unique.push_back(std::move(group));
      } else if (group.newest &&
                 (!unique[found->second].newest || *group.newest > *unique[found->second].newest)) {
        unique[found->second].newest = group.newest;
      }
    }
    groups = std::move(unique);
  }
  if (label_count == 0 && groups.empty()) groups.push_back(Group{});
  if (label_count > 0) {
    std::lock_guard<std::mutex> lock(memory_mutex_);
    std::map<Labels, Group> returned;
    for (const Group& group : groups) returned[group.labels] = group;
    // Groups the query no longer returns keep their last event time until forget_after.
    if (settings_.forget_after) {
      const double keep_seconds = std::chrono::duration<double>(*settings_.forget_after).count();
      for (const auto& [labels, remembered] : memory_) {
        if (returned.count(labels) == 0 &&
            now_unix - remembered.last_returned_unix <= keep_seconds) {
          groups.push_back(remembered);
        }
      }
    }
  }
  // Keep the stalest series when over the cap: those are the ones worth alerting on.
  if (static_cast<int>(groups.size()) > settings_.max_series) {
    std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
      return a.newest.value_or(-HUGE_VAL) < b.newest.value_or(-HUGE_VAL);
    });
    groups.resize(static_cast<std::size_t>(settings_.max_series));
  }
  if (label_count > 0) {
    std::lock_guard<std::mutex> lock(memory_mutex_);
    memory_.clear();
    if (settings_.forget_after) {
      for (const Group& group : groups) memory_[group.labels] = group;
    }
  }
  Observation observation;
  for (const Group& group : groups) {
    if (!group.newest) {
      observation.samples.push_back(Sample{metric::kLagSeconds, group.labels, kInf, {}});
      continue;
    }
    observation.samples.push_back(Sample{metric::kLagSeconds, group.labels, 0, group.newest});
    observation.samples.push_back(
        Sample{metric::kLastEventTimestamp, group.labels, *group.newest, {}});
  }
  return observation;
}

CheckSummary LagCheck::Summarize(const Observation& observation, TimePoint now) const {
  const double now_unix = ToUnixSeconds(now);
  const double active_for = spec().ActiveForSeconds(now);
  const double slack = std::chrono::duration<double>(settings_.for_duration).count();
  const TierPair& tiers = settings_.tiers;
  CheckSummary summary;
  const Sample* worst = nullptr;
  double worst_lag = -HUGE_VAL;
  int series = 0;
  std::map<Level, int> at_level;
  for (const Sample& sample : observation.samples) {
    if (sample.metric != metric::kLagSeconds) continue;
    ++series;
    const double lag = ValueAt(sample, now_unix);
    const Level level = tiers.Classify(std::min(lag, active_for), slack);
    at_level[level]++;
    summary.level = std::max(summary.level, level);
    if (worst == nullptr || lag > worst_lag) {
      worst = &sample;
      worst_lag = lag;
    }
  }
  if (worst == nullptr) {
    summary.state = "no data";
    summary.value = "no series";
    summary.reason = "the query returned no series";
    return summary;
  }
  const bool empty = std::isinf(worst_lag) && !worst->since_unix_seconds;
  summary.state = empty ? "empty" : (summary.level == Level::kOk ? "ok" : "lagging");
  summary.value = empty ? "lag +Inf (empty table)" : "lag " + FormatAge(worst_lag);
  summary.worst = WorstSeries{metric::kLagSeconds, worst->labels, worst_lag, FormatAge(worst_lag)};
  const std::string lag_text = (empty ? "lag +Inf (no event)" : "lag " + FormatAge(worst_lag)) +
                               (settings_.group_by.empty() ? "" : " " + LabelsText(worst->labels));
  const std::string for_text = settings_.for_duration.count() > 0
                                   ? " (for " + FormatDuration(settings_.for_duration) + ")"
                                   : "";
  if (summary.level != Level::kOk) {
    summary.reason = lag_text + " > " + tiers.Describe(summary.level) + for_text;
    if (series > 1) {
      int breaching = 0;
      for (const auto& [level, count] : at_level) {
        if (level != Level::kOk) breaching += count;
      }
      summary.reason += "; " + std::to_string(breaching) + " of " + std::to_string(series) +
                        " series over a threshold";
    }
    return summary;
  }
  const Level lowest = tiers.warning ? Level::kWarning : Level::kCritical;
  const std::optional<double> lowest_tier = tiers.warning ? tiers.warning : tiers.critical;
  if (!lowest_tier) {
    summary.reason = lag_text;
  } else if (worst_lag <= *lowest_tier) {
    summary.reason = lag_text + " <= " + tiers.Describe(lowest);
  } else if (worst_lag > *lowest_tier + slack) {
    // Over the tier and its for, but the active period has not lasted that long yet.
    summary.reason = lag_text + " > " + tiers.Describe(lowest) + for_text +
                     ", but the active period began only " + FormatAge(active_for) + " ago";
  } else {
    summary.reason = lag_text + " > " + tiers.Describe(lowest) + ", for less than " +
                     FormatDuration(settings_.for_duration);
  }
  return summary;
}

std::vector<Sample> LagCheck::ConfigSamples() const {
  std::vector<Sample> samples = TierSamples(settings_.tiers, metric::kLagSeconds);
  samples.push_back(ForSample(settings_.for_duration));
  return samples;
}

nlohmann::json LagCheck::ThresholdsJson() const {
  nlohmann::json out = TiersJson(settings_.tiers);
  out["for"] = std::chrono::duration<double>(settings_.for_duration).count();
  return out;
}

void LagCheck::AdoptMemory(const Check& previous) {
  const auto* before = dynamic_cast<const LagCheck*>(&previous);
  if (before == nullptr || before->settings_.group_by != settings_.group_by) return;
  std::map<Labels, Group> copy;
  {
    std::lock_guard<std::mutex> lock(before->memory_mutex_);
    copy = before->memory_;
  }
  std::lock_guard<std::mutex> lock(memory_mutex_);
  memory_ = std::move(copy);
}

std::size_t LagCheck::RememberedGroups() const {
  std::lock_guard<std::mutex> lock(memory_mutex_);
  return memory_.size();
}

std::shared_ptr<Check> MakeLagCheck(CheckSpec spec, MappingReader& reader,
                                    const ConfigData& config) {
  LagCheck::Settings settings;
  settings.group_by = reader.StringList("group_by", true);
  const YAML::Node group_by_node = reader.Raw("group_by");
  for (std::size_t i = 0; i < settings.group_by.size(); ++i) {
    const std::string& name = settings.group_by[i];
    // group_by values become labels: they must not collide with the exporter's own.
    if (const std::optional<std::string> problem = LabelNameProblem(name, &config.global.labels)) {
      reader.FailAt(group_by_node.IsSequence() ? group_by_node[i] : group_by_node, "group_by",
                    ColumnLabelError(name, *problem, &config.global.labels));
    }
  }
  settings.max_series = static_cast<int>(reader.Integer("max_series", 100, 1, 100'000));
  settings.tiers =
      ReadDurationTiers(reader, "warn_after", Duration(600'000), "error_after", std::nullopt);
  settings.for_duration = ReadFor(reader);
  if (const std::optional<std::string> text = reader.OptionalString("forget_after")) {
    if (*text == "off") {
      settings.forget_after.reset();
    } else {
      settings.forget_after = ParseDuration(*text);
      if (!settings.forget_after) {
        reader.FailAt(reader.Raw("forget_after"), "forget_after",
                      "invalid duration \"" + *text + "\" (a duration such as 24h, or off)");
      }
      if (settings.forget_after->count() <= 0) {
        reader.FailAt(reader.Raw("forget_after"), "forget_after",
                      "must be positive; use off to forget a group as soon as it is not returned");
      }
    }
  }
  if (!settings.tiers.any()) {
    RejectAllTiersOff(reader, spec.name, spec.mode, {"warn_after", "error_after"});
  }
  if (const std::optional<std::string> custom = reader.OptionalString("sql")) {
    if (custom->find_first_not_of(" \t\r\n") == std::string::npos) {
      reader.Fail("sql", "must not be empty");
    }
    for (const char* key : {"table", "column", "where"}) {
      if (reader.Has(key)) reader.Fail(key, "cannot be combined with sql");
    }
    settings.sql = *custom;
  } else {
    const std::string table_name = reader.RequiredString("table");
    const std::optional<std::string> table = QuoteQualifiedName(table_name);
    if (!table)
      reader.FailAt(reader.Raw("table"), "table", "invalid table name \"" + table_name + "\"");
    const std::string column_name = reader.RequiredString("column");
    const std::optional<std::string> column = QuoteColumnName(column_name);
    if (!column) {
      reader.FailAt(reader.Raw("column"), "column", "invalid column name \"" + column_name + "\"");
    }
    std::string sql = "SELECT max(" + *column + ") FROM " + *table;
    const std::optional<std::string> where = reader.OptionalString("where");
    for (const std::string& name : settings.group_by) {
      if (!QuoteColumnName(name)) reader.Fail("group_by", "invalid column name \"" + name + "\"");
    }
    if (settings.group_by.empty()) {
      if (where) sql += " WHERE (" + *where + ")";
    } else {
      // Stalest first, capped, so a huge group_by cannot flood /metrics.
      settings.grouped = GroupedLagQuery{table_name, column_name, settings.group_by,
                                         where.value_or(""), settings.max_series};
      sql = PlainGroupedLagSql(*settings.grouped);
    }
    settings.sql = std::move(sql);
  }
  return std::make_shared<LagCheck>(std::move(spec), std::move(settings));
}

FRESHNESS_REGISTER_CHECK_KIND((CheckKind{
    CheckKindSyntax{"lag",
                    {"table", "column", "where", "group_by", "max_series", "sql", "warn_after",
                     "error_after", "for", "forget_after"},
                    true,
                    "warn_after/error_after",
                    "for a lag check use warn_after (warning) and error_after (critical)",
                    ""},
    MakeLagCheck, 10,
    TableColumnKeys{{{"group_by", false}, {"column", true}}, "column", {"group_by", "column"}},
    [](Check& check, Database& database, Duration budget, std::string* loose_index) {
      const LagCheck::Plan plan = static_cast<LagCheck&>(check).PlanFor(database, budget);
      *loose_index = plan.index;
      return plan.sql;
    }}))

}  // namespace freshness
