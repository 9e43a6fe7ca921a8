// Lag, runs, duplicates and query checks against a fake database: the SQL they send and how
// they turn rows into samples. The real PostgreSQL runs in tests/integration/postgres.
#include <gtest/gtest.h>

#include <cmath>

#include "checks/check.h"
#include "config/config_loader.h"
#include "metrics/metric_names.h"
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

}  // namespace
}  // namespace freshness
