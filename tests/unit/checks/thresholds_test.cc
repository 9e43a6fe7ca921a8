// The tiers of the SQL kinds: what each check judges by its own thresholds (the arithmetic the
// rules use too), the series that declare them, and lag groups remembered between collections.
#include <gtest/gtest.h>

#include <cmath>

#include "checks/check.h"
#include "checks/lag_check.h"
#include "loader/config_loader.h"
#include "metrics/metric_names.h"
#include "schedule/rfc3339.h"
#include "support/fake_clock.h"
#include "support/fake_database.h"

namespace freshness {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::FakeClock;
using testing::FakeDatabase;

TimePoint At(const std::string& text) { return *ParseRfc3339(text); }

class ThresholdsTest : public ::testing::Test {
 protected:
  std::shared_ptr<Check> Build(const std::string& check_yaml) {
    config_ = std::make_shared<Config>(
        LoadConfigString("targets:\n  ops: {dsn_env: OPS_DSN}\nchecks:\n  - " + check_yaml + "\n",
                         "test.yml", At("2026-07-07T00:00:00Z")));
    return config_->checks.at(0);
  }
  Observation Collect(Check& check) {
    CollectContext context;
    context.database = &database_;
    context.clock = &clock_;
    context.budget = check.spec().timeout;
    return check.Collect(context);
  }
  // The last event at `newest`, collected at `collected`.
  Observation LagObservation(Check& check, const std::string& newest) {
    database_.Answer({{"max"}, {{newest}}});
    return Collect(check);
  }

  std::shared_ptr<Config> config_;
  FakeDatabase database_{"ops"};
  FakeClock clock_{At("2026-07-07T08:00:00Z")};
};

std::vector<std::pair<Labels, double>> ConfigSeries(const Check& check, const std::string& name) {
  std::vector<std::pair<Labels, double>> out;
  for (const Sample& sample : check.ConfigSamples()) {
    if (sample.metric == name) out.emplace_back(sample.labels, sample.value);
  }
  return out;
}

// Breach of a tier when min(lag, active_for) > tier + for: the telemetry seed (warn 3m, error
// 15m, for 10m) warns after 13 minutes and pages after 25.
TEST_F(ThresholdsTest, LagBreachesATierOnceItHasLastedFor) {
  auto check = Build(
      "{name: telemetry, kind: lag, target: ops, table: t, column: ts, warn_after: 3m, "
      "error_after: 15m, for: 10m}");
  const Observation observation = LagObservation(*check, "2026-07-07 08:00:00+00");
  const auto at = [&](const std::string& when) { return check->Summarize(observation, At(when)); };
  CheckSummary summary = at("2026-07-07T08:12:00Z");
  EXPECT_EQ(summary.level, Level::kOk);
  EXPECT_EQ(summary.reason, "lag 12m00s > warn_after 3m, for less than 10m");
  EXPECT_EQ(at("2026-07-07T08:13:00Z").level, Level::kOk);  // exactly tier + for: not yet
  summary = at("2026-07-07T08:13:01Z");
  EXPECT_EQ(summary.level, Level::kWarning);
  EXPECT_EQ(summary.reason, "lag 13m01s > warn_after 3m (for 10m)");
  EXPECT_EQ(summary.state, "lagging");
  ASSERT_TRUE(summary.worst.has_value());
  EXPECT_EQ(summary.worst->value, 781);
  EXPECT_EQ(summary.worst->text, "13m01s");
  summary = at("2026-07-07T08:25:01Z");
  EXPECT_EQ(summary.level, Level::kCritical);
  EXPECT_EQ(summary.reason, "lag 25m01s > error_after 15m (for 10m)");
  EXPECT_EQ(at("2026-07-07T08:00:30Z").reason, "lag 30.0s <= warn_after 3m");

  EXPECT_EQ(ConfigSeries(*check, metric::kCheckThreshold),
            (std::vector<std::pair<Labels, double>>{
                {{{"metric", "freshness_lag_seconds"}, {"severity", "warning"}}, 180},
                {{{"metric", "freshness_lag_seconds"}, {"severity", "critical"}}, 900}}));
  EXPECT_EQ(ConfigSeries(*check, metric::kCheckFor),
            (std::vector<std::pair<Labels, double>>{{{}, 600}}));
  EXPECT_EQ(check->ThresholdsJson(),
            nlohmann::json({{"warn_after", 180}, {"error_after", 900}, {"for", 600}}));
}

// At the start of an active period the data gets tier + for to arrive, however old it is.
TEST_F(ThresholdsTest, LagCountsOnlyTheActivePeriod) {
  auto check = Build(
      "{name: telemetry, kind: lag, target: ops, table: t, column: ts, warn_after: 3m, "
      "error_after: 15m, for: 10m, active: {hours: \"09:30-16:00\", timezone: UTC}}");
  const Observation observation = LagObservation(*check, "2026-07-07 08:00:00+00");
  const auto at = [&](const std::string& when) { return check->Summarize(observation, At(when)); };
  const CheckSummary opening = at("2026-07-07T09:35:00Z");
  EXPECT_EQ(opening.level, Level::kOk);
  EXPECT_EQ(opening.reason,
            "lag 1h35m > warn_after 3m (for 10m), but the active period began only 5m00s ago");
  EXPECT_EQ(at("2026-07-07T09:43:00Z").level, Level::kOk);
  EXPECT_EQ(at("2026-07-07T09:43:01Z").level, Level::kWarning);
  EXPECT_EQ(at("2026-07-07T09:55:01Z").level, Level::kCritical);
  EXPECT_EQ(at("2026-07-07T16:00:00Z").level, Level::kOk);  // outside: active_for is 0
}

TEST_F(ThresholdsTest, LagGroupsReportTheStalestSeriesAndHowManyBreach) {
  auto check = Build(
      "{name: lanes, kind: lag, target: ops, table: t, column: ts, group_by: [lane], "
      "error_after: 5m}");
  database_.Answer({{"lane", "max"},
                    {{std::string("a"), std::string("2026-07-07 07:58:00+00")},
                     {std::string("b"), std::string("2026-07-07 07:40:00+00")},
                     {std::string("c"), std::string("2026-07-07 07:50:00+00")}}});
  const CheckSummary summary = check->Summarize(Collect(*check), At("2026-07-07T08:00:00Z"));
  EXPECT_EQ(summary.level, Level::kCritical);
  ASSERT_TRUE(summary.worst.has_value());
  EXPECT_EQ(summary.worst->labels, (Labels{{"lane", "b"}}));
  EXPECT_EQ(summary.worst->value, 1200);
  // error_after alone: the 10m warn_after default gives way; b and c are over 5m.
  EXPECT_EQ(summary.reason,
            "lag 20m00s {lane=\"b\"} > error_after 5m; 2 of 3 series over a threshold");
}

TEST_F(ThresholdsTest, AnEmptyTableBreachesEveryTier) {
  auto check =
      Build("{name: t, kind: lag, target: ops, table: t, column: ts, error_after: 15m, for: 1m}");
  database_.Answer({{"max"}, {{std::nullopt}}});
  const CheckSummary summary = check->Summarize(Collect(*check), At("2026-07-07T08:00:00Z"));
  EXPECT_EQ(summary.level, Level::kCritical);
  EXPECT_EQ(summary.state, "empty");
  EXPECT_EQ(summary.reason, "lag +Inf (no event) > error_after 15m (for 1m)");
  EXPECT_TRUE(std::isinf(summary.worst->value));
}

// A group the query stops returning is still exported with its last event time (its lag keeps
// growing) until forget_after has passed since it was last returned.
TEST_F(ThresholdsTest, LagGroupsAreRememberedUntilForgetAfter) {
  auto check = Build(
      "{name: lanes, kind: lag, target: ops, table: t, column: ts, group_by: [lane], "
      "forget_after: 1h}");
  database_.Answer({{"lane", "max"},
                    {{std::string("a"), std::string("2026-07-07 07:58:00+00")},
                     {std::string("b"), std::string("2026-07-07 07:00:00+00")}}});
  Collect(*check);
  const auto lag_of = [](const Observation& observation, const std::string& lane,
                         TimePoint now) -> std::optional<double> {
    for (const Sample& sample : observation.samples) {
      if (sample.metric == metric::kLagSeconds && sample.labels.at("lane") == lane) {
        return ValueAt(sample, ToUnixSeconds(now));
      }
    }
    return std::nullopt;
  };
  database_.Answer({{"lane", "max"}, {{std::string("a"), std::string("2026-07-07 08:05:00+00")}}});
  clock_.Set(At("2026-07-07T08:10:00Z"));
  const Observation later = Collect(*check);
  EXPECT_EQ(lag_of(later, "b", clock_.Now()), 70 * 60.0);  // since 07:00, still growing
  EXPECT_EQ(lag_of(later, "a", clock_.Now()), 5 * 60.0);
  EXPECT_EQ(dynamic_cast<const LagCheck&>(*check).RememberedGroups(), 2u);
  // b was last returned at 08:00: remembered through 09:00, forgotten after.
  clock_.Set(At("2026-07-07T09:00:00Z"));
  EXPECT_TRUE(lag_of(Collect(*check), "b", clock_.Now()).has_value());
  clock_.Set(At("2026-07-07T09:00:01Z"));
  const Observation forgotten = Collect(*check);
  EXPECT_FALSE(lag_of(forgotten, "b", clock_.Now()).has_value());
  EXPECT_TRUE(lag_of(forgotten, "a", clock_.Now()).has_value());
  EXPECT_EQ(dynamic_cast<const LagCheck&>(*check).RememberedGroups(), 1u);
}

TEST_F(ThresholdsTest, ForgetAfterOffForgetsAtOnceAndRememberedGroupsCountTowardMaxSeries) {
  auto off = Build(
      "{name: lanes, kind: lag, target: ops, table: t, column: ts, group_by: [lane], "
      "forget_after: off}");
  database_.Answer({{"lane", "max"},
                    {{std::string("a"), std::string("2026-07-07 07:58:00+00")},
                     {std::string("b"), std::string("2026-07-07 07:00:00+00")}}});
  Collect(*off);
  database_.Answer({{"lane", "max"}, {{std::string("a"), std::string("2026-07-07 07:59:00+00")}}});
  EXPECT_EQ(Collect(*off).samples.size(), 2u);  // a's lag and last event time only

  auto capped = Build(
      "{name: lanes, kind: lag, target: ops, sql: SELECT 1, group_by: [lane], max_series: 2}");
  database_.Answer({{"lane", "max"},
                    {{std::string("a"), std::string("2026-07-07 07:58:00+00")},
                     {std::string("b"), std::string("2026-07-07 07:00:00+00")}}});
  Collect(*capped);
  database_.Answer({{"lane", "max"},
                    {{std::string("a"), std::string("2026-07-07 07:59:00+00")},
                     {std::string("c"), std::string("2026-07-07 07:30:00+00")}}});
  std::set<std::string> lanes;
  for (const Sample& sample : Collect(*capped).samples) lanes.insert(sample.labels.at("lane"));
  // b (remembered, 07:00) and c (07:30) are the stalest two.
  EXPECT_EQ(lanes, (std::set<std::string>{"b", "c"}));
}

TEST_F(ThresholdsTest, RememberedGroupsMoveToTheSameCheckOfTheNextConfigOnly) {
  auto before =
      Build("{name: lanes, kind: lag, target: ops, table: t, column: ts, group_by: lane}");
  database_.Answer({{"lane", "max"}, {{std::string("b"), std::string("2026-07-07 07:00:00+00")}}});
  Collect(*before);
  auto same =
      Build("{name: lanes, kind: lag, target: ops, table: t, column: ts, group_by: [lane]}");
  same->AdoptMemory(*before);
  EXPECT_EQ(dynamic_cast<const LagCheck&>(*same).RememberedGroups(), 1u);
  database_.Answer({{"lane", "max"}, {{std::string("a"), std::string("2026-07-07 07:59:00+00")}}});
  EXPECT_EQ(Collect(*same).samples.size(), 4u);  // a, and b remembered across the reload
  auto regrouped = Build(
      "{name: lanes, kind: lag, target: ops, table: t, column: ts, group_by: [lane, region]}");
  regrouped->AdoptMemory(*before);
  EXPECT_EQ(dynamic_cast<const LagCheck&>(*regrouped).RememberedGroups(), 0u);
}

TEST_F(ThresholdsTest, RowsOfTheSameGroupAreOneSeriesWithTheNewestEvent) {
  auto check = Build("{name: lanes, kind: lag, target: ops, sql: SELECT 1, group_by: [lane]}");
  database_.Answer({{"lane", "max"},
                    {{std::string("a"), std::string("2026-07-07 07:00:00+00")},
                     {std::string("a"), std::string("2026-07-07 07:30:00+00")},
                     {std::string("a"), std::nullopt}}});
  const Observation observation = Collect(*check);
  ASSERT_EQ(observation.samples.size(), 2u);  // one lag and one last event time
  EXPECT_EQ(observation.samples[1].value, ToUnixSeconds(At("2026-07-07T07:30:00Z")));
}

TEST_F(ThresholdsTest, RunsJudgeTheOldestUnfinishedRun) {
  auto check = Build(
      "{name: d, kind: runs, target: ops, table: r, started_column: s, finished_column: f, "
      "warn_duration: 2m, max_duration: 5m, for: 5m, window: 1h}");
  database_.Answer({{"count", "min"}, {{std::string("2"), std::string("2026-07-07 08:00:00+00")}}});
  const Observation observation = Collect(*check);
  const auto at = [&](const std::string& when) { return check->Summarize(observation, At(when)); };
  EXPECT_EQ(at("2026-07-07T08:07:00Z").level, Level::kOk);
  EXPECT_EQ(at("2026-07-07T08:07:00Z").reason,
            "2 unfinished runs, oldest 7m00s > warn_duration 2m, for less than 5m");
  const CheckSummary warning = at("2026-07-07T08:09:00Z");
  EXPECT_EQ(warning.level, Level::kWarning);
  EXPECT_EQ(warning.reason, "2 unfinished runs, oldest 9m00s > warn_duration 2m (for 5m)");
  const CheckSummary critical = at("2026-07-07T08:10:01Z");
  EXPECT_EQ(critical.level, Level::kCritical);
  EXPECT_EQ(critical.reason, "2 unfinished runs, oldest 10m01s > max_duration 5m (for 5m)");
  EXPECT_EQ(critical.worst->metric, metric::kOldestUnfinishedRunAge);
  EXPECT_EQ(
      ConfigSeries(*check, metric::kCheckThreshold),
      (std::vector<std::pair<Labels, double>>{
          {{{"metric", "freshness_oldest_unfinished_run_age_seconds"}, {"severity", "warning"}},
           120},
          {{{"metric", "freshness_oldest_unfinished_run_age_seconds"}, {"severity", "critical"}},
           300}}));

  database_.Answer({{"count", "min"}, {{std::string("0"), std::nullopt}}});
  const CheckSummary idle = check->Summarize(Collect(*check), At("2026-07-07T09:00:00Z"));
  EXPECT_EQ(idle.level, Level::kOk);
  EXPECT_EQ(idle.reason, "no unfinished run");
}

TEST_F(ThresholdsTest, AnyDuplicatePagesByDefault) {
  auto check = Build(
      "{name: e, kind: duplicates, target: ops, table: x, key: [k], time_column: t, window: 24h}");
  database_.Answer({{"count"}, {{std::string("1")}}});
  CheckSummary summary = check->Summarize(Collect(*check), clock_.Now());
  EXPECT_EQ(summary.level, Level::kCritical);
  EXPECT_EQ(summary.reason, "1 duplicated key > error_above 0");
  database_.Answer({{"count"}, {{std::string("0")}}});
  summary = check->Summarize(Collect(*check), clock_.Now());
  EXPECT_EQ(summary.level, Level::kOk);
  EXPECT_EQ(summary.reason, "0 duplicated keys <= error_above 0");
  EXPECT_EQ(ConfigSeries(*check, metric::kCheckThreshold),
            (std::vector<std::pair<Labels, double>>{
                {{{"metric", "freshness_duplicate_executions"}, {"severity", "critical"}}, 0}}));
  EXPECT_TRUE(ConfigSeries(*check, metric::kCheckFor).empty());  // no `for` on duplicates

  auto tiered = Build(
      "{name: e, kind: duplicates, target: ops, table: x, key: [k], time_column: t, "
      "warn_above: 1, error_above: 5}");
  database_.Answer({{"count"}, {{std::string("3")}}});
  summary = tiered->Summarize(Collect(*tiered), clock_.Now());
  EXPECT_EQ(summary.level, Level::kWarning);
  EXPECT_EQ(summary.reason, "3 duplicated keys > warn_above 1");
}

TEST_F(ThresholdsTest, QueryThresholdsAboveAndBelowPickTheWorstSeries) {
  auto check = Build(
      "{name: pnl, kind: query, target: ops, sql: SELECT 1, metrics: ["
      "{name: trading_pnl, value: pnl, labels: [account], warn_below: -500, error_below: -1000},"
      "{name: trading_orders, value: orders, labels: [account], warn_above: 100}]}");
  database_.Answer({{"account", "pnl", "orders"},
                    {{std::string("A1"), std::string("-1250"), std::string("10")},
                     {std::string("A2"), std::string("-600"), std::string("150")},
                     {std::string("A3"), std::string("100"), std::string("5")}}});
  const CheckSummary summary = check->Summarize(Collect(*check), clock_.Now());
  EXPECT_EQ(summary.level, Level::kCritical);
  EXPECT_EQ(summary.reason,
            "trading_pnl{account=\"A1\"} -1250 < error_below -1000; 3 series over a threshold");
  EXPECT_EQ(summary.worst->labels, (Labels{{"account", "A1"}}));
  EXPECT_EQ(summary.worst->value, -1250);
  EXPECT_EQ(
      ConfigSeries(*check, metric::kQueryThreshold),
      (std::vector<std::pair<Labels, double>>{
          {{{"metric", "trading_pnl"}, {"severity", "warning"}, {"direction", "below"}}, -500},
          {{{"metric", "trading_pnl"}, {"severity", "critical"}, {"direction", "below"}}, -1000},
          {{{"metric", "trading_orders"}, {"severity", "warning"}, {"direction", "above"}}, 100}}));
  EXPECT_EQ(check->ThresholdsJson(),
            nlohmann::json({{"trading_pnl", {{"warn_below", -500}, {"error_below", -1000}}},
                            {"trading_orders", {{"warn_above", 100}}}}));

  // A query without thresholds feeds rules: it is never more than ok.
  auto plain =
      Build("{name: q, kind: query, target: ops, sql: SELECT 1, metrics: [{name: m, value: v}]}");
  database_.Answer({{"v"}, {{std::string("1e9")}}});
  const CheckSummary untiered = plain->Summarize(Collect(*plain), clock_.Now());
  EXPECT_EQ(untiered.level, Level::kOk);
  EXPECT_EQ(untiered.reason, "m=1e+09");
}

}  // namespace
}  // namespace freshness
