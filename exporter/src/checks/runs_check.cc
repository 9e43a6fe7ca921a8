#include "checks/runs_check.h"

#include "checks/summary_format.h"
#include "checks/table_keys.h"
#include "db/database.h"
#include "db/sql_text.h"
#include "metrics/metric_names.h"
#include "util/check_error.h"

namespace freshness {

RunsCheck::RunsCheck(CheckSpec spec, std::string sql)
    : Check(std::move(spec)), sql_(std::move(sql)) {}

std::vector<MetricDescriptor> RunsCheck::Descriptors() const {
  return {{metric::kUnfinishedRuns, "Runs started inside the window that have not finished."},
          {metric::kOldestUnfinishedRunAge,
           "Age of the oldest unfinished run inside the window, 0 if none."}};
}

Observation RunsCheck::Collect(const CollectContext& context) {
  const QueryResult result = context.database->Query(sql_, context.budget);
  if (result.rows.size() != 1 || result.rows[0].size() != 2 || !result.rows[0][0]) {
    throw CheckError(ErrorReason::kQuery, "unexpected result shape for a runs query");
  }
  const std::optional<double> count = ParseSqlNumber(*result.rows[0][0]);
  if (!count) throw CheckError(ErrorReason::kQuery, "run count is not a number");
  Observation observation;
  observation.samples.push_back(Sample{metric::kUnfinishedRuns, {}, *count, {}});
  std::optional<double> oldest;
  if (result.rows[0][1]) {
    oldest = ParseSqlTimestamp(*result.rows[0][1]);
    if (!oldest) throw CheckError(ErrorReason::kQuery, "started column is not a timestamp");
  }
  if (*count > 0 && oldest) {
    observation.samples.push_back(Sample{metric::kOldestUnfinishedRunAge, {}, 0, oldest});
  } else {
    observation.samples.push_back(Sample{metric::kOldestUnfinishedRunAge, {}, 0, {}});
  }
  return observation;
}

CheckSummary RunsCheck::Summarize(const Observation& observation, TimePoint now) const {
  double count = 0;
  double age = 0;
  for (const Sample& sample : observation.samples) {
    if (sample.metric == metric::kUnfinishedRuns) count = sample.value;
    if (sample.metric == metric::kOldestUnfinishedRunAge && sample.since_unix_seconds) {
      age = ToUnixSeconds(now) - *sample.since_unix_seconds;
    }
  }
  if (count <= 0) return {"ok", "0 unfinished", true};
  return {"unfinished",
          std::to_string(static_cast<long long>(count)) + " unfinished, oldest " + FormatAge(age),
          true};
}

std::shared_ptr<Check> MakeRunsCheck(CheckSpec spec, MappingReader& reader, const Config&) {
  const std::string table = ReadQuotedIdentifier(reader, "table", true);
  const std::string started = ReadQuotedIdentifier(reader, "started_column", false);
  const std::string finished = ReadQuotedIdentifier(reader, "finished_column", false);
  const Duration window = ReadWindow(reader);
  const std::string where = ReadWhereClause(reader);
  // The window predicate on the start column lets an index on it bound the cost.
  std::string sql = "SELECT count(*), min(" + started + ") FROM " + table + " WHERE " + started +
                    " >= " + WindowStartSql(window) + " AND " + finished + " IS NULL" + where;
  return std::make_shared<RunsCheck>(std::move(spec), std::move(sql));
}

}  // namespace freshness
