#include "collector/collector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <sstream>
#include <thread>

#include "collector/exposition.h"
#include "loader/config_loader.h"
#include "metrics/metric_names.h"
#include "schedule/rfc3339.h"
#include "support/fake_clock.h"
#include "support/fake_database.h"

namespace freshness {
namespace {

using std::chrono::milliseconds;
using testing::FakeClock;
using testing::FakeDatabase;
using testing::FakeMonotonicClock;

constexpr const char* kConfig = R"(
global: {interval: 1s, timeout: 1s, labels: {env: test}}
targets:
  ops: {dsn_env: OPS_DSN}
  slow: {dsn_env: SLOW_DSN}
checks:
  - {name: telemetry, kind: lag, target: ops, table: ops.lane_telemetry, column: ts}
  - {name: stuck, kind: lag, target: slow, table: ops.features, column: ts, interval: 50ms}
)";

class CollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = std::make_shared<const Config>(LoadConfigString(kConfig, "test.yml"));
    ops_ = std::make_shared<FakeDatabase>("ops");
    slow_ = std::make_shared<FakeDatabase>("slow");
    ops_->Answer({{"max"}, {{std::string("2027-01-15 08:00:00+00")}}});
    slow_->Answer({{"max"}, {{std::string("2027-01-15 07:00:00+00")}}});
  }
  // The collector runs on fake elapsed time (elapsed_): its schedule moves only when a test
  // advances it. Without jitter, first runs are due at once.
  std::unique_ptr<Collector> Make(int workers = 4, bool jitter = false) {
    Collector::Options options;
    options.workers = workers;
    options.jitter = jitter;
    return std::make_unique<Collector>(config_, DatabaseMap{{"ops", ops_}, {"slow", slow_}}, clock_,
                                       elapsed_, logger_, options);
  }
  // Waits (in real time, briefly) until `workers` workers wait for a deadline ahead: every run
  // due so far has finished.
  void AwaitIdle(int workers) {
    ASSERT_TRUE(elapsed_.AwaitIdle(static_cast<std::size_t>(workers))) << "workers never idle";
  }

  std::shared_ptr<const Config> config_;
  std::shared_ptr<FakeDatabase> ops_;
  std::shared_ptr<FakeDatabase> slow_;
  FakeClock clock_{FromUnixSeconds(1'800'000'100)};
  FakeMonotonicClock elapsed_;
  std::ostringstream log_;
  Logger logger_{LogLevel::kDebug, LogFormat::kLogfmt, log_};
};

TEST_F(CollectorTest, RunOnceCollectsEveryCheckAndIsReady) {
  auto collector = Make();
  EXPECT_FALSE(collector->FirstCollectionDone());
  collector->RunOnce();
  EXPECT_TRUE(collector->FirstCollectionDone());
  const auto state = collector->StateOf("telemetry");
  ASSERT_TRUE(state.has_value());
  EXPECT_TRUE(state->success);
  ASSERT_TRUE(state->last_success_unix.has_value());
  EXPECT_DOUBLE_EQ(*state->last_success_unix, 1'800'000'100.0);
  EXPECT_EQ(collector->LastCollectionUnix(), 1'800'000'100.0);
}

TEST_F(CollectorTest, AFailingCheckKeepsItsLastGoodObservationAndCountsTheReason) {
  auto collector = Make();
  collector->RunOnce();
  ops_->Fail(ErrorReason::kConnection, "connection refused password=hunter2");
  collector->RunOnce();
  const auto state = collector->StateOf("telemetry");
  EXPECT_FALSE(state->success);
  ASSERT_NE(state->observation, nullptr);  // last good values are still there
  EXPECT_EQ(state->errors_by_reason[static_cast<std::size_t>(ErrorReason::kConnection)], 1u);
  EXPECT_EQ(state->last_error.find("hunter2"), std::string::npos);
  EXPECT_EQ(log_.str().find("hunter2"), std::string::npos);
  EXPECT_TRUE(collector->StateOf("stuck")->success);  // the other check is unaffected
}

TEST_F(CollectorTest, ASlowCheckDoesNotStallTheOthersInTheBackground) {
  std::atomic<bool> release{false};
  slow_->SetHandler([&](const std::string&) -> QueryResult {
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return {{"max"}, {{std::nullopt}}};
  });
  // One run of the stuck check at a time: the worker that holds it is busy, the others go on.
  auto collector = Make(2);
  collector->Start();
  AwaitIdle(1);
  for (int second = 1; second <= 3; ++second) {
    elapsed_.Advance(std::chrono::seconds(1));
    AwaitIdle(1);
  }
  EXPECT_EQ(ops_->query_count(), 4u);   // at 0, 1, 2 and 3 seconds
  EXPECT_EQ(slow_->query_count(), 1u);  // never started twice while running
  release = true;
  collector->Stop();
}

// Each check runs on its own interval from the planned time, on fake time: `stuck` every 50ms,
// `telemetry` every second.
TEST_F(CollectorTest, ChecksRunOnTheirOwnIntervals) {
  auto collector = Make(2);
  collector->Start();
  AwaitIdle(2);
  EXPECT_EQ(ops_->query_count(), 1u);
  EXPECT_EQ(slow_->query_count(), 1u);
  elapsed_.Advance(milliseconds(49));
  AwaitIdle(2);
  EXPECT_EQ(slow_->query_count(), 1u);  // not due yet
  for (int step = 0; step < 20; ++step) {
    elapsed_.Advance(step == 0 ? milliseconds(1) : milliseconds(50));
    AwaitIdle(2);
    EXPECT_EQ(slow_->query_count(), static_cast<std::size_t>(step + 2));
  }
  EXPECT_EQ(elapsed_.Now(), MonotonicTime(milliseconds(1'000)));
  EXPECT_EQ(ops_->query_count(), 2u);  // at 0 and at 1s
  const auto state = collector->StateOf("stuck");
  EXPECT_EQ(state->collections, 21u);
  EXPECT_TRUE(state->success);
  collector->Stop();
}

// A run that takes longer than its interval is not made up for: the next one starts at once, and
// the cadence goes on from there. The run's duration is measured on the same clock.
TEST_F(CollectorTest, AnOverrunStartsAgainAtOnceAndIsTimedOnTheSameClock) {
  std::atomic<int> runs{0};
  slow_->SetHandler([&](const std::string&) -> QueryResult {
    if (runs++ == 0) elapsed_.Advance(milliseconds(130));  // the first run takes 130ms
    return {{"max"}, {{std::string("2027-01-15 07:00:00+00")}}};
  });
  auto collector = Make(1);
  collector->Start();
  AwaitIdle(1);
  // Run 1 at 0 (until 130ms), run 2 at once at 130ms, then every 50ms from there: 180ms...
  EXPECT_EQ(runs.load(), 2);
  EXPECT_DOUBLE_EQ(collector->StateOf("stuck")->duration_seconds, 0.0);  // run 2 took no time
  elapsed_.Advance(milliseconds(49));
  AwaitIdle(1);
  EXPECT_EQ(runs.load(), 2);
  elapsed_.Advance(milliseconds(1));
  AwaitIdle(1);
  EXPECT_EQ(runs.load(), 3);
  collector->Stop();
}

// freshness_check_duration_seconds is the run's elapsed time on the collector's clock.
TEST_F(CollectorTest, RunDurationIsMeasuredOnTheCollectorsClock) {
  ops_->SetHandler([&](const std::string&) -> QueryResult {
    elapsed_.Advance(milliseconds(250));
    return {{"max"}, {{std::string("2027-01-15 08:00:00+00")}}};
  });
  auto collector = Make(1);
  collector->RunOnce();
  EXPECT_DOUBLE_EQ(collector->StateOf("telemetry")->duration_seconds, 0.25);
  EXPECT_DOUBLE_EQ(collector->StateOf("stuck")->duration_seconds, 0.0);
}

// With jitter, first runs are spread over the first second (or the interval, if shorter): none
// is due at once, all have run one second later.
TEST_F(CollectorTest, JitteredFirstRunsLandWithinTheFirstSecond) {
  std::string text = "targets:\n  ops: {dsn_env: OPS_DSN}\nchecks:\n";
  for (int i = 0; i < 8; ++i) {
    text += "  - {name: lag" + std::to_string(i) +
            ", kind: lag, target: ops, table: ops.t, column: ts, interval: 30s}\n";
  }
  config_ = std::make_shared<const Config>(LoadConfigString(text, "test.yml"));
  auto collector = Make(2, true);
  collector->Start();
  AwaitIdle(2);
  const std::size_t at_start = ops_->query_count();
  EXPECT_LT(at_start, 8u);
  elapsed_.Advance(milliseconds(1'000));
  AwaitIdle(2);
  EXPECT_EQ(ops_->query_count(), 8u);
  EXPECT_TRUE(collector->FirstCollectionDone());
  collector->Stop();
}

// Stop wakes workers that wait for a deadline far ahead.
TEST_F(CollectorTest, StopDoesNotWaitForTheNextDeadline) {
  auto collector = Make(2);
  collector->Start();
  AwaitIdle(2);
  collector->Stop();  // returns without advancing the clock
  EXPECT_EQ(ops_->query_count(), 1u);
}

// Checks (queries and artifact probes alike) run on the worker pool: never more at once than
// --collector.workers, however many are due.
TEST_F(CollectorTest, NoMoreChecksRunAtOnceThanThereAreWorkers) {
  std::string text = "targets:\n  ops: {dsn_env: OPS_DSN}\nchecks:\n";
  for (int i = 0; i < 12; ++i) {
    text += "  - {name: lag" + std::to_string(i) +
            ", kind: lag, target: ops, table: ops.t, column: ts}\n";
  }
  config_ = std::make_shared<const Config>(LoadConfigString(text, "test.yml"));
  std::mutex mutex;
  int running = 0;
  int most = 0;
  ops_->SetHandler([&](const std::string&) -> QueryResult {
    {
      std::lock_guard<std::mutex> lock(mutex);
      most = std::max(most, ++running);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::lock_guard<std::mutex> lock(mutex);
    --running;
    return {{"max"}, {{std::string("2027-01-15 08:00:00+00")}}};
  });
  auto collector = Make(3);
  collector->RunOnce();
  EXPECT_EQ(ops_->query_count(), 12u);
  EXPECT_EQ(most, 3);
}

TEST_F(CollectorTest, AdoptStatesCarriesCountersAcrossAReload) {
  auto first = Make();
  ops_->Fail(ErrorReason::kTimeout, "statement timeout");
  first->RunOnce();
  auto second = Make();
  second->AdoptStates(*first);
  EXPECT_FALSE(second->FirstCollectionDone());
  const auto state = second->StateOf("telemetry");
  EXPECT_EQ(state->errors_by_reason[static_cast<std::size_t>(ErrorReason::kTimeout)], 1u);
}

TEST_F(CollectorTest, ExpositionComputesAgesAtScrapeTimeWithoutQuerying) {
  auto collector = Make();
  collector->RunOnce();
  const std::size_t queries = ops_->query_count();
  const std::string text =
      RenderExposition(*collector, ReloadStatus{true, 1.0}, FromUnixSeconds(1'800'000'042));
  EXPECT_EQ(ops_->query_count(), queries);
  EXPECT_NE(text.find("freshness_lag_seconds{check=\"telemetry\",env=\"test\"} 42\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("freshness_lag_seconds{check=\"stuck\",env=\"test\"} 3642\n"),
            std::string::npos);
  // Ten seconds later, with no collection in between, the lag has grown by ten seconds.
  const std::string later =
      RenderExposition(*collector, ReloadStatus{true, 1.0}, FromUnixSeconds(1'800'000'052));
  EXPECT_NE(later.find("freshness_lag_seconds{check=\"telemetry\",env=\"test\"} 52\n"),
            std::string::npos);
  EXPECT_NE(text.find("freshness_check_info{check=\"telemetry\",kind=\"lag\",target=\"ops\","
                      "mode=\"enforce\",env=\"test\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("freshness_check_errors_total{check=\"telemetry\",reason=\"timeout\","
                      "env=\"test\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("freshness_target_up{target=\"ops\",env=\"test\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE freshness_check_errors_total counter"), std::string::npos);
  EXPECT_NE(text.find("freshness_exporter_build_info{version=\""), std::string::npos);
  EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
}

// The series of the contract's section 2: declared thresholds (before any collection too),
// `for`, the active period, maintenance, collections, the interval, artifact slots and tiers.
TEST(ExpositionTest, DeclaresThresholdsAndCheckFacts) {
  const TimePoint now = *ParseRfc3339("2026-07-07T10:00:00Z");  // a Tuesday
  const auto config = std::make_shared<const Config>(LoadConfigString(R"(
global: {timezone: UTC, labels: {env: test}}
targets:
  ops: {dsn_env: OPS_DSN, maintenance: [{weekdays: [sun], hours: "02:00-04:00"}]}
checks:
  - {name: telemetry, kind: lag, target: ops, table: t, column: ts, warn_after: 3m,
     error_after: 15m, for: 10m, interval: 30s, active: {hours: "09:30-16:00"},
     maintenance: [{start: "2026-07-07T09:00:00Z", end: "2026-07-07T11:00:00Z"}]}
  - {name: always, kind: runs, target: ops, table: r, started_column: s, finished_column: f,
     window: 2h}
  - {name: pnl, kind: query, target: ops, sql: SELECT 1,
     metrics: [{name: trading_pnl, value: v, error_below: -1000}]}
  - {name: report, kind: artifact, source: /nonexistent/report.csv, expect: {max_age: 1h},
     error_on: [stale]}
)",
                                                                      "e.yml", now));
  auto database = std::make_shared<FakeDatabase>("ops");
  database->SetHandler([](const std::string& sql) -> QueryResult {
    if (sql.find("count(*)") != std::string::npos) return {{"count", "min"}, {{"0", std::nullopt}}};
    if (sql == "SELECT 1") return {{"v"}, {{"-5"}}};
    return {{"max"}, {{"2026-07-07 09:59:00+00"}}};
  });
  FakeClock clock(now);
  std::ostringstream log;
  Logger logger(LogLevel::kError, LogFormat::kLogfmt, log);
  Collector collector(config, DatabaseMap{{"ops", database}}, clock, logger, Collector::Options{});
  const auto has = [](const std::string& text, const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
  };
  const std::string before = RenderExposition(collector, ReloadStatus{true, 1.0}, now);
  EXPECT_TRUE(has(before,
                  "freshness_check_threshold{check=\"telemetry\",metric=\"freshness_lag_seconds\","
                  "severity=\"warning\",env=\"test\"} 180"))
      << before;
  EXPECT_TRUE(has(before, "freshness_check_collections_total{check=\"telemetry\",env=\"test\"} 0"));

  collector.RunOnce();
  const std::string text = RenderExposition(collector, ReloadStatus{true, 1.0}, now);
  for (const std::string& line : {
           std::string("freshness_check_threshold{check=\"telemetry\",metric=\"freshness_lag_"
                       "seconds\",severity=\"critical\",env=\"test\"} 900"),
           std::string("freshness_check_threshold{check=\"always\",metric=\"freshness_oldest_"
                       "unfinished_run_age_seconds\",severity=\"critical\",env=\"test\"} 3600"),
           std::string("freshness_check_for_seconds{check=\"telemetry\",env=\"test\"} 600"),
           std::string("freshness_check_for_seconds{check=\"always\",env=\"test\"} 0"),
           std::string("freshness_check_active_for_seconds{check=\"telemetry\",env=\"test\"} 1800"),
           std::string("freshness_check_active_for_seconds{check=\"always\",env=\"test\"} +Inf"),
           std::string("freshness_check_maintenance{check=\"telemetry\",env=\"test\"} 1"),
           std::string("freshness_check_maintenance{check=\"always\",env=\"test\"} 0"),
           std::string("freshness_check_collections_total{check=\"telemetry\",env=\"test\"} 1"),
           std::string("freshness_check_interval_seconds{check=\"telemetry\",env=\"test\"} 30"),
           std::string("freshness_check_interval_seconds{check=\"always\",env=\"test\"} 15"),
           std::string(
               "freshness_query_threshold{check=\"pnl\",direction=\"below\",metric=\"trading_"
               "pnl\",severity=\"critical\",env=\"test\"} -1000"),
           std::string("freshness_artifact_state_severity{check=\"report\",severity=\"warning\","
                       "state=\"missing\",env=\"test\"} 1"),
           std::string("freshness_artifact_state_severity{check=\"report\",severity=\"critical\","
                       "state=\"stale\",env=\"test\"} 1"),
           std::string("freshness_artifact_slot_info{check=\"report\",location=\"/nonexistent/"
                       "report.csv\",partition=\"\",env=\"test\"} 1"),
           std::string("freshness_check_info{check=\"telemetry\",kind=\"lag\",target=\"ops\","
                       "mode=\"enforce\",env=\"test\"} 1"),
           std::string("# TYPE freshness_check_collections_total counter"),
       }) {
    EXPECT_TRUE(has(text, line)) << line << "\n" << text;
  }
  // Duplicates and artifacts have no `for`; only declared tiers are series.
  EXPECT_EQ(text.find("freshness_check_for_seconds{check=\"report\""), std::string::npos);
  EXPECT_EQ(text.find("freshness_check_threshold{check=\"telemetry\",metric=\"freshness_lag_"
                      "seconds\",severity=\"warning\",env=\"test\"} 180\nfreshness_check_"
                      "threshold{check=\"always\",metric=\"freshness_oldest_unfinished_run_age_"
                      "seconds\",severity=\"warning\""),
            std::string::npos);
  EXPECT_NE(text.find("# HELP freshness_check_active_for_seconds "), std::string::npos);
  EXPECT_NE(text.find("# HELP freshness_artifact_slot_info "), std::string::npos);
  // Later, outside the maintenance window and inside the active one, collected again.
  collector.RunOnce();
  const std::string later =
      RenderExposition(collector, ReloadStatus{true, 1.0}, now + std::chrono::hours(1));
  EXPECT_TRUE(has(later, "freshness_check_maintenance{check=\"telemetry\",env=\"test\"} 0"));
  EXPECT_TRUE(
      has(later, "freshness_check_active_for_seconds{check=\"telemetry\",env=\"test\"} 5400"));
  EXPECT_TRUE(has(later, "freshness_check_collections_total{check=\"telemetry\",env=\"test\"} 2"));
}

// slo: the objective and window are series, and freshness_slo_counting says whether this
// instant counts: inside the active window, not in maintenance, not paused, enforce mode.
TEST(ExpositionTest, SloSeriesSayWhetherTheInstantCounts) {
  const TimePoint now = *ParseRfc3339("2026-07-07T10:00:00Z");  // a Tuesday
  const auto config = std::make_shared<const Config>(LoadConfigString(R"(
global: {timezone: UTC}
targets:
  ops: {dsn_env: OPS_DSN}
defaults:
  lag: {slo: {objective: 99.5%, window: 28d}}
checks:
  - {name: open, kind: lag, target: ops, table: t, column: ts, active: {hours: "09:30-16:00"}}
  - {name: closed, kind: lag, target: ops, table: t, column: ts, active: {hours: "12:00-16:00"}}
  - {name: serviced, kind: lag, target: ops, table: t, column: ts,
     maintenance: [{start: "2026-07-07T09:00:00Z", end: "2026-07-07T11:00:00Z"}]}
  - {name: shadow, kind: lag, target: ops, table: t, column: ts, mode: observe}
  - {name: no_slo, kind: runs, target: ops, table: r, started_column: s, finished_column: f}
  - {name: report, kind: artifact, source: /nonexistent/r.csv, expect: {max_age: 1h},
     paused_until: "2026-07-07T12:00:00Z", slo: {objective: 0.99, window: 7d}}
)",
                                                                      "s.yml", now));
  auto database = std::make_shared<FakeDatabase>("ops");
  FakeClock clock(now);
  std::ostringstream log;
  Logger logger(LogLevel::kError, LogFormat::kLogfmt, log);
  Collector collector(config, DatabaseMap{{"ops", database}}, clock, logger, Collector::Options{});
  const std::string text = RenderExposition(collector, ReloadStatus{true, 1.0}, now);
  for (const std::string& line : {
           std::string("freshness_slo_objective{check=\"open\"} 0.995"),
           std::string("freshness_slo_window_seconds{check=\"open\"} 2419200"),
           std::string("freshness_slo_counting{check=\"open\"} 1"),
           std::string("freshness_slo_counting{check=\"closed\"} 0"),
           std::string("freshness_slo_counting{check=\"serviced\"} 0"),
           std::string("freshness_slo_counting{check=\"shadow\"} 0"),
           std::string("freshness_slo_objective{check=\"report\"} 0.99"),
           std::string("freshness_slo_window_seconds{check=\"report\"} 604800"),
           std::string("freshness_slo_counting{check=\"report\"} 0"),
       }) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\n" << text;
  }
  EXPECT_EQ(text.find("freshness_slo_objective{check=\"no_slo\""), std::string::npos);
  const std::string later =
      RenderExposition(collector, ReloadStatus{true, 1.0}, now + std::chrono::hours(3));
  for (const std::string& line : {std::string("freshness_slo_counting{check=\"closed\"} 1"),
                                  std::string("freshness_slo_counting{check=\"serviced\"} 1"),
                                  std::string("freshness_slo_counting{check=\"report\"} 1")}) {
    EXPECT_NE(later.find(line + "\n"), std::string::npos) << line << "\n" << later;
  }
}

TEST_F(CollectorTest, AdoptStatesCarriesCollectionsAndRememberedGroups) {
  const std::string text = R"(
targets:
  ops: {dsn_env: OPS_DSN}
  slow: {dsn_env: SLOW_DSN}
checks:
  - {name: lanes, kind: lag, target: ops, table: t, column: ts, group_by: [lane]}
)";
  config_ = std::make_shared<const Config>(LoadConfigString(text, "test.yml"));
  ops_->Answer({{"lane", "max"},
                {{std::string("a"), std::string("2027-01-15 08:00:00+00")},
                 {std::string("b"), std::string("2027-01-15 07:00:00+00")}}});
  auto first = Make();
  first->RunOnce();
  ops_->Answer({{"lane", "max"}, {{std::string("a"), std::string("2027-01-15 08:01:00+00")}}});
  const auto lanes_of = [](const Collector& collector) {
    std::set<std::string> lanes;
    for (const Sample& sample : collector.StateOf("lanes")->observation->samples) {
      lanes.insert(sample.labels.at("lane"));
    }
    return lanes;
  };
  // The same file reloaded: new check objects, which take over what the old ones remember.
  config_ = std::make_shared<const Config>(LoadConfigString(text, "test.yml"));
  auto second = Make();
  second->AdoptStates(*first);
  EXPECT_EQ(second->StateOf("lanes")->collections, 1u);
  second->RunOnce();
  EXPECT_EQ(second->StateOf("lanes")->collections, 2u);
  EXPECT_EQ(lanes_of(*second), (std::set<std::string>{"a", "b"}));
  // Without adoption (a fresh start) b is gone.
  config_ = std::make_shared<const Config>(LoadConfigString(text, "test.yml"));
  auto fresh = Make();
  fresh->RunOnce();
  EXPECT_EQ(lanes_of(*fresh), (std::set<std::string>{"a"}));
}

// The series text is written at collection; a reload that changes the global labels must not
// serve the old ones until the next collection.
TEST_F(CollectorTest, AReloadRewritesTheSeriesTextWithTheNewGlobalLabels) {
  config_ = std::make_shared<const Config>(LoadConfigString(R"(
global: {labels: {env: staging}}
targets: {ops: {dsn_env: OPS_DSN}}
checks: [{name: orders, kind: lag, target: ops, table: t, column: ts}]
)",
                                                            "test.yml"));
  ops_->Answer({{"max"}, {{std::string("2027-01-15 08:00:00+00")}}});
  auto first = Make();
  first->RunOnce();
  const TimePoint now = *ParseRfc3339("2027-01-15T08:01:00Z");
  EXPECT_NE(RenderExposition(*first, ReloadStatus{}, now)
                .find("freshness_lag_seconds{check=\"orders\",env=\"staging\"} 60\n"),
            std::string::npos);
  config_ = std::make_shared<const Config>(LoadConfigString(R"(
global: {labels: {env: prod}}
targets: {ops: {dsn_env: OPS_DSN}}
checks: [{name: orders, kind: lag, target: ops, table: t, column: ts}]
)",
                                                            "test.yml"));
  auto second = Make();
  second->AdoptStates(*first);
  const std::string text = RenderExposition(*second, ReloadStatus{}, now);
  EXPECT_NE(text.find("freshness_lag_seconds{check=\"orders\",env=\"prod\"} 60\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("staging"), std::string::npos) << text;
}

}  // namespace
}  // namespace freshness
