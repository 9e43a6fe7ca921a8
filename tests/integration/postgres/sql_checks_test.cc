// The SQL check kinds, built from YAML as the exporter builds them, against real data: each
// value must equal what SQL computes directly over the same rows.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "checks/check.h"
#include "checks/runs_check.h"
#include "checks/volume_check.h"
#include "db/sql_text.h"
#include "loader/config_loader.h"
#include "metrics/metric_names.h"
#include "postgres_fixture.h"
#include "schedule/rfc3339.h"

namespace freshness::testing {
namespace {

using std::chrono::milliseconds;

class SqlChecksTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    config_ = LoadConfigString(R"(
targets:
  db: {dsn_env: FRESHNESS_IT_db, max_connections: 2}
calendars:
  desk: {timezone: America/New_York, weekend: [sat, sun],
         holidays: {2026-07-03: Independence Day (observed)}, valid_through: 2026-12-31}
checks:
  - {name: lag_single, kind: lag, target: db, table: it.events, column: ts}
  - {name: lag_naive, kind: lag, target: db, table: it.events, column: ts_naive}
  - {name: lag_filtered, kind: lag, target: db, table: it.events, column: ts, where: "lane <> 'a'"}
  - {name: lag_grouped, kind: lag, target: db, table: it.events, column: ts, group_by: [lane]}
  - {name: lag_empty, kind: lag, target: db, table: it.no_events, column: ts}
  - {name: runs, kind: runs, target: db, table: it.runs, started_column: started_at,
     finished_column: finished_at, window: 1h, max_duration: 30m}
  - {name: duplicates, kind: duplicates, target: db, table: it.executions,
     key: [recommendation_id], time_column: executed_at, window: 1h}
  - name: pnl
    kind: query
    target: db
    sql: "SELECT account, desk, pnl, positions FROM it.pnl"
    metrics:
      - {name: trading_daily_pnl, value: pnl, labels: [account, desk]}
      - {name: trading_positions, value: positions, labels: [account]}
  - {name: nightly, kind: runs, target: db, table: it.job_runs, started_column: started_at,
     finished_column: finished_at, window: 1h, max_duration: 30m,
     failed_when: "status = 'failed'", max_success_age: 2h}
  - {name: nightly_integer, kind: runs, target: db, table: it.job_runs,
     started_column: started_at, finished_column: finished_at, failed_when: dispatched}
  - {name: nightly_typo, kind: runs, target: db, table: it.job_runs, started_column: started_at,
     finished_column: finished_at, failed_when: "stauts = 'failed'"}
  - {name: fills_rows, kind: volume, target: db, table: it.fills, time_column: filled_at,
     where: "venue <> 'dark'", expect: {rows: 40}}
  - {name: fills_daily, kind: volume, target: db, table: it.fills, time_column: filled_at,
     expect: {days_ago: 1}, error_below: 0.6}
  - {name: fills_weekly, kind: volume, target: db, table: it.fills, time_column: filled_at,
     expect: {weeks_ago: 1}}
  - {name: fills_business, kind: volume, target: db, table: it.fills, time_column: filled_at,
     calendar: desk, expect: {business_days_ago: 1}}
  - name: sneaky_delete
    kind: query
    target: db
    sql: "WITH gone AS (DELETE FROM it.pnl RETURNING 1) SELECT count(*) AS n FROM gone"
    metrics: [{name: deleted_rows, value: n}]
)",
                               "postgres_checks.yml");
    ::setenv("FRESHNESS_IT_db", server().Dsn().c_str(), 1);
    database_ = std::make_unique<PostgresDatabase>(config_.targets.at("db"));
  }

  const Check& CheckNamed(const std::string& name) const {
    for (const std::shared_ptr<Check>& check : config_.checks) {
      if (check->spec().name == name) return *check;
    }
    throw std::invalid_argument("no check named " + name);
  }

  Observation Collect(const std::string& name, const Clock* clock = nullptr) {
    for (const std::shared_ptr<Check>& check : config_.checks) {
      if (check->spec().name != name) continue;
      CollectContext context;
      context.database = database_.get();
      context.clock = clock != nullptr ? clock : &clock_;
      context.budget = milliseconds(5'000);
      return check->Collect(context);
    }
    ADD_FAILURE() << "no check named " << name;
    return {};
  }

  // The value Prometheus would see for `sample` if scraped at `scrape_time`.
  static double ValueAt(const Sample& sample, double scrape_time) {
    return sample.since_unix_seconds ? scrape_time - *sample.since_unix_seconds : sample.value;
  }

  static const Sample* Find(const Observation& observation, const std::string& metric,
                            const Labels& labels = {}) {
    for (const Sample& sample : observation.samples) {
      if (sample.metric == metric && sample.labels == labels) return &sample;
    }
    return nullptr;
  }

  static double Number(const std::string& sql) {
    const std::string text = Scalar(sql);
    const std::optional<double> value = ParseSqlNumber(text);
    EXPECT_TRUE(value.has_value()) << sql << " returned " << text;
    return value.value_or(std::nan(""));
  }

  Config config_;
  SystemClock clock_;
  std::unique_ptr<PostgresDatabase> database_;
};

// A scrape time well after every event, in the same form the exporter uses.
constexpr double kScrapeTime = 1'795'460'000.25;  // 2026-11-23T18:53:20.25Z
constexpr const char* kScrapeTimeSql = "to_timestamp(1795460000.25)";

TEST_F(SqlChecksTest, LagIsScrapeTimeMinusTheNewestEvent) {
  server().Execute(R"(
    CREATE TABLE it.events (lane text, ts timestamptz, ts_naive timestamp);
    INSERT INTO it.events VALUES
      ('a', '2026-11-23 17:00:00.123456+00', '2026-11-23 16:00:00'),
      ('a', '2026-11-23 18:59:59+01', '2026-11-23 17:30:00.5'),   -- newest: 17:59:59Z
      ('a', NULL, NULL),                                            -- NULLs are ignored
      ('b', '2026-11-23 12:00:00-05', '2026-11-23 10:00:00'),     -- 17:00:00Z
      ('b', '2026-11-23 16:45:30.25+00', NULL),
      ('c', NULL, NULL))");
  const std::string scrape(kScrapeTimeSql);

  const Observation single = Collect("lag_single");
  const Sample* lag = Find(single, metric::kLagSeconds);
  const Sample* last = Find(single, metric::kLastEventTimestamp);
  ASSERT_TRUE(lag && last);
  EXPECT_NEAR(ValueAt(*lag, kScrapeTime),
              Number("SELECT extract(epoch FROM " + scrape + " - max(ts)) FROM it.events"), 1e-5);
  EXPECT_NEAR(last->value, Number("SELECT extract(epoch FROM max(ts)) FROM it.events"), 1e-5);
  EXPECT_NEAR(last->value, 1'795'456'799.0, 1e-5);  // 2026-11-23T17:59:59Z, independently

  // timestamp without time zone reads as UTC.
  const Observation naive_observation = Collect("lag_naive");
  const Sample* naive = Find(naive_observation, metric::kLastEventTimestamp);
  ASSERT_TRUE(naive);
  EXPECT_NEAR(naive->value, Number("SELECT extract(epoch FROM max(ts_naive)) FROM it.events"),
              1e-5);
  EXPECT_NEAR(naive->value, 1'795'455'000.5, 1e-5);  // 2026-11-23T17:30:00.5Z

  const Observation filtered_observation = Collect("lag_filtered");
  const Sample* filtered = Find(filtered_observation, metric::kLagSeconds);
  ASSERT_TRUE(filtered);
  EXPECT_NEAR(ValueAt(*filtered, kScrapeTime),
              Number("SELECT extract(epoch FROM " + scrape +
                     " - max(ts)) FROM it.events WHERE lane <> 'a'"),
              1e-5);
}

TEST_F(SqlChecksTest, LagGroupByGivesOneSeriesPerGroup) {
  server().Execute(R"(
    CREATE TABLE it.events (lane text, ts timestamptz, ts_naive timestamp);
    INSERT INTO it.events VALUES
      ('a', '2026-11-23 17:00:00.123456+00', NULL), ('a', '2026-11-23 17:59:59+00', NULL),
      ('a', NULL, NULL), ('b', '2026-11-23 12:00:00-05', NULL), ('c', NULL, NULL))");
  const Observation grouped = Collect("lag_grouped");
  for (const char* lane : {"a", "b"}) {
    const Sample* lag = Find(grouped, metric::kLagSeconds, {{"lane", lane}});
    ASSERT_TRUE(lag) << lane;
    EXPECT_NEAR(ValueAt(*lag, kScrapeTime),
                Number(std::string("SELECT extract(epoch FROM ") + kScrapeTimeSql +
                       " - max(ts)) FROM it.events WHERE lane = '" + lane + "'"),
                1e-5)
        << lane;
  }
  // A group whose events all lack a time has never produced one: infinitely stale.
  const Sample* never = Find(grouped, metric::kLagSeconds, {{"lane", "c"}});
  ASSERT_TRUE(never);
  EXPECT_EQ(ValueAt(*never, kScrapeTime), std::numeric_limits<double>::infinity());
  std::size_t lag_series = 0;
  for (const Sample& sample : grouped.samples) lag_series += sample.metric == metric::kLagSeconds;
  EXPECT_EQ(lag_series, std::stoul(Scalar("SELECT count(DISTINCT lane) FROM it.events")));
}

TEST_F(SqlChecksTest, LagOfAnEmptyTableIsInfinite) {
  server().Execute("CREATE TABLE it.no_events (ts timestamptz)");
  const Observation empty = Collect("lag_empty");
  const Sample* lag = Find(empty, metric::kLagSeconds);
  ASSERT_TRUE(lag);
  EXPECT_EQ(ValueAt(*lag, kScrapeTime), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Find(empty, metric::kLastEventTimestamp), nullptr);
}

TEST_F(SqlChecksTest, RunsCountsUnfinishedRunsInsideTheWindow) {
  server().Execute(R"(
    CREATE TABLE it.runs (id int, started_at timestamptz, finished_at timestamptz);
    INSERT INTO it.runs VALUES
      (1, now() - interval '10 minutes', NULL),                             -- unfinished
      (2, now() - interval '50 minutes', NULL),                             -- unfinished, oldest
      (3, now() - interval '55 minutes', now() - interval '40 minutes'),    -- finished
      (4, now() - interval '2 hours', NULL),                                -- outside the window
      (5, now() - interval '1 minute', now()))");
  const Observation runs = Collect("runs");
  const Sample* count = Find(runs, metric::kUnfinishedRuns);
  const Sample* oldest = Find(runs, metric::kOldestUnfinishedRunAge);
  ASSERT_TRUE(count && oldest);
  EXPECT_EQ(count->value, 2);
  ASSERT_TRUE(oldest->since_unix_seconds.has_value());
  EXPECT_NEAR(*oldest->since_unix_seconds,
              Number("SELECT extract(epoch FROM started_at) FROM it.runs WHERE id = 2"), 1e-5);

  server().Execute("UPDATE it.runs SET finished_at = now() WHERE id IN (1, 2)");
  const Observation none = Collect("runs");
  EXPECT_EQ(Find(none, metric::kUnfinishedRuns)->value, 0);
  const Sample* zero = Find(none, metric::kOldestUnfinishedRunAge);
  ASSERT_TRUE(zero);
  EXPECT_EQ(ValueAt(*zero, kScrapeTime), 0);
}

// A ledger of runs, newest last: a success 3 hours ago, then failures 2 hours, 50 and 20 minutes
// ago (one outside the 1h window), and a run still going.
constexpr const char* kLedger = R"(
    CREATE TABLE it.job_runs (id int, started_at timestamptz, finished_at timestamptz,
                              status text, dispatched int);
    CREATE INDEX ON it.job_runs (started_at);
    INSERT INTO it.job_runs VALUES
      (1, now() - interval '5 hours', now() - interval '295 minutes', 'failed', 0),
      (2, now() - interval '3 hours', now() - interval '170 minutes', 'ok', 10),
      (3, now() - interval '2 hours', now() - interval '110 minutes', 'failed', 0),
      (4, now() - interval '50 minutes', now() - interval '45 minutes', 'failed', 0),
      (5, now() - interval '20 minutes', now() - interval '15 minutes', 'failed', 0),
      (6, now() - interval '5 minutes', NULL, 'running', 0))";

TEST_F(SqlChecksTest, RunsLedgerCountsFailuresInARowAcrossTheWindow) {
  server().Execute(kLedger);
  const Observation observation = Collect("nightly");
  const Sample* streak = Find(observation, metric::kConsecutiveFailedRuns);
  const Sample* failed = Find(observation, metric::kFailedRuns);
  const Sample* success = Find(observation, metric::kLastSuccessfulRunTimestamp);
  const Sample* age = Find(observation, metric::kLastSuccessfulRunAge);
  ASSERT_TRUE(streak && failed && success && age);
  EXPECT_EQ(streak->value, 3);  // runs 5, 4 and 3: the streak crosses the window's start
  EXPECT_EQ(failed->value, 2);  // runs 5 and 4 started inside the window
  EXPECT_EQ(failed->value, Number("SELECT count(*) FROM it.job_runs WHERE status = 'failed' AND "
                                  "started_at >= now() - interval '1 hour'"));
  EXPECT_NEAR(success->value,
              Number("SELECT extract(epoch FROM finished_at) FROM it.job_runs WHERE id = 2"), 1e-5);
  ASSERT_TRUE(age->since_unix_seconds.has_value());
  EXPECT_EQ(*age->since_unix_seconds, success->value);
  EXPECT_EQ(Find(observation, metric::kUnfinishedRuns)->value, 1);  // unchanged by failed_when

  const CheckSummary summary = CheckNamed("nightly").Summarize(observation, clock_.Now());
  EXPECT_EQ(summary.level, Level::kCritical);  // 3 in a row >= error_after_failures 3
  EXPECT_EQ(summary.state, "failing");

  // A success ends the streak; then no run has ever succeeded once it is gone.
  server().Execute(
      "INSERT INTO it.job_runs VALUES (7, now() - interval '2 minutes', now(), 'ok', 3)");
  const Observation recovered = Collect("nightly");
  EXPECT_EQ(Find(recovered, metric::kConsecutiveFailedRuns)->value, 0);
  EXPECT_EQ(CheckNamed("nightly").Summarize(recovered, clock_.Now()).level, Level::kOk);
  server().Execute("DELETE FROM it.job_runs WHERE status = 'ok'");
  const Observation never = Collect("nightly");
  EXPECT_EQ(Find(never, metric::kConsecutiveFailedRuns)->value, 4);
  EXPECT_EQ(Find(never, metric::kLastSuccessfulRunTimestamp), nullptr);
  EXPECT_EQ(ValueAt(*Find(never, metric::kLastSuccessfulRunAge), kScrapeTime),
            std::numeric_limits<double>::infinity());
}

TEST_F(SqlChecksTest, RunsLedgerErrorsNameTheCheckTableAndKey) {
  server().Execute(kLedger);
  try {
    Collect("nightly_integer");
    ADD_FAILURE() << "an integer failed_when must fail";
  } catch (const CheckError& error) {
    const std::string what = error.what();
    EXPECT_EQ(error.reason(), ErrorReason::kQuery);
    EXPECT_EQ(what.rfind("check \"nightly_integer\", table it.job_runs: failed_when is not a "
                         "boolean condition (",
                         0),
              0u)
        << what;
    EXPECT_NE(what.find("42804"), std::string::npos) << what;
  }
  try {
    Collect("nightly_typo");
    ADD_FAILURE() << "an unknown column must fail";
  } catch (const CheckError& error) {
    const std::string what = error.what();
    EXPECT_EQ(what.rfind("check \"nightly_typo\", table it.job_runs: column \"stauts\" of "
                         "failed_when does not exist (",
                         0),
              0u)
        << what;
  }
  EXPECT_TRUE(database_->Up());
}

constexpr const char* kFills =
    "CREATE TABLE it.fills (id serial, filled_at timestamptz NOT NULL, venue text NOT NULL);"
    "CREATE INDEX ON it.fills (filled_at);";

TEST_F(SqlChecksTest, VolumeComparesWithAFixedCountAndWithDaysOrWeeksBefore) {
  server().Execute(kFills);
  // The last hour: 30 lit fills and 5 dark ones; a day before: 50; a week before: 35.
  server().Execute(R"(
    INSERT INTO it.fills (filled_at, venue)
      SELECT now() - interval '1 minute' * (5 + g), 'lit' FROM generate_series(1, 30) g;
    INSERT INTO it.fills (filled_at, venue)
      SELECT now() - interval '1 minute' * (5 + g), 'dark' FROM generate_series(1, 5) g;
    INSERT INTO it.fills (filled_at, venue)
      SELECT now() - interval '1 day' - interval '1 minute' * g, 'lit' FROM generate_series(2, 51) g;
    INSERT INTO it.fills (filled_at, venue)
      SELECT now() - interval '7 days' - interval '1 minute' * g, 'lit' FROM generate_series(2, 36) g;
    -- outside every period
    INSERT INTO it.fills (filled_at, venue) VALUES (now() - interval '2 hours', 'lit'),
      (now() - interval '1 day' - interval '2 hours', 'lit'), (now() + interval '1 hour', 'lit');
  )");
  const Observation rows = Collect("fills_rows");
  EXPECT_EQ(Find(rows, metric::kVolumeObservedRows)->value, 30);  // where: venue <> 'dark'
  EXPECT_EQ(Find(rows, metric::kVolumeExpectedRows)->value, 40);
  EXPECT_DOUBLE_EQ(Find(rows, metric::kVolumeRatio)->value, 0.75);

  const Observation daily = Collect("fills_daily");
  EXPECT_EQ(Find(daily, metric::kVolumeObservedRows)->value, 35);
  EXPECT_EQ(Find(daily, metric::kVolumeExpectedRows)->value, 50);
  EXPECT_DOUBLE_EQ(Find(daily, metric::kVolumeRatio)->value, 0.7);
  const CheckSummary summary = CheckNamed("fills_daily").Summarize(daily, clock_.Now());
  EXPECT_EQ(summary.level, Level::kWarning);  // 0.7 < warn_below 0.95, not < error_below 0.6
  EXPECT_EQ(summary.reason, "ratio 0.7 (35 of 50 rows) < warn_below 0.95");

  const Observation weekly = Collect("fills_weekly");
  EXPECT_EQ(Find(weekly, metric::kVolumeExpectedRows)->value, 35);
  EXPECT_DOUBLE_EQ(Find(weekly, metric::kVolumeRatio)->value, 1.0);
}

TEST_F(SqlChecksTest, VolumeByBusinessDaysSkipsTheHolidayBeforeAMonday) {
  server().Execute(kFills);
  // Monday 2026-07-06, 10:00 in New York (14:00Z): the hour before compares with Thursday
  // 2026-07-02 09:00-10:00, over the weekend and Friday's holiday.
  server().Execute(R"(
    INSERT INTO it.fills (filled_at, venue)
      SELECT timestamptz '2026-07-06 13:00:00+00' + interval '1 minute' * g, 'lit'
      FROM generate_series(0, 9) g;                                         -- Monday: 10
    INSERT INTO it.fills (filled_at, venue)
      SELECT timestamptz '2026-07-02 13:00:00+00' + interval '1 minute' * g, 'lit'
      FROM generate_series(0, 19) g;                                        -- Thursday: 20
    INSERT INTO it.fills (filled_at, venue)
      SELECT timestamptz '2026-07-03 13:00:00+00' + interval '1 minute' * g, 'lit'
      FROM generate_series(0, 49) g;                                        -- the holiday
    INSERT INTO it.fills (filled_at, venue)
      SELECT timestamptz '2026-07-05 13:00:00+00' + interval '1 minute' * g, 'lit'
      FROM generate_series(0, 6) g;                                         -- Sunday
    INSERT INTO it.fills (filled_at, venue) VALUES ('2026-07-02 14:00:00+00', 'lit');  -- after
  )");
  const FixedClock monday(*ParseRfc3339("2026-07-06T14:00:00Z"));
  const Observation observation = Collect("fills_business", &monday);
  EXPECT_EQ(Find(observation, metric::kVolumeObservedRows)->value, 10);
  EXPECT_EQ(Find(observation, metric::kVolumeExpectedRows)->value, 20);
  EXPECT_DOUBLE_EQ(Find(observation, metric::kVolumeRatio)->value, 0.5);
}

TEST_F(SqlChecksTest, VolumeBeforeTheTablesRetentionIsANamedError) {
  server().Execute(kFills);
  server().Execute(R"(
    INSERT INTO it.fills (filled_at, venue)
      SELECT now() - interval '30 seconds' - interval '1 minute' * g, 'lit'
      FROM generate_series(0, 1999) g)");
  try {
    Collect("fills_weekly");
    ADD_FAILURE() << "a week before the oldest row must fail";
  } catch (const CheckError& error) {
    const std::string what = error.what();
    const std::string oldest = Scalar(
        "SELECT to_char(min(filled_at) AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM it.fills");
    EXPECT_EQ(error.reason(), ErrorReason::kQuery);
    EXPECT_EQ(what.rfind("check \"fills_weekly\", table it.fills: the comparison period [", 0), 0u)
        << what;
    EXPECT_NE(what.find("lies before the table's retention: it only holds rows since " + oldest),
              std::string::npos)
        << what;
  }
  // A day before is covered (rows go back 33 hours): the ratio is real.
  const Observation daily = Collect("fills_daily");
  EXPECT_EQ(Find(daily, metric::kVolumeObservedRows)->value, 60);
  EXPECT_GT(Find(daily, metric::kVolumeExpectedRows)->value, 0);
}

// The generated statements walk the time index, on tables large enough that a sequential scan
// would show: the cost does not grow with the table.
TEST_F(SqlChecksTest, LedgerAndVolumeStatementsUseTheTimeIndex) {
  server().Execute(R"(
    CREATE TABLE it.job_runs (id int, started_at timestamptz, finished_at timestamptz,
                              status text, dispatched int);
    INSERT INTO it.job_runs
      SELECT g, now() - interval '1 minute' * g, now() - interval '1 minute' * g + interval '30 s',
             CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'ok' END, 1
      FROM generate_series(1, 300000) g;
    CREATE INDEX job_runs_started_idx ON it.job_runs (started_at);
    ANALYZE it.job_runs;)");
  server().Execute(kFills);
  server().Execute(R"(
    INSERT INTO it.fills (filled_at, venue)
      SELECT now() - interval '5 seconds' * g, 'lit' FROM generate_series(1, 300000) g;
    ANALYZE it.fills;)");
  const auto plan_of = [](const std::string& sql) {
    std::string plan;
    for (const auto& row : server().Execute("EXPLAIN " + sql))
      plan += row.at(0).value_or("") + "\n";
    return plan;
  };
  const auto& runs = dynamic_cast<const RunsCheck&>(CheckNamed("nightly"));
  ASSERT_TRUE(runs.ledger().has_value());
  for (const std::string& sql : {runs.sql(), runs.ledger()->sql}) {
    const std::string plan = plan_of(sql);
    EXPECT_EQ(plan.find("Seq Scan"), std::string::npos) << sql << "\n" << plan;
    EXPECT_NE(plan.find("job_runs_started_idx"), std::string::npos) << sql << "\n" << plan;
  }
  const TimePoint now = clock_.Now();
  for (const char* name : {"fills_rows", "fills_daily"}) {
    const auto& volume = dynamic_cast<const VolumeCheck&>(CheckNamed(name));
    const std::string plan = plan_of(volume.CountSql(now));
    EXPECT_EQ(plan.find("Seq Scan"), std::string::npos) << plan;
    EXPECT_NE(plan.find("Index"), std::string::npos) << plan;
    EXPECT_NE(plan.find("fills_filled_at_idx"), std::string::npos) << plan;
  }
  const std::string oldest = plan_of("SELECT min(\"filled_at\") FROM \"it\".\"fills\"");
  EXPECT_NE(oldest.find("Index Only Scan"), std::string::npos) << oldest;
}

TEST_F(SqlChecksTest, DuplicatesCountsKeysExecutedTwiceInsideTheWindow) {
  server().Execute(R"(
    CREATE TABLE it.executions (recommendation_id text, executed_at timestamptz);
    INSERT INTO it.executions VALUES
      ('r1', now() - interval '5 minutes'), ('r1', now() - interval '6 minutes'),
      ('r2', now() - interval '1 minute'), ('r2', now() - interval '2 minutes'),
      ('r2', now() - interval '3 minutes'),
      ('r3', now() - interval '4 minutes'),
      ('r4', now() - interval '10 minutes'), ('r4', now() - interval '3 hours'),
      ('r5', now() - interval '2 hours'), ('r5', now() - interval '3 hours'))");
  const Observation observation = Collect("duplicates");
  const Sample* duplicates = Find(observation, metric::kDuplicateExecutions);
  ASSERT_TRUE(duplicates);
  EXPECT_EQ(duplicates->value, 2);  // r1 and r2; r4 and r5 repeat only outside the window
  EXPECT_EQ(duplicates->value,
            Number("SELECT count(*) FROM (SELECT recommendation_id FROM it.executions "
                   "WHERE executed_at > now() - interval '1 hour' GROUP BY 1 "
                   "HAVING count(*) >= 2) AS repeated"));
}

TEST_F(SqlChecksTest, QueryExportsLabelledGaugesAndSkipsNulls) {
  server().Execute(R"(
    CREATE TABLE it.pnl (account text, desk text, pnl numeric, positions bigint);
    INSERT INTO it.pnl VALUES
      ('acc-1', 'rates', 1250.75, 3), ('acc-2', 'fx', -310.5, NULL), ('acc-3', 'fx', NULL, 7))");
  const Observation pnl = Collect("pnl");
  const Sample* first = Find(pnl, "trading_daily_pnl", {{"account", "acc-1"}, {"desk", "rates"}});
  const Sample* second = Find(pnl, "trading_daily_pnl", {{"account", "acc-2"}, {"desk", "fx"}});
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->value, Number("SELECT pnl FROM it.pnl WHERE account = 'acc-1'"));
  EXPECT_EQ(second->value, -310.5);
  EXPECT_EQ(Find(pnl, "trading_daily_pnl", {{"account", "acc-3"}, {"desk", "fx"}}), nullptr);
  EXPECT_EQ(Find(pnl, "trading_positions", {{"account", "acc-1"}})->value, 3);
  EXPECT_EQ(Find(pnl, "trading_positions", {{"account", "acc-2"}}), nullptr);
  EXPECT_EQ(Find(pnl, "trading_positions", {{"account", "acc-3"}})->value, 7);
  EXPECT_EQ(pnl.samples.size(), 4u);
}

TEST_F(SqlChecksTest, DataModifyingQueryCheckFailsAndChangesNothing) {
  server().Execute(
      "CREATE TABLE it.pnl (account text, desk text, pnl numeric, positions bigint); "
      "INSERT INTO it.pnl VALUES ('acc-1', 'rates', 1, 1), ('acc-2', 'fx', 2, 2)");
  try {
    Collect("sneaky_delete");
    ADD_FAILURE() << "a data-modifying query must fail";
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kQuery) << error.what();
    EXPECT_NE(std::string(error.what()).find("25006"), std::string::npos) << error.what();
  }
  EXPECT_EQ(Scalar("SELECT count(*) FROM it.pnl"), "2");
  EXPECT_TRUE(database_->Up());
}

TEST_F(SqlChecksTest, MissingTableIsAQueryErrorForEveryKind) {
  for (const char* name : {"lag_single", "runs", "duplicates", "pnl", "nightly", "fills_rows"}) {
    try {
      Collect(name);
      ADD_FAILURE() << name << " must fail without its table";
    } catch (const CheckError& error) {
      EXPECT_EQ(error.reason(), ErrorReason::kQuery) << name << ": " << error.what();
      EXPECT_NE(std::string(error.what()).find("42P01"), std::string::npos) << error.what();
    }
  }
  EXPECT_TRUE(database_->Up());
}

}  // namespace
}  // namespace freshness::testing
