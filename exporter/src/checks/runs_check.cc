#include "checks/runs_check.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "checks/check_registry.h"
#include "checks/summary_format.h"
#include "checks/table_keys.h"
#include "db/database.h"
#include "db/sql_text.h"
#include "metrics/metric_names.h"
#include "util/check_error.h"

namespace freshness {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Runs read past the highest failure tier when counting the streak (the value is capped there).
constexpr int kStreakMargin = 10;
// The highest failure tier a config may set.
constexpr int kMaxFailureTier = 1000;

// One row: failed runs started inside the window, failures in a row among the newest
// `streak_cap` finished runs (newest first, up to the first success, across the window), and the
// finish time of the newest successful run. Every part walks the index on the started column
// from its newest end (ORDER BY ... DESC LIMIT, or the window bound), so the cost does not grow
// with the table. `(failed_when) IS TRUE` counts a NULL condition as a success and makes
// PostgreSQL name the condition ("argument of IS TRUE must be type boolean") when it is not one.
std::string LedgerSql(const std::string& table, const std::string& started,
                      const std::string& finished, const std::string& where,
                      const std::string& failed_when, Duration window, int streak_cap) {
  const std::string finished_runs =
      " FROM " + table + " WHERE " + finished + " IS NOT NULL" + where;
  const std::string failed = "((" + failed_when + ") IS TRUE)";
  const std::string succeeded = "((" + failed_when + ") IS NOT TRUE)";
  return "WITH recent AS (SELECT row_number() OVER (ORDER BY " + started + " DESC) AS n, " +
         failed + " AS failed" + finished_runs + " ORDER BY " + started + " DESC LIMIT " +
         std::to_string(streak_cap) + ") SELECT (SELECT count(*)" + finished_runs + " AND " +
         started + " >= " + WindowStartSql(window) + " AND " + failed +
         "), coalesce((SELECT min(n) - 1 FROM recent WHERE NOT failed), (SELECT count(*) FROM "
         "recent)), (SELECT " +
         finished + finished_runs + " AND " + succeeded + " ORDER BY " + started + " DESC LIMIT 1)";
}

std::string Runs(long long count, const std::string& what) {
  return std::to_string(count) + " " + what + (count == 1 ? " run" : " runs");
}

}  // namespace

RunsCheck::RunsCheck(CheckSpec spec, std::string sql, TierPair tiers, Duration for_duration,
                     std::optional<Ledger> ledger, Names names)
    : Check(std::move(spec)),
      sql_(std::move(sql)),
      tiers_(std::move(tiers)),
      for_duration_(for_duration),
      ledger_(std::move(ledger)),
      names_(std::move(names)) {}

std::vector<MetricDescriptor> RunsCheck::Descriptors() const {
  std::vector<MetricDescriptor> out = {
      {metric::kUnfinishedRuns, "Runs started inside the window that have not finished."},
      {metric::kOldestUnfinishedRunAge,
       "Age of the oldest unfinished run inside the window, 0 if none."}};
  if (ledger_) {
    out.push_back({metric::kFailedRuns,
                   "Finished runs started inside the window that failed (failed_when)."});
    out.push_back({metric::kConsecutiveFailedRuns,
                   "Failures in a row among the newest finished runs, counted across the window."});
    out.push_back({metric::kLastSuccessfulRunTimestamp,
                   "When the newest successful run finished (absent if none did)."});
    out.push_back({metric::kLastSuccessfulRunAge,
                   "Seconds since the newest successful run finished; +Inf if none did."});
  }
  for (MetricDescriptor& descriptor : ThresholdDescriptors()) out.push_back(std::move(descriptor));
  return out;
}

Observation RunsCheck::Collect(const CollectContext& context) {
  QueryResult result;
  try {
    result = context.database->Query(sql_, context.budget);
  } catch (const CheckError& error) {
    RethrowNamed(error, spec().name, names_.table, names_.keys);
  }
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
  if (!ledger_) return observation;

  QueryResult ledger;
  try {
    ledger = context.database->Query(ledger_->sql, context.budget);
  } catch (const CheckError& error) {
    RethrowNamed(error, spec().name, names_.table, names_.keys, "failed_when");
  }
  if (ledger.rows.size() != 1 || ledger.rows[0].size() != 3 || !ledger.rows[0][0] ||
      !ledger.rows[0][1]) {
    throw CheckError(ErrorReason::kQuery, "unexpected result shape for a runs ledger query");
  }
  const std::optional<double> failed = ParseSqlNumber(*ledger.rows[0][0]);
  const std::optional<double> streak = ParseSqlNumber(*ledger.rows[0][1]);
  if (!failed || !streak) {
    throw CheckError(ErrorReason::kQuery, "failed run count is not a number");
  }
  observation.samples.push_back(Sample{metric::kFailedRuns, {}, *failed, {}});
  observation.samples.push_back(Sample{metric::kConsecutiveFailedRuns, {}, *streak, {}});
  if (ledger.rows[0][2]) {
    const std::optional<double> success = ParseSqlTimestamp(*ledger.rows[0][2]);
    if (!success) throw CheckError(ErrorReason::kQuery, "finished column is not a timestamp");
    observation.samples.push_back(Sample{metric::kLastSuccessfulRunTimestamp, {}, *success, {}});
    observation.samples.push_back(Sample{metric::kLastSuccessfulRunAge, {}, 0, success});
  } else {
    observation.samples.push_back(Sample{metric::kLastSuccessfulRunAge, {}, kInf, {}});
  }
  return observation;
}

CheckSummary RunsCheck::Summarize(const Observation& observation, TimePoint now) const {
  const double now_unix = ToUnixSeconds(now);
  double count = 0;
  double age = 0;
  std::optional<double> streak;
  std::optional<double> success_age;
  for (const Sample& sample : observation.samples) {
    if (sample.metric == metric::kUnfinishedRuns) count = sample.value;
    if (sample.metric == metric::kOldestUnfinishedRunAge) age = ValueAt(sample, now_unix);
    if (sample.metric == metric::kConsecutiveFailedRuns) streak = sample.value;
    if (sample.metric == metric::kLastSuccessfulRunAge) success_age = ValueAt(sample, now_unix);
  }
  CheckSummary summary;
  const long long runs = static_cast<long long>(count);
  if (count <= 0) {
    summary.state = "ok";
    summary.value = "0 unfinished";
    summary.reason = "no unfinished run";
  } else {
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
    const Level lowest = tiers_.warning ? Level::kWarning : Level::kCritical;
    const std::optional<double> lowest_tier = tiers_.warning ? tiers_.warning : tiers_.critical;
    if (summary.level != Level::kOk) {
      summary.reason = prefix + " > " + tiers_.Describe(summary.level) + for_text;
    } else if (!lowest_tier) {
      summary.reason = prefix;
    } else if (age <= *lowest_tier) {
      summary.reason = prefix + " <= " + tiers_.Describe(lowest);
    } else {
      summary.reason = prefix + " > " + tiers_.Describe(lowest) + ", for less than " +
                       FormatDuration(for_duration_);
    }
  }
  if (!ledger_ || !streak) return summary;

  // Failures in a row breach at >= their tier; the success age above its tier (as the rules).
  const TierPair& failures = ledger_->failures;
  const long long in_a_row = static_cast<long long>(*streak);
  Level failure_level = Level::kOk;
  if (failures.critical && *streak >= *failures.critical) {
    failure_level = Level::kCritical;
  } else if (failures.warning && *streak >= *failures.warning) {
    failure_level = Level::kWarning;
  }
  const double since_success = success_age.value_or(kInf);
  const std::optional<double>& max_success_age = ledger_->success_age.warning;
  const Level success_level =
      max_success_age && since_success > *max_success_age ? Level::kWarning : Level::kOk;
  const std::string failed_text = std::to_string(in_a_row) + " failed in a row";
  const std::string success_text = std::isinf(since_success)
                                       ? "no successful run"
                                       : "last success " + FormatAge(since_success) + " ago";
  summary.value += ", " + failed_text + ", " + success_text;

  std::vector<std::string> breaches;
  if (failure_level != Level::kOk) {
    breaches.push_back(Runs(in_a_row, "failed") +
                       " in a row >= " + failures.Describe(failure_level));
  }
  if (success_level != Level::kOk) {
    breaches.push_back((std::isinf(since_success)
                            ? "no run succeeded"
                            : "last successful run " + FormatAge(since_success) + " ago") +
                       " > " + ledger_->success_age.Describe(Level::kWarning));
  }
  const Level ledger_level = std::max(failure_level, success_level);
  if (ledger_level == Level::kOk) {
    summary.reason += "; " + failed_text + ", " + success_text;
    return summary;
  }
  std::string joined;
  for (const std::string& breach : breaches) joined += (joined.empty() ? "" : "; ") + breach;
  if (ledger_level >= summary.level) {
    const bool unfinished_breach = summary.level != Level::kOk;
    summary.reason = joined + (unfinished_breach ? "; " + summary.reason : "");
    summary.level = ledger_level;
    if (failure_level == ledger_level) {
      summary.state = "failing";
      summary.worst =
          WorstSeries{metric::kConsecutiveFailedRuns, {}, *streak, std::to_string(in_a_row)};
    } else {
      summary.state = "no success";
      summary.worst =
          WorstSeries{metric::kLastSuccessfulRunAge, {}, since_success, FormatAge(since_success)};
    }
  } else {
    summary.reason += "; " + joined;
  }
  return summary;
}

std::vector<Sample> RunsCheck::ConfigSamples() const {
  std::vector<Sample> samples = TierSamples(tiers_, metric::kOldestUnfinishedRunAge);
  samples.push_back(ForSample(for_duration_));
  if (ledger_) {
    for (Sample& sample : TierSamples(ledger_->failures, metric::kConsecutiveFailedRuns)) {
      samples.push_back(std::move(sample));
    }
    for (Sample& sample : TierSamples(ledger_->success_age, metric::kLastSuccessfulRunAge)) {
      samples.push_back(std::move(sample));
    }
  }
  return samples;
}

nlohmann::json RunsCheck::ThresholdsJson() const {
  nlohmann::json out = TiersJson(tiers_);
  out["for"] = std::chrono::duration<double>(for_duration_).count();
  if (ledger_) {
    out.update(TiersJson(ledger_->failures));
    out.update(TiersJson(ledger_->success_age));
  }
  return out;
}

namespace {

// failed_when and the tiers it enables. Its keys without it are an error naming the key.
std::optional<RunsCheck::Ledger> ReadLedger(MappingReader& reader) {
  const std::optional<std::string> failed_when = ReadSqlCondition(reader, "failed_when");
  if (!failed_when) {
    for (const char* key : {"error_after_failures", "warn_after_failures", "max_success_age"}) {
      if (reader.Has(key)) {
        reader.FailAt(reader.Raw(key), key,
                      "needs failed_when: without it no run is known to have failed (e.g. "
                      "failed_when: \"status = 'failed'\")");
      }
    }
    return std::nullopt;
  }
  RunsCheck::Ledger ledger;
  ledger.failures =
      ReadCountTiers(reader, "warn_after_failures", std::nullopt, "error_after_failures", 3);
  for (const auto& [key, tier] :
       {std::pair{ledger.failures.warning_key, ledger.failures.warning},
        std::pair{ledger.failures.critical_key, ledger.failures.critical}}) {
    if (tier && *tier < 1) {
      reader.FailAt(reader.Raw(key), key,
                    "must be at least 1 (failures in a row); use off to disable this tier");
    }
    // The streak query reads this many runs: keep it a handful.
    if (tier && *tier > kMaxFailureTier) {
      reader.FailAt(reader.Raw(key), key,
                    "must be at most " + std::to_string(kMaxFailureTier) + " failures in a row");
    }
  }
  TierPair success_age;
  success_age.unit = TierPair::Unit::kSeconds;
  success_age.warning_key = "max_success_age";
  if (const std::optional<Duration> tier = reader.DurationTier("max_success_age", std::nullopt)) {
    success_age.warning = std::chrono::duration<double>(*tier).count();
  }
  ledger.success_age = std::move(success_age);
  // The streak reads the newest runs only: enough to reach the highest tier, and a margin so the
  // value keeps growing a little past it.
  const double highest =
      std::max(ledger.failures.warning.value_or(0), ledger.failures.critical.value_or(0));
  ledger.streak_cap = static_cast<int>(highest) + kStreakMargin;
  ledger.sql = *failed_when;  // the statement is built once the table and columns are known
  return ledger;
}

}  // namespace

std::shared_ptr<Check> MakeRunsCheck(CheckSpec spec, MappingReader& reader, const ConfigData&) {
  TierPair tiers =
      ReadDurationTiers(reader, "warn_duration", std::nullopt, "max_duration", Duration(3'600'000));
  const Duration for_duration = ReadFor(reader);
  std::optional<RunsCheck::Ledger> ledger = ReadLedger(reader);
  const bool ledger_tiers = ledger && (ledger->failures.any() || ledger->success_age.any());
  if (!tiers.any() && !ledger_tiers) {
    std::vector<std::string> keys = {"warn_duration", "max_duration"};
    if (ledger) {
      keys.insert(keys.end(), {"warn_after_failures", "error_after_failures", "max_success_age"});
    }
    RejectAllTiersOff(reader, spec.name, spec.mode, keys);
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
  RunsCheck::Names names;
  names.table = reader.RequiredString("table");
  names.keys = {{"started_column", reader.RequiredString("started_column")},
                {"finished_column", reader.RequiredString("finished_column")}};
  if (ledger) {
    names.keys.push_back({"failed_when", ledger->sql});
    ledger->sql =
        LedgerSql(table, started, finished, where, ledger->sql, window, ledger->streak_cap);
  }
  if (const std::optional<std::string> text = reader.OptionalString("where")) {
    names.keys.push_back({"where", *text});
  }
  return std::make_shared<RunsCheck>(std::move(spec), std::move(sql), std::move(tiers),
                                     for_duration, std::move(ledger), std::move(names));
}

FRESHNESS_REGISTER_CHECK_KIND((CheckKind{
    CheckKindSyntax{"runs",
                    {"table", "started_column", "finished_column", "window", "where",
                     "warn_duration", "max_duration", "for", "failed_when", "warn_after_failures",
                     "error_after_failures", "max_success_age"},
                    true,
                    "warn_duration/max_duration",
                    "for a runs check use warn_duration (warning) and max_duration (critical)",
                    ""},
    MakeRunsCheck, 20,
    TableColumnKeys{
        {{"started_column", true}, {"finished_column", false}},  // finished: only tested for NULL
        "started_column",
        {"started_column"}},
    [](Check& check, Database&, Duration, std::string*) {
      return static_cast<const RunsCheck&>(check).sql();
    }}))

}  // namespace freshness
