#include "checks/duplicates_check.h"

#include "checks/check_registry.h"
#include "checks/table_keys.h"
#include "db/database.h"
#include "db/sql_text.h"
#include "metrics/metric_names.h"
#include "util/check_error.h"

namespace freshness {
namespace {

std::string DuplicatedKeys(long long count) {
  return std::to_string(count) + (count == 1 ? " duplicated key" : " duplicated keys");
}

}  // namespace

DuplicatesCheck::DuplicatesCheck(CheckSpec spec, std::string sql, TierPair tiers)
    : Check(std::move(spec)), sql_(std::move(sql)), tiers_(std::move(tiers)) {}

std::vector<MetricDescriptor> DuplicatesCheck::Descriptors() const {
  std::vector<MetricDescriptor> out = {
      {metric::kDuplicateExecutions, "Keys executed more than once inside the window."}};
  for (MetricDescriptor& descriptor : ThresholdDescriptors()) out.push_back(std::move(descriptor));
  return out;
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
  double count = 0;
  for (const Sample& sample : observation.samples) {
    if (sample.metric == metric::kDuplicateExecutions) count = sample.value;
  }
  const long long keys = static_cast<long long>(count);
  CheckSummary summary;
  summary.level = tiers_.Classify(count);
  summary.state = count > 0 ? "duplicates" : "ok";
  summary.value = std::to_string(keys) + " duplicate keys";
  summary.worst = WorstSeries{metric::kDuplicateExecutions, {}, count, std::to_string(keys)};
  if (summary.level != Level::kOk) {
    summary.reason = DuplicatedKeys(keys) + " > " + tiers_.Describe(summary.level);
  } else if (tiers_.any()) {
    summary.reason = DuplicatedKeys(keys) +
                     " <= " + tiers_.Describe(tiers_.warning ? Level::kWarning : Level::kCritical);
  } else {
    summary.reason = DuplicatedKeys(keys);
  }
  return summary;
}

std::vector<Sample> DuplicatesCheck::ConfigSamples() const {
  return TierSamples(tiers_, metric::kDuplicateExecutions);
}

nlohmann::json DuplicatesCheck::ThresholdsJson() const { return TiersJson(tiers_); }

std::shared_ptr<Check> MakeDuplicatesCheck(CheckSpec spec, MappingReader& reader,
                                           const ConfigData&) {
  TierPair tiers = ReadCountTiers(reader, "warn_above", std::nullopt, "error_above", 0);
  if (!tiers.any()) {
    RejectAllTiersOff(reader, spec.name, spec.mode, {"warn_above", "error_above"});
  }
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
  return std::make_shared<DuplicatesCheck>(std::move(spec), std::move(sql), std::move(tiers));
}

FRESHNESS_REGISTER_CHECK_KIND((CheckKind{
    CheckKindSyntax{
        "duplicates",
        {"table", "key", "time_column", "window", "where", "warn_above", "error_above"},
        true,
        "warn_above/error_above",
        "for a duplicates check use warn_above (warning) and error_above (critical)",
        "not allowed on duplicates checks: a duplicate execution is a fact, not a trend: it "
        "alerts at once; raise error_above"},
    MakeDuplicatesCheck, 30,
    TableColumnKeys{{{"key", false}, {"time_column", true}}, "time_column", {"time_column"}},
    [](Check& check, Database&, Duration, std::string*) {
      return static_cast<const DuplicatesCheck&>(check).sql();
    }}))

}  // namespace freshness
