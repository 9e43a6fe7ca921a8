// The SQL check kinds, built from YAML as the exporter builds them, against real data: each
// value must equal what SQL computes directly over the same rows.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "checks/check.h"
#include "config/config_loader.h"
#include "db/sql_text.h"
#include "metrics/metric_names.h"
#include "postgres_fixture.h"

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

  Observation Collect(const std::string& name) {
    for (const std::shared_ptr<Check>& check : config_.checks) {
      if (check->spec().name != name) continue;
      CollectContext context;
      context.database = database_.get();
      context.clock = &clock_;
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
  for (const char* name : {"lag_single", "runs", "duplicates", "pnl"}) {
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
