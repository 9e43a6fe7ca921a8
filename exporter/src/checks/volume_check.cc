#include "checks/volume_check.h"

#include <array>
#include <cmath>
#include <cstdio>

#include "checks/check_registry.h"
#include "checks/summary_format.h"
#include "db/database.h"
#include "db/sql_text.h"
#include "metrics/metric_names.h"
#include "schedule/schedule_evaluator.h"
#include "util/check_error.h"
#include "util/suggest.h"

namespace freshness {
namespace {

// A timestamptz literal for a statement: "timestamptz '2026-11-23 17:00:00.000000+00'".
std::string TimestampSql(TimePoint time) {
  const auto micros = date::floor<std::chrono::microseconds>(time);
  return "timestamptz '" + date::format("%Y-%m-%d %H:%M:%S", micros) + "+00'";
}

std::string TimestampText(TimePoint time) {
  return date::format("%Y-%m-%dT%H:%M:%SZ", date::floor<std::chrono::seconds>(time));
}

std::string FormatRatio(double ratio) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", ratio);
  return buffer;
}

std::string Percent(double ratio) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", ratio * 100);
  return buffer;
}

std::string Rows(double count) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.0f", count);
  return buffer;
}

// The same local time `days` calendar days earlier in `zone` (the earlier instant when the
// local time occurs twice, the transition when it does not occur).
TimePoint ShiftLocalDays(const date::time_zone* zone, TimePoint time, int days) {
  const auto local = zone->to_local(date::floor<std::chrono::microseconds>(time));
  const auto shifted = local - date::days(days);
  return zone->to_sys(shifted, date::choose::earliest);
}

// A ratio tier: a positive number or off; absent gives `fallback`.
std::optional<double> RatioTier(MappingReader& reader, const std::string& key,
                                std::optional<double> fallback) {
  const std::optional<std::string> text = reader.OptionalString(key);
  if (!text) return fallback;
  if (*text == "off") return std::nullopt;
  const std::optional<double> value = reader.Number(key);
  if (*value <= 0) {
    reader.FailAt(reader.Raw(key), key,
                  "must be a positive ratio (0.95 is 95 % of the expected rows); use off to "
                  "disable this tier");
  }
  return value;
}

}  // namespace

VolumeCheck::VolumeCheck(CheckSpec spec, Settings settings)
    : Check(std::move(spec)), settings_(std::move(settings)) {}

std::vector<MetricDescriptor> VolumeCheck::Descriptors() const {
  std::vector<MetricDescriptor> out = {
      {metric::kVolumeObservedRows, "Rows whose time falls in the last period."},
      {metric::kVolumeExpectedRows,
       "Rows expected in the last period: a fixed count, or the same period days, weeks or "
       "business days before."},
      {metric::kVolumeRatio, "Observed rows / expected rows; absent when nothing is expected."}};
  for (MetricDescriptor& descriptor : ThresholdDescriptors()) out.push_back(std::move(descriptor));
  return out;
}

std::optional<std::pair<TimePoint, TimePoint>> VolumeCheck::ComparisonPeriod(TimePoint end) const {
  const TimePoint start = end - settings_.period;
  int days = 0;
  switch (settings_.expect) {
    case Expect::kRows:
      return std::nullopt;
    case Expect::kDaysAgo:
      days = static_cast<int>(settings_.count);
      break;
    case Expect::kWeeksAgo:
      days = static_cast<int>(settings_.count) * 7;
      break;
    case Expect::kBusinessDaysAgo: {
      const Calendar* calendar = settings_.calendar.get();
      const date::sys_days today = calendar->LocalDay(end);
      if (calendar->IsPastValidThrough(today)) {
        throw CheckError(ErrorReason::kConfig,
                         "calendar \"" + calendar->name() + "\" is valid through " +
                             date::format("%F", *calendar->valid_through()) + " but evaluated on " +
                             date::format("%F", today) + "; extend its holidays and valid_through");
      }
      date::sys_days day = today;
      for (long long i = 0; i < settings_.count; ++i) day = PreviousBusinessDay(calendar, day);
      days = static_cast<int>((today - day).count());
      break;
    }
  }
  return std::pair{ShiftLocalDays(settings_.zone, start, days),
                   ShiftLocalDays(settings_.zone, end, days)};
}

std::string VolumeCheck::CountSql(TimePoint end) const {
  // Each count is a range on time_column: an index on it bounds the cost.
  const auto count = [this](TimePoint from, TimePoint to) {
    return "(SELECT count(*) FROM " + settings_.table + " WHERE " + settings_.time_column +
           " >= " + TimestampSql(from) + " AND " + settings_.time_column + " < " +
           TimestampSql(to) + settings_.where + ")";
  };
  std::string sql = "SELECT " + count(end - settings_.period, end);
  if (const auto comparison = ComparisonPeriod(end)) {
    sql += ", " + count(comparison->first, comparison->second);
  }
  return sql;
}

Observation VolumeCheck::Collect(const CollectContext& context) {
  const TimePoint end = context.clock != nullptr ? context.clock->Now() : SystemClock().Now();
  const std::optional<std::pair<TimePoint, TimePoint>> comparison = ComparisonPeriod(end);
  const std::size_t columns = comparison ? 2 : 1;
  QueryResult result;
  try {
    result = context.database->Query(CountSql(end), context.budget);
  } catch (const CheckError& error) {
    RethrowNamed(error, spec().name, settings_.table_name, settings_.keys);
  }
  if (result.rows.size() != 1 || result.rows[0].size() != columns) {
    throw CheckError(ErrorReason::kQuery, "unexpected result shape for a volume query");
  }
  // The observed count, then with a comparison period its count (columns is 1 or 2).
  std::array<double, 2> counts{};
  for (std::size_t i = 0; i < columns && i < counts.size(); ++i) {
    const std::optional<std::string>& value = result.rows[0][i];
    const std::optional<double> number = value ? ParseSqlNumber(*value) : std::nullopt;
    if (!number) throw CheckError(ErrorReason::kQuery, "row count is not a number");
    counts[i] = *number;
  }
  const double observed = counts[0];
  const double expected = comparison ? counts[1] : static_cast<double>(settings_.count);
  if (comparison && expected == 0) {
    // Nothing in the comparison period: before the table's retention that says nothing about
    // what to expect. The oldest row is one step of the index on time_column.
    QueryResult oldest;
    try {
      oldest = context.database->Query(
          "SELECT min(" + settings_.time_column + ") FROM " + settings_.table, context.budget);
    } catch (const CheckError& error) {
      RethrowNamed(error, spec().name, settings_.table_name, settings_.keys);
    }
    if (oldest.rows.size() != 1 || oldest.rows[0].size() != 1) {
      throw CheckError(ErrorReason::kQuery, "unexpected result shape for the oldest row");
    }
    const std::string prefix = "check \"" + spec().name + "\", table " + settings_.table_name +
                               ": the comparison period [" + TimestampText(comparison->first) +
                               ", " + TimestampText(comparison->second) + ") ";
    if (!oldest.rows[0][0]) {
      throw CheckError(ErrorReason::kQuery,
                       prefix + "cannot be compared: the table holds no rows at all");
    }
    const std::optional<double> since = ParseSqlTimestamp(*oldest.rows[0][0]);
    if (!since) throw CheckError(ErrorReason::kQuery, "time_column is not a timestamp");
    if (*since > ToUnixSeconds(comparison->first)) {
      throw CheckError(ErrorReason::kQuery,
                       prefix + "lies before the table's retention: it only holds rows since " +
                           TimestampText(FromUnixSeconds(*since)) +
                           ", so there is nothing to compare with");
    }
  }
  Observation observation;
  observation.samples.push_back(Sample{metric::kVolumeObservedRows, {}, observed, {}});
  observation.samples.push_back(Sample{metric::kVolumeExpectedRows, {}, expected, {}});
  if (expected > 0) {
    observation.samples.push_back(Sample{metric::kVolumeRatio, {}, observed / expected, {}});
  }
  return observation;
}

CheckSummary VolumeCheck::Summarize(const Observation& observation, TimePoint) const {
  double observed = 0;
  double expected = 0;
  std::optional<double> ratio;
  for (const Sample& sample : observation.samples) {
    if (sample.metric == metric::kVolumeObservedRows) observed = sample.value;
    if (sample.metric == metric::kVolumeExpectedRows) expected = sample.value;
    if (sample.metric == metric::kVolumeRatio) ratio = sample.value;
  }
  CheckSummary summary;
  const std::string rows = Rows(observed) + " of " + Rows(expected) + " rows";
  if (!ratio) {
    summary.state = "ok";
    summary.value = Rows(observed) + " rows, none expected";
    summary.reason = Rows(observed) + " rows, nothing expected (0 rows in the comparison period)";
    return summary;
  }
  const TierPair& tiers = settings_.tiers;
  // A ratio below its floor breaches (as the rules compare).
  if (tiers.critical && *ratio < *tiers.critical) {
    summary.level = Level::kCritical;
  } else if (tiers.warning && *ratio < *tiers.warning) {
    summary.level = Level::kWarning;
  }
  summary.state = summary.level == Level::kOk ? "ok" : "low";
  summary.value = rows + " (" + Percent(*ratio) + ")";
  summary.worst = WorstSeries{metric::kVolumeRatio, {}, *ratio, FormatRatio(*ratio)};
  const std::string text = "ratio " + FormatRatio(*ratio) + " (" + rows + ")";
  if (summary.level != Level::kOk) {
    summary.reason = text + " < " + tiers.Describe(summary.level);
  } else if (tiers.any()) {
    summary.reason =
        text + " >= " + tiers.Describe(tiers.warning ? Level::kWarning : Level::kCritical);
  } else {
    summary.reason = text;
  }
  return summary;
}

std::vector<Sample> VolumeCheck::ConfigSamples() const {
  return TierSamples(settings_.tiers, metric::kVolumeRatio);
}

nlohmann::json VolumeCheck::ThresholdsJson() const {
  nlohmann::json out = TiersJson(settings_.tiers);
  out["period"] = std::chrono::duration<double>(settings_.period).count();
  return out;
}

std::shared_ptr<Check> MakeVolumeCheck(CheckSpec spec, MappingReader& reader,
                                       const ConfigData& config) {
  VolumeCheck::Settings settings;
  TierPair& tiers = settings.tiers;
  tiers.unit = TierPair::Unit::kCount;
  tiers.warning_key = "warn_below";
  tiers.critical_key = "error_below";
  tiers.warning = RatioTier(reader, "warn_below", 0.95);
  tiers.critical = RatioTier(reader, "error_below", std::nullopt);
  if (tiers.warning && tiers.critical && *tiers.warning <= *tiers.critical) {
    // The default warning floor gives way to a critical floor the config sets above it.
    if (!reader.Has("warn_below")) {
      tiers.warning.reset();
    } else {
      reader.FailAt(reader.Raw("warn_below"), "warn_below",
                    "warn_below (" + FormatRatio(*tiers.warning) +
                        ", warning) must be above error_below (" + FormatRatio(*tiers.critical) +
                        ", critical)");
    }
  }
  if (!tiers.any()) RejectAllTiersOff(reader, spec.name, spec.mode, {"warn_below", "error_below"});

  settings.table_name = reader.RequiredString("table");
  settings.table = ReadQuotedIdentifier(reader, "table", true);
  settings.time_column = ReadQuotedIdentifier(reader, "time_column", false);
  settings.keys.push_back({"time_column", reader.RequiredString("time_column")});
  settings.where = ReadWhereClause(reader);
  if (const std::optional<std::string> where = reader.OptionalString("where")) {
    settings.keys.push_back({"where", *where});
  }
  settings.period = reader.DurationValue("period", Duration(3'600'000));
  if (settings.period < Duration(1000)) reader.Fail("period", "must be at least 1s");

  if (auto calendar = CalendarKey(reader, config)) settings.calendar = std::move(calendar);

  if (!reader.Has("expect")) {
    reader.Fail("expect",
                "is required: one of rows, days_ago, weeks_ago or business_days_ago "
                "(e.g. expect: {days_ago: 7})");
  }
  MappingReader expect = reader.Mapping("expect");
  const std::vector<std::string> forms = {"rows", "days_ago", "weeks_ago", "business_days_ago"};
  expect.ExpectKeys(forms);
  int given = 0;
  for (const std::string& form : forms) given += expect.Has(form) ? 1 : 0;
  if (given != 1) {
    expect.Fail("", "exactly one of rows, days_ago, weeks_ago or business_days_ago is required");
  }
  long long shift_days = 0;
  if (expect.Has("rows")) {
    settings.expect = VolumeCheck::Expect::kRows;
    settings.count = expect.Integer("rows", 0, std::numeric_limits<long long>::min(),
                                    std::numeric_limits<long long>::max());
    if (settings.count <= 0) {
      expect.FailAt(expect.Raw("rows"), "rows",
                    "expected count must be positive (a volume of 0 rows is never low)");
    }
  } else if (expect.Has("days_ago")) {
    settings.expect = VolumeCheck::Expect::kDaysAgo;
    settings.count = expect.Integer("days_ago", 1, 1, 366);
    shift_days = settings.count;
  } else if (expect.Has("weeks_ago")) {
    settings.expect = VolumeCheck::Expect::kWeeksAgo;
    settings.count = expect.Integer("weeks_ago", 1, 1, 53);
    shift_days = settings.count * 7;
  } else {
    settings.expect = VolumeCheck::Expect::kBusinessDaysAgo;
    settings.count = expect.Integer("business_days_ago", 1, 1, 260);
    shift_days = settings.count;
    if (!settings.calendar) {
      expect.FailAt(expect.Raw("business_days_ago"), "business_days_ago",
                    "needs the check's calendar: (its weekend and holidays say which days are "
                    "business days)");
    }
  }
  expect.RejectUnknownKeys();
  if (settings.calendar && settings.expect != VolumeCheck::Expect::kBusinessDaysAgo) {
    reader.Fail("calendar", "is only used with expect: {business_days_ago: N}");
  }
  if (shift_days > 0 && settings.period > Duration(shift_days * 86'400'000)) {
    reader.Fail("period", "period " + FormatDuration(settings.period) +
                              " is longer than the comparison's distance of " +
                              std::to_string(shift_days) +
                              " days: the two periods would overlap; shorten period");
  }
  // The comparison keeps the local times of the calendar's zone, or else global.timezone.
  settings.zone =
      settings.calendar ? settings.calendar->zone() : date::locate_zone(config.global.timezone);
  return std::make_shared<VolumeCheck>(std::move(spec), std::move(settings));
}

FRESHNESS_REGISTER_CHECK_KIND((CheckKind{
    CheckKindSyntax{
        "volume",
        {"table", "time_column", "where", "period", "expect", "calendar", "warn_below",
         "error_below"},
        true,
        "warn_below/error_below",
        "for a volume check use warn_below (warning) and error_below (critical)",
        "not allowed on volume checks: the period already smooths the count; lengthen period "
        "instead"},
    MakeVolumeCheck, 60, TableColumnKeys{{{"time_column", true}}, "time_column", {"time_column"}},
    [](Check& check, Database&, Duration, std::string*) {
      return static_cast<const VolumeCheck&>(check).CountSql(std::chrono::system_clock::now());
    }}))

}  // namespace freshness
