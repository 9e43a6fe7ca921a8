#include "checks/runs_check.h"

#include "checks/summary_format.h"
#include "checks/table_keys.h"
#include "db/database.h"
#include "db/sql_text.h"
#include "metrics/metric_names.h"
#include "util/check_error.h"

namespace freshness {

RunsCheck::RunsCheck(CheckSpec spec, std::string sql, TierPair tiers, Duration for_duration)
    : Check(std::move(spec)),
      sql_(std::move(sql)),
      tiers_(std::move(tiers)),
      for_duration_(for_duration) {}

std::vector<MetricDescriptor> RunsCheck::Descriptors() const {
  std::vector<MetricDescriptor> out = {
      {metric::kUnfinishedRuns, "Runs started inside the window that have not finished."},
      {metric::kOldestUnfinishedRunAge,
       "Age of the oldest unfinished run inside the window, 0 if none."}};
  for (MetricDescriptor& descriptor : ThresholdDescriptors()) out.push_back(std::move(descriptor));
  return out;
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
  const double now_unix = ToUnixSeconds(now);
  double count = 0;
  double age = 0;
  for (const Sample& sample : observation.samples) {
    if (sample.metric == metric::kUnfinishedRuns) count = sample.value;
    if (sample.metric == metric::kOldestUnfinishedRunAge) age = ValueAt(sample, now_unix);
  }
  CheckSummary summary;
  const long long runs = static_cast<long long>(count);
  if (count <= 0) {
    summary.state = "ok";
    summary.value = "0 unfinished";
    summary.reason = "no unfinished run";
    return summary;
  }
  const double slack = std::chrono::duration<double>(for_duration_).count();
  summary.level = tiers_.Classify(age, slack);
  summary.state = "unfinished";
  summary.value = std::to_string(runs) + " unfinished, oldest " + FormatAge(age);
  summary.worst = WorstSeries{metric::kOldestUnfinishedRunAge, {}, age, FormatAge(age)};
  const std::string prefix = std::to_string(runs) +
                             (runs == 1 ? " unfinished run" : " unfinished runs") + ", oldest " +
                             FormatAge(age);
  const std::string for_text =
      for_duration_.count() > 0 ? " (for " + FormatDuration(for_duration_) + ")" : "";
  if (summary.level != Level::kOk) {
    summary.reason = prefix + " > " + tiers_.Describe(summary.level) + for_text;
    return summary;
  }
  const Level lowest = tiers_.warning ? Level::kWarning : Level::kCritical;
  const std::optional<double> lowest_tier = tiers_.warning ? tiers_.warning : tiers_.critical;
  if (!lowest_tier) {
    summary.reason = prefix;
  } else if (age <= *lowest_tier) {
    summary.reason = prefix + " <= " + tiers_.Describe(lowest);
  } else {
    summary.reason = prefix + " > " + tiers_.Describe(lowest) + ", for less than " +
                     FormatDuration(for_duration_);
  }
  return summary;
}

std::vector<Sample> RunsCheck::ConfigSamples() const {
  std::vector<Sample> samples = TierSamples(tiers_, metric::kOldestUnfinishedRunAge);
  samples.push_back(ForSample(for_duration_));
  return samples;
}

nlohmann::json RunsCheck::ThresholdsJson() const {
  nlohmann::json out = TiersJson(tiers_);
  out["for"] = std::chrono::duration<double>(for_duration_).count();
  return out;
}

std::shared_ptr<Check> MakeRunsCheck(CheckSpec spec, MappingReader& reader, const Config&) {
  TierPair tiers =
      ReadDurationTiers(reader, "warn_duration", std::nullopt, "max_duration", Duration(3'600'000));
  const Duration for_duration = ReadFor(reader);
  if (!tiers.any()) {
    RejectAllTiersOff(reader, spec.name, spec.mode, {"warn_duration", "max_duration"});
  }
  const std::string table = ReadQuotedIdentifier(reader, "table", true);
  const std::string started = ReadQuotedIdentifier(reader, "started_column", false);
  const std::string finished = ReadQuotedIdentifier(reader, "finished_column", false);
  const Duration window = ReadWindow(reader);
  // A run is only seen while it started inside the window: the window must outlast the time a
  // run needs to become overdue, or a hung run drops out of sight before anyone is told.
  const std::optional<double> tier = tiers.critical ? tiers.critical : tiers.warning;
  if (tier) {
    const std::string tier_key = tiers.critical ? "max_duration" : "warn_duration";
    const double window_seconds = std::chrono::duration<double>(window).count();
    const double needed = *tier + std::chrono::duration<double>(for_duration).count();
    if (window_seconds <= needed) {
      throw ConfigError(reader.MarkOf(reader.Has("window") ? "window" : tier_key),
                        reader.path() + " (" + spec.name + ")",
                        "window " + FormatDuration(window) + " <= " + tier_key + " " +
                            tiers.FormatTier(*tier) + " + for " + FormatDuration(for_duration) +
                            ": a hung run leaves the window before it is overdue; make window "
                            "longer than " +
                            tier_key + " + for");
    }
  }
  const std::string where = ReadWhereClause(reader);
  // The window predicate on the start column lets an index on it bound the cost.
  std::string sql = "SELECT count(*), min(" + started + ") FROM " + table + " WHERE " + started +
                    " >= " + WindowStartSql(window) + " AND " + finished + " IS NULL" + where;
  return std::make_shared<RunsCheck>(std::move(spec), std::move(sql), std::move(tiers),
                                     for_duration);
}

}  // namespace freshness
