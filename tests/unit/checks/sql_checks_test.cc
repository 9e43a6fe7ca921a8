// Lag, runs, duplicates and query checks against a fake database: the SQL they send and how
// they turn rows into samples. The real PostgreSQL runs in tests/integration/postgres.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "checks/check.h"
#include "checks/volume_check.h"
#include "loader/config_loader.h"
#include "metrics/metric_names.h"
#include "schedule/rfc3339.h"
#include "support/fake_clock.h"
#include "support/fake_database.h"
#include "util/check_error.h"

namespace freshness {
namespace {

using testing::FakeClock;
using testing::FakeDatabase;

std::shared_ptr<Check> BuildCheck(const std::string& check_yaml) {
  const Config config = LoadConfigString(
      "targets:\n  ops: {dsn_env: OPS_DSN}\nchecks:\n  - " + check_yaml + "\n", "test.yml");
  return config.checks.at(0);
}

const Sample* Find(const Observation& observation, const std::string& metric,
                   const Labels& labels = {}) {
  for (const Sample& sample : observation.samples) {
    if (sample.metric == metric && sample.labels == labels) return &sample;
  }
  return nullptr;
}

class SqlChecksTest : public ::testing::Test {
 protected:
  Observation Collect(Check& check) {
    CollectContext context;
    context.database = &database_;
    context.clock = &clock_;
    context.budget = check.spec().timeout;
    return check.Collect(context);
  }
  FakeDatabase database_{"ops"};
  FakeClock clock_{FromUnixSeconds(1'800'000'000)};
};

TEST_F(SqlChecksTest, LagQueriesTheNewestEventAndAgesAtScrapeTime) {
  auto check = BuildCheck(
      "{name: t, kind: lag, target: ops, table: ops.lane_telemetry, "
      "column: ts, where: \"lane = 'a'\", timeout: 3s}");
  database_.Answer({{"max"}, {{std::string("2027-01-15 08:00:00+00")}}});
  const Observation observation = Collect(*check);
  ASSERT_EQ(database_.queries().size(), 1u);
  EXPECT_EQ(database_.queries()[0],
            "SELECT max(\"ts\") FROM \"ops\".\"lane_telemetry\" WHERE (lane = 'a')");
  EXPECT_EQ(database_.last_budget(), Duration(3000));
  const Sample* lag = Find(observation, metric::kLagSeconds);
  ASSERT_NE(lag, nullptr);
  ASSERT_TRUE(lag->since_unix_seconds.has_value());
  EXPECT_DOUBLE_EQ(*lag->since_unix_seconds, 1'800'000'000.0);  // 2027-01-15T08:00:00Z
  const Sample* last = Find(observation, metric::kLastEventTimestamp);
  ASSERT_NE(last, nullptr);
  EXPECT_DOUBLE_EQ(last->value, 1'800'000'000.0);
  clock_.Advance(std::chrono::seconds(42));
  EXPECT_EQ(check->Summarize(observation, clock_.Now()).value, "lag 42.0s");
}

TEST_F(SqlChecksTest, LagOfAnEmptyTableIsInfinite) {
  auto check = BuildCheck("{name: t, kind: lag, target: ops, table: t, column: ts}");
  database_.Answer({{"max"}, {{std::nullopt}}});
  const Observation observation = Collect(*check);
  const Sample* lag = Find(observation, metric::kLagSeconds);
  ASSERT_NE(lag, nullptr);
  EXPECT_TRUE(std::isinf(lag->value));
  EXPECT_FALSE(lag->since_unix_seconds.has_value());
  EXPECT_EQ(Find(observation, metric::kLastEventTimestamp), nullptr);
  EXPECT_EQ(check->Summarize(observation, clock_.Now()).state, "empty");
}

TEST_F(SqlChecksTest, LagGroupByKeepsTheStalestSeriesUnderTheCap) {
  auto check = BuildCheck(
      "{name: t, kind: lag, target: ops, table: t, column: ts, group_by: [ticker], max_series: 2}");
  database_.Answer({{"ticker", "max"},
                    {{std::string("AAPL"), std::string("2027-01-15 08:00:00+00")},
                     {std::string("MSFT"), std::string("2027-01-15 07:00:00+00")},
                     {std::string("TSLA"), std::string("2027-01-15 09:00:00+00")}}});
  const Observation observation = Collect(*check);
  // The catalog answer makes no sense (this fake answers every query alike): GROUP BY form.
  EXPECT_NE(
      database_.queries().back().find("GROUP BY \"ticker\" ORDER BY max(\"ts\") ASC NULLS FIRST "
                                      "LIMIT 2"),
      std::string::npos);
  EXPECT_NE(Find(observation, metric::kLagSeconds, {{"ticker", "MSFT"}}), nullptr);
  EXPECT_NE(Find(observation, metric::kLagSeconds, {{"ticker", "AAPL"}}), nullptr);
  EXPECT_EQ(Find(observation, metric::kLagSeconds, {{"ticker", "TSLA"}}), nullptr);
}

TEST_F(SqlChecksTest, LagRejectsAValueThatIsNotATimestamp) {
  auto check = BuildCheck("{name: t, kind: lag, target: ops, sql: SELECT 'soon'}");
  database_.Answer({{"?column?"}, {{std::string("soon")}}});
  try {
    Collect(*check);
    FAIL();
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kQuery);
  }
}

TEST_F(SqlChecksTest, RunsCountsUnfinishedRunsInsideTheWindowOnly) {
  auto check = BuildCheck(
      "{name: d, kind: runs, target: ops, table: ops.dispatcher_runs, started_column: started_at, "
      "finished_column: finished_at, window: 10m, max_duration: 5m}");
  database_.Answer({{"count", "min"}, {{std::string("2"), std::string("2027-01-15 07:59:00+00")}}});
  const Observation observation = Collect(*check);
  EXPECT_EQ(database_.queries()[0],
            "SELECT count(*), min(\"started_at\") FROM \"ops\".\"dispatcher_runs\" WHERE "
            "\"started_at\" >= now() - interval '600 seconds' AND \"finished_at\" IS NULL");
  EXPECT_EQ(Find(observation, metric::kUnfinishedRuns)->value, 2);
  const Sample* age = Find(observation, metric::kOldestUnfinishedRunAge);
  ASSERT_NE(age, nullptr);
  EXPECT_DOUBLE_EQ(*age->since_unix_seconds, 1'800'000'000.0 - 60);
  EXPECT_EQ(check->Summarize(observation, clock_.Now()).value, "2 unfinished, oldest 1m00s");

  database_.Answer({{"count", "min"}, {{std::string("0"), std::nullopt}}});
  const Observation idle = Collect(*check);
  EXPECT_EQ(Find(idle, metric::kUnfinishedRuns)->value, 0);
  EXPECT_EQ(Find(idle, metric::kOldestUnfinishedRunAge)->value, 0);
  EXPECT_FALSE(Find(idle, metric::kOldestUnfinishedRunAge)->since_unix_seconds.has_value());
}

TEST_F(SqlChecksTest, DuplicatesGroupsByEveryKeyColumnInsideTheWindow) {
  auto check = BuildCheck(
      "{name: e, kind: duplicates, target: ops, table: ops.dispatch_executions, "
      "key: [recommendation_id, leg], time_column: executed_at, window: 24h}");
  database_.Answer({{"count"}, {{std::string("3")}}});
  const Observation observation = Collect(*check);
  EXPECT_EQ(database_.queries()[0],
            "SELECT count(*) FROM (SELECT 1 FROM \"ops\".\"dispatch_executions\" WHERE "
            "\"executed_at\" >= now() - interval '86400 seconds' GROUP BY \"recommendation_id\", "
            "\"leg\" HAVING count(*) > 1) AS duplicated_keys");
  EXPECT_EQ(Find(observation, metric::kDuplicateExecutions)->value, 3);
  EXPECT_EQ(check->Summarize(observation, clock_.Now()).state, "duplicates");
}

TEST_F(SqlChecksTest, QueryMapsRowsToLabelledGaugesAndSkipsNulls) {
  auto check = BuildCheck(
      "{name: pnl, kind: query, target: ops, sql: SELECT 1, metrics: ["
      "{name: trading_daily_pnl, value: pnl, labels: [account]},"
      "{name: trading_breaker_active, value: breaker}]}");
  database_.Answer({{"account", "pnl", "breaker"},
                    {{std::string("A1"), std::string("-125.5"), std::string("t")},
                     {std::string("A2"), std::nullopt, std::string("t")}}});
  EXPECT_THROW(Collect(*check), CheckError);  // two rows, same (empty) labels for the breaker

  database_.Answer({{"account", "pnl", "breaker"},
                    {{std::string("A1"), std::string("-125.5"), std::string("f")},
                     {std::string("A2"), std::nullopt, std::nullopt}}});
  auto single = BuildCheck(
      "{name: pnl, kind: query, target: ops, sql: SELECT 1, metrics: ["
      "{name: trading_daily_pnl, value: pnl, labels: [account]}]}");
  const Observation observation = Collect(*single);
  const Sample* a1 = Find(observation, "trading_daily_pnl", {{"account", "A1"}});
  ASSERT_NE(a1, nullptr);
  EXPECT_DOUBLE_EQ(a1->value, -125.5);
  EXPECT_EQ(Find(observation, "trading_daily_pnl", {{"account", "A2"}}), nullptr);
}

TEST_F(SqlChecksTest, QueryReportsAMissingOrNonNumericColumnAsAQueryError) {
  auto check = BuildCheck(
      "{name: q, kind: query, target: ops, sql: SELECT 1, metrics: [{name: m, value: v}]}");
  database_.Answer({{"other"}, {{std::string("1")}}});
  EXPECT_THROW(Collect(*check), CheckError);
  database_.Answer({{"v"}, {{std::string("abc")}}});
  try {
    Collect(*check);
    FAIL();
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kQuery);
    EXPECT_NE(std::string(error.what()).find("not numeric"), std::string::npos);
  }
}

TEST_F(SqlChecksTest, RunsWithFailedWhenReadsTheLedgerNewestFirst) {
  auto check = BuildCheck(
      "{name: d, kind: runs, target: ops, table: ops.job_runs, started_column: started_at, "
      "finished_column: finished_at, window: 2h, max_duration: 1h, failed_when: \"status = "
      "'failed'\", warn_after_failures: 2, max_success_age: 26h}");
  database_.SetHandler([](const std::string& sql) -> QueryResult {
    if (sql.rfind("WITH recent", 0) == 0) {
      return {{"count", "coalesce", "finished_at"},
              {{std::string("1"), std::string("4"), std::string("2027-01-14 06:00:00+00")}}};
    }
    return {{"count", "min"}, {{std::string("0"), std::nullopt}}};
  });
  const Observation observation = Collect(*check);
  const std::vector<std::string> queries = database_.queries();
  ASSERT_EQ(queries.size(), 2u);
  // The unfinished-run statement is the one without failed_when.
  EXPECT_EQ(queries[0],
            "SELECT count(*), min(\"started_at\") FROM \"ops\".\"job_runs\" WHERE \"started_at\" "
            ">= now() - interval '7200 seconds' AND \"finished_at\" IS NULL");
  EXPECT_EQ(queries[1],
            "WITH recent AS (SELECT row_number() OVER (ORDER BY \"started_at\" DESC) AS n, "
            "((status = 'failed') IS TRUE) AS failed FROM \"ops\".\"job_runs\" WHERE "
            "\"finished_at\" IS NOT NULL ORDER BY \"started_at\" DESC LIMIT 13) SELECT (SELECT "
            "count(*) FROM \"ops\".\"job_runs\" WHERE \"finished_at\" IS NOT NULL AND "
            "\"started_at\" >= now() - interval '7200 seconds' AND ((status = 'failed') IS TRUE)), "
            "coalesce((SELECT min(n) - 1 FROM recent WHERE NOT failed), (SELECT count(*) FROM "
            "recent)), (SELECT \"finished_at\" FROM \"ops\".\"job_runs\" WHERE \"finished_at\" IS "
            "NOT NULL AND ((status = 'failed') IS NOT TRUE) ORDER BY \"started_at\" DESC LIMIT 1)");
  EXPECT_EQ(Find(observation, metric::kFailedRuns)->value, 1);
  EXPECT_EQ(Find(observation, metric::kConsecutiveFailedRuns)->value, 4);
  const double success = 1'800'000'000.0 - 26 * 3600;  // 2027-01-14T06:00:00Z
  EXPECT_DOUBLE_EQ(Find(observation, metric::kLastSuccessfulRunTimestamp)->value, success);
  EXPECT_DOUBLE_EQ(*Find(observation, metric::kLastSuccessfulRunAge)->since_unix_seconds, success);

  // 4 in a row >= error_after_failures 3 (the default): critical, whatever the success age.
  const CheckSummary summary = check->Summarize(observation, clock_.Now());
  EXPECT_EQ(summary.level, Level::kCritical);
  EXPECT_EQ(summary.state, "failing");
  EXPECT_EQ(summary.reason, "4 failed runs in a row >= error_after_failures 3");
  ASSERT_TRUE(summary.worst.has_value());
  EXPECT_EQ(summary.worst->metric, metric::kConsecutiveFailedRuns);
  EXPECT_EQ(summary.value, "0 unfinished, 4 failed in a row, last success 1d2h ago");
}

TEST_F(SqlChecksTest, RunsLedgerVerdictsFollowTheRulesComparisons) {
  auto check = BuildCheck(
      "{name: d, kind: runs, target: ops, table: t, started_column: s, finished_column: f, "
      "failed_when: \"error IS NOT NULL\", warn_after_failures: 2, error_after_failures: 5, "
      "max_success_age: 1h}");
  const auto observe = [&](const char* streak, std::optional<std::string> success) {
    database_.SetHandler([=](const std::string& sql) -> QueryResult {
      if (sql.rfind("WITH recent", 0) == 0) {
        return {{"count", "coalesce", "f"}, {{std::string("0"), std::string(streak), success}}};
      }
      return {{"count", "min"}, {{std::string("0"), std::nullopt}}};
    });
    return Collect(*check);
  };
  // 2 in a row reaches warn_after_failures 2 (>=); the last success 30 minutes ago is fine.
  CheckSummary summary =
      check->Summarize(observe("2", std::string("2027-01-15 07:30:00+00")), clock_.Now());
  EXPECT_EQ(summary.level, Level::kWarning);
  EXPECT_EQ(summary.reason, "2 failed runs in a row >= warn_after_failures 2");
  summary = check->Summarize(observe("1", std::string("2027-01-15 07:30:00+00")), clock_.Now());
  EXPECT_EQ(summary.level, Level::kOk);
  EXPECT_EQ(summary.state, "ok");
  // The newest success 2 hours ago is over max_success_age 1h: a warning.
  summary = check->Summarize(observe("0", std::string("2027-01-15 06:00:00+00")), clock_.Now());
  EXPECT_EQ(summary.level, Level::kWarning);
  EXPECT_EQ(summary.state, "no success");
  EXPECT_EQ(summary.reason, "last successful run 2h00m ago > max_success_age 1h");
  // No run ever succeeded: the age is +Inf, the timestamp absent.
  const Observation never = observe("0", std::nullopt);
  EXPECT_EQ(Find(never, metric::kLastSuccessfulRunTimestamp), nullptr);
  EXPECT_TRUE(std::isinf(Find(never, metric::kLastSuccessfulRunAge)->value));
  summary = check->Summarize(never, clock_.Now());
  EXPECT_EQ(summary.level, Level::kWarning);
  EXPECT_EQ(summary.reason, "no run succeeded > max_success_age 1h");
  // 5 in a row is critical and named first.
  summary = check->Summarize(observe("5", std::nullopt), clock_.Now());
  EXPECT_EQ(summary.level, Level::kCritical);
  EXPECT_EQ(summary.reason,
            "5 failed runs in a row >= error_after_failures 5; no run succeeded > "
            "max_success_age 1h");

  // The tiers are declared for the rules and the JSON API.
  std::map<std::string, double> thresholds;
  for (const Sample& sample : check->ConfigSamples()) {
    if (sample.metric != metric::kCheckThreshold) continue;
    thresholds[sample.labels.at("metric") + "/" + sample.labels.at("severity")] = sample.value;
  }
  EXPECT_EQ(thresholds.at("freshness_consecutive_failed_runs/warning"), 2);
  EXPECT_EQ(thresholds.at("freshness_consecutive_failed_runs/critical"), 5);
  EXPECT_EQ(thresholds.at("freshness_last_successful_run_age_seconds/warning"), 3600);
  EXPECT_EQ(thresholds.at("freshness_oldest_unfinished_run_age_seconds/critical"), 3600);
  const nlohmann::json json = check->ThresholdsJson();
  EXPECT_EQ(json.at("error_after_failures"), 5);
  EXPECT_EQ(json.at("warn_after_failures"), 2);
  EXPECT_EQ(json.at("max_success_age"), 3600);
}

TEST_F(SqlChecksTest, RunsWithoutFailedWhenKeepsOneStatementAndNoLedgerSeries) {
  auto check = BuildCheck(
      "{name: d, kind: runs, target: ops, table: t, started_column: s, finished_column: f}");
  database_.Answer({{"count", "min"}, {{std::string("0"), std::nullopt}}});
  const Observation observation = Collect(*check);
  EXPECT_EQ(database_.queries().size(), 1u);
  EXPECT_EQ(Find(observation, metric::kConsecutiveFailedRuns), nullptr);
  for (const Sample& sample : check->ConfigSamples()) {
    if (sample.metric == metric::kCheckThreshold) {
      EXPECT_EQ(sample.labels.at("metric"), metric::kOldestUnfinishedRunAge);
    }
  }
}

TEST_F(SqlChecksTest, RunsNamesTheKeyOfAnError) {
  auto check = BuildCheck(
      "{name: nightly, kind: runs, target: ops, table: ops.job_runs, started_column: s, "
      "finished_column: f, failed_when: \"exit_code\"}");
  database_.SetHandler([](const std::string& sql) -> QueryResult {
    if (sql.rfind("WITH recent", 0) == 0) {
      throw CheckError(ErrorReason::kQuery,
                       "target \"ops\": SQLSTATE 42804: argument of IS TRUE must be type "
                       "boolean, not type integer");
    }
    return {{"count", "min"}, {{std::string("0"), std::nullopt}}};
  });
  try {
    Collect(*check);
    FAIL();
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kQuery);
    EXPECT_EQ(std::string(error.what()),
              "check \"nightly\", table ops.job_runs: failed_when is not a boolean condition "
              "(target \"ops\": SQLSTATE 42804: argument of IS TRUE must be type boolean, not "
              "type integer)");
  }
  database_.Fail(ErrorReason::kQuery,
                 "target \"ops\": SQLSTATE 42703: column \"f\" does not exist");
  try {
    Collect(*check);
    FAIL();
  } catch (const CheckError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("check \"nightly\", table ops.job_runs: column \"f\" of finished_column "
                        "does not exist"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(SqlChecksTest, VolumeWithRowsCountsTheLastPeriod) {
  auto check = BuildCheck(
      "{name: fills, kind: volume, target: ops, table: ops.fills, time_column: filled_at, "
      "where: \"venue = 'X'\", period: 30m, expect: {rows: 200}}");
  database_.Answer({{"count"}, {{std::string("150")}}});
  const Observation observation = Collect(*check);
  EXPECT_EQ(database_.queries()[0],
            "SELECT (SELECT count(*) FROM \"ops\".\"fills\" WHERE \"filled_at\" >= timestamptz "
            "'2027-01-15 07:30:00.000000+00' AND \"filled_at\" < timestamptz '2027-01-15 "
            "08:00:00.000000+00' AND (venue = 'X'))");
  EXPECT_EQ(Find(observation, metric::kVolumeObservedRows)->value, 150);
  EXPECT_EQ(Find(observation, metric::kVolumeExpectedRows)->value, 200);
  EXPECT_DOUBLE_EQ(Find(observation, metric::kVolumeRatio)->value, 0.75);
  const CheckSummary summary = check->Summarize(observation, clock_.Now());
  EXPECT_EQ(summary.level, Level::kWarning);  // below the default warn_below 0.95
  EXPECT_EQ(summary.state, "low");
  EXPECT_EQ(summary.reason, "ratio 0.75 (150 of 200 rows) < warn_below 0.95");
  EXPECT_EQ(summary.value, "150 of 200 rows (75.0%)");
  const std::vector<Sample> thresholds = check->ConfigSamples();
  ASSERT_EQ(thresholds.size(), 1u);
  EXPECT_EQ(thresholds[0].labels.at("metric"), metric::kVolumeRatio);
  EXPECT_EQ(thresholds[0].labels.at("severity"), "warning");
  EXPECT_DOUBLE_EQ(thresholds[0].value, 0.95);
}

TEST_F(SqlChecksTest, VolumeComparesTheSameLocalTimesDaysAgo) {
  // 2027-01-15T08:00Z is 03:00 in New York (EST); the week before was too.
  const Config config = LoadConfigString(
      "global: {timezone: America/New_York}\n"
      "targets:\n  ops: {dsn_env: OPS_DSN}\n"
      "checks:\n"
      "  - {name: v, kind: volume, target: ops, table: t, time_column: ts, period: 2h,\n"
      "     expect: {weeks_ago: 1}, warn_below: 0.9, error_below: 0.5}\n",
      "test.yml");
  auto check = config.checks.at(0);
  database_.Answer({{"a", "b"}, {{std::string("40"), std::string("100")}}});
  const Observation observation = Collect(*check);
  EXPECT_EQ(database_.queries()[0],
            "SELECT (SELECT count(*) FROM \"t\" WHERE \"ts\" >= timestamptz '2027-01-15 "
            "06:00:00.000000+00' AND \"ts\" < timestamptz '2027-01-15 08:00:00.000000+00'), "
            "(SELECT count(*) FROM \"t\" WHERE \"ts\" >= timestamptz '2027-01-08 "
            "06:00:00.000000+00' AND \"ts\" < timestamptz '2027-01-08 08:00:00.000000+00')");
  EXPECT_DOUBLE_EQ(Find(observation, metric::kVolumeRatio)->value, 0.4);
  EXPECT_EQ(check->Summarize(observation, clock_.Now()).level, Level::kCritical);

  // Across a daylight saving change the local times stay: 2027-03-15 12:00 EDT is 16:00Z, a
  // day before (EST) 12:00 is 17:00Z.
  const auto& volume = dynamic_cast<const VolumeCheck&>(*check);
  const Config daily = LoadConfigString(
      "global: {timezone: America/New_York}\n"
      "targets:\n  ops: {dsn_env: OPS_DSN}\n"
      "checks:\n"
      "  - {name: v, kind: volume, target: ops, table: t, time_column: ts, expect: {days_ago: "
      "7}}\n",
      "test.yml");
  const auto& seven = dynamic_cast<const VolumeCheck&>(*daily.checks.at(0));
  const auto period = seven.ComparisonPeriod(*ParseRfc3339("2027-03-15T16:00:00Z"));
  ASSERT_TRUE(period.has_value());
  EXPECT_EQ(period->second, *ParseRfc3339("2027-03-08T17:00:00Z"));
  EXPECT_EQ(period->first, *ParseRfc3339("2027-03-08T16:00:00Z"));
  EXPECT_FALSE(volume.ComparisonPeriod(clock_.Now()) == std::nullopt);
}

TEST_F(SqlChecksTest, VolumeBusinessDaysSkipWeekendsAndHolidays) {
  const Config config = LoadConfigString(
      "targets:\n  ops: {dsn_env: OPS_DSN}\n"
      "calendars:\n"
      "  desk: {timezone: Europe/London, weekend: [sat, sun], holidays: {2027-01-08: Closed},\n"
      "         valid_through: 2027-12-31}\n"
      "checks:\n"
      "  - {name: v, kind: volume, target: ops, table: t, time_column: ts, calendar: desk,\n"
      "     expect: {business_days_ago: 1}}\n",
      "test.yml");
  const auto& check = dynamic_cast<const VolumeCheck&>(*config.checks.at(0));
  // Monday 2027-01-11 10:00 London after the Friday holiday compares with Thursday.
  const auto period = check.ComparisonPeriod(*ParseRfc3339("2027-01-11T10:00:00Z"));
  ASSERT_TRUE(period.has_value());
  EXPECT_EQ(period->first, *ParseRfc3339("2027-01-07T09:00:00Z"));
  EXPECT_EQ(period->second, *ParseRfc3339("2027-01-07T10:00:00Z"));
  // Tuesday compares with Monday.
  EXPECT_EQ(check.ComparisonPeriod(*ParseRfc3339("2027-01-12T10:00:00Z"))->second,
            *ParseRfc3339("2027-01-11T10:00:00Z"));
  // Past the calendar's valid_through the collection fails as a config error.
  try {
    check.ComparisonPeriod(*ParseRfc3339("2028-01-04T10:00:00Z"));
    FAIL();
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kConfig);
  }
}

TEST_F(SqlChecksTest, VolumeBeforeTheTablesRetentionFailsInsteadOfExportingARatio) {
  auto check = BuildCheck(
      "{name: fills, kind: volume, target: ops, table: ops.fills, time_column: filled_at, "
      "expect: {days_ago: 1}}");
  database_.SetHandler([](const std::string& sql) -> QueryResult {
    if (sql.rfind("SELECT min(", 0) == 0) {
      return {{"min"}, {{std::string("2027-01-15 01:00:00+00")}}};
    }
    return {{"a", "b"}, {{std::string("10"), std::string("0")}}};
  });
  try {
    Collect(*check);
    FAIL();
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kQuery);
    EXPECT_EQ(std::string(error.what()),
              "check \"fills\", table ops.fills: the comparison period [2027-01-14T07:00:00Z, "
              "2027-01-14T08:00:00Z) lies before the table's retention: it only holds rows since "
              "2027-01-15T01:00:00Z, so there is nothing to compare with");
  }
  EXPECT_EQ(database_.queries().back(), "SELECT min(\"filled_at\") FROM \"ops\".\"fills\"");

  // Rows older than the comparison period: 0 rows then is a real 0, and no ratio is exported.
  database_.SetHandler([](const std::string& sql) -> QueryResult {
    if (sql.rfind("SELECT min(", 0) == 0) {
      return {{"min"}, {{std::string("2026-01-01 00:00:00+00")}}};
    }
    return {{"a", "b"}, {{std::string("10"), std::string("0")}}};
  });
  const Observation observation = Collect(*check);
  EXPECT_EQ(Find(observation, metric::kVolumeExpectedRows)->value, 0);
  EXPECT_EQ(Find(observation, metric::kVolumeRatio), nullptr);
  EXPECT_EQ(check->Summarize(observation, clock_.Now()).level, Level::kOk);
}

}  // namespace
}  // namespace freshness
