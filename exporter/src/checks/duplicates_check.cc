#include "checks/duplicates_check.h"

#include "checks/table_keys.h"
#include "db/database.h"
#include "db/sql_text.h"
#include "metrics/metric_names.h"
#include "util/check_error.h"

namespace freshness {

DuplicatesCheck::DuplicatesCheck(CheckSpec spec, std::string sql)
    : Check(std::move(spec)), sql_(std::move(sql)) {}

std::vector<MetricDescriptor> DuplicatesCheck::Descriptors() const {
  return {{metric::kDuplicateExecutions, "Keys executed more than once inside the window."}};
}

Observation DuplicatesCheck::Collect(const CollectContext& context) {
  const QueryResult result = context.database->Query(sql_, context.budget);
  if (result.rows.size() != 1 || result.rows[0].size() != 1 || !result.rows[0][0]) {
    throw CheckError(ErrorReason::kQuery, "unexpected result shape for a duplicates query");
  }
  const std::optional<double> count = ParseSqlNumber(*result.rows[0][0]);
  if (!count) throw CheckError(ErrorReason::kQuery, "duplicate count is not a number");
  Observation observation;
  observation.samples.push_back(Sample{metric::kDuplicateExecutions, {}, *count, {}});
  return observation;
}

CheckSummary DuplicatesCheck::Summarize(const Observation& observation, TimePoint) const {
  for (const Sample& sample : observation.samples) {
    if (sample.metric == metric::kDuplicateExecutions && sample.value > 0) {
      return {"duplicates",
              std::to_string(static_cast<long long>(sample.value)) + " duplicate keys", true};
    }
  }
  return {"ok", "0 duplicate keys", true};
}

std::shared_ptr<Check> MakeDuplicatesCheck(CheckSpec spec, MappingReader& reader, const Config&) {
  const std::string table = ReadQuotedIdentifier(reader, "table", true);
  const std::vector<std::string> keys = reader.StringList("key", true);
  if (keys.empty()) reader.Fail("key", "is required (one or more columns)");
  std::string key_list;
  for (const std::string& key : keys) {
    const std::optional<std::string> quoted = QuoteColumnName(key);
    if (!quoted) reader.Fail("key", "invalid column name \"" + key + "\"");
    key_list += (key_list.empty() ? "" : ", ") + *quoted;
  }
  const std::string time_column = ReadQuotedIdentifier(reader, "time_column", false);
  const Duration window = ReadWindow(reader);
  const std::string where = ReadWhereClause(reader);
  std::string sql = "SELECT count(*) FROM (SELECT 1 FROM " + table + " WHERE " + time_column +
                    " >= " + WindowStartSql(window) + where + " GROUP BY " + key_list +
                    " HAVING count(*) > 1) AS duplicated_keys";
  return std::make_shared<DuplicatesCheck>(std::move(spec), std::move(sql));
}

}  // namespace freshness
