#include "checks/lag_check.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "checks/summary_format.h"
#include "db/database.h"
#include "db/sql_text.h"
#include "metrics/metric_names.h"
#include "util/check_error.h"

namespace freshness {

LagCheck::LagCheck(CheckSpec spec, std::string sql, std::vector<std::string> group_by,
                   int max_series)
    : Check(std::move(spec)),
      sql_(std::move(sql)),
      group_by_(std::move(group_by)),
      max_series_(max_series) {}

std::vector<MetricDescriptor> LagCheck::Descriptors() const {
  return {{metric::kLagSeconds,
           "Seconds since the newest event in the table (+Inf when the table is empty)."},
          {metric::kLastEventTimestamp, "Time of the newest event in the table."}};
}

Observation LagCheck::Collect(const CollectContext& context) {
  const QueryResult result = context.database->Query(sql_, context.budget);
  const std::size_t label_count = group_by_.size();
  if (result.columns.size() != label_count + 1) {
    throw CheckError(ErrorReason::kQuery, "expected " + std::to_string(label_count + 1) +
                                              " columns (group_by values "
                                              "then the event time), got " +
                                              std::to_string(result.columns.size()));
  }
  struct Group {
    Labels labels;
    std::optional<double> newest;
  };
  std::vector<Group> groups;
  for (const Row& row : result.rows) {
    Group group;
    for (std::size_t i = 0; i < label_count; ++i) {
      group.labels[group_by_[i]] = row[i].value_or("");
    }
    if (row[label_count]) {
      group.newest = ParseSqlTimestamp(*row[label_count]);
      if (!group.newest) {
        throw CheckError(ErrorReason::kQuery,
                         "column \"" + result.columns[label_count] + "\" is not a timestamp");
      }
    }
    groups.push_back(std::move(group));
  }
  if (label_count == 0 && groups.empty()) groups.push_back(Group{});
  // Keep the stalest series when over the cap: those are the ones worth alerting on.
  if (static_cast<int>(groups.size()) > max_series_) {
    std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
      return a.newest.value_or(-HUGE_VAL) < b.newest.value_or(-HUGE_VAL);
    });
    groups.resize(static_cast<std::size_t>(max_series_));
  }
  Observation observation;
  for (const Group& group : groups) {
    if (!group.newest) {
      observation.samples.push_back(
          Sample{metric::kLagSeconds, group.labels, std::numeric_limits<double>::infinity(), {}});
      continue;
    }
    observation.samples.push_back(Sample{metric::kLagSeconds, group.labels, 0, group.newest});
    observation.samples.push_back(
        Sample{metric::kLastEventTimestamp, group.labels, *group.newest, {}});
  }
  return observation;
}

CheckSummary LagCheck::Summarize(const Observation& observation, TimePoint now) const {
  double worst = -HUGE_VAL;
  for (const Sample& sample : observation.samples) {
    if (sample.metric != metric::kLagSeconds) continue;
    const double lag =
        sample.since_unix_seconds ? ToUnixSeconds(now) - *sample.since_unix_seconds : sample.value;
    worst = std::max(worst, lag);
  }
  if (worst == -HUGE_VAL) return {"no data", "no series", true};
  if (std::isinf(worst)) return {"empty", "lag +Inf (empty table)", true};
  return {"ok", "lag " + FormatAge(worst), true};
}

std::shared_ptr<Check> MakeLagCheck(CheckSpec spec, MappingReader& reader, const Config&) {
  const std::vector<std::string> group_by = reader.StringList("group_by", true);
  for (const std::string& name : group_by) {
    // group_by values become labels: they must not collide with the exporter's own.
    if (name == "check" || name == "job" || name == "instance" || name.rfind("__", 0) == 0 ||
        name.find('$') != std::string::npos) {
      reader.Fail("group_by", "column \"" + name + "\" cannot be used as a label name");
    }
  }
  const int max_series = static_cast<int>(reader.Integer("max_series", 100, 1, 100'000));
  std::string sql;
  if (const std::optional<std::string> custom = reader.OptionalString("sql")) {
    if (custom->find_first_not_of(" \t\r\n") == std::string::npos) {
      reader.Fail("sql", "must not be empty");
    }
    for (const char* key : {"table", "column", "where"}) {
      if (reader.Has(key)) reader.Fail(key, "cannot be combined with sql");
    }
    sql = *custom;
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
    std::string select;
    std::string group;
    for (const std::string& name : group_by) {
      const std::optional<std::string> quoted = QuoteColumnName(name);
      if (!quoted) reader.Fail("group_by", "invalid column name \"" + name + "\"");
      select += *quoted + "::text, ";
      group += (group.empty() ? "" : ", ") + *quoted;
    }
    sql = "SELECT " + select + "max(" + *column + ") FROM " + *table;
    if (const std::optional<std::string> where = reader.OptionalString("where")) {
      sql += " WHERE (" + *where + ")";
    }
    if (!group.empty()) {
      // Stalest first, capped, so a huge group_by cannot flood /metrics.
      sql += " GROUP BY " + group + " ORDER BY max(" + *column + ") ASC NULLS FIRST LIMIT " +
             std::to_string(max_series);
    }
  }
  return std::make_shared<LagCheck>(std::move(spec), std::move(sql), group_by, max_series);
}

}  // namespace freshness
