#include "collector/collector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <sstream>
#include <thread>

#include "config/config_loader.h"
#include "metrics/exposition.h"
#include "metrics/metric_names.h"
#include "support/fake_clock.h"
#include "support/fake_database.h"

namespace freshness {
namespace {

using testing::FakeClock;
using testing::FakeDatabase;

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
  std::unique_ptr<Collector> Make(int workers = 4) {
    Collector::Options options;
    options.workers = workers;
    return std::make_unique<Collector>(config_, DatabaseMap{{"ops", ops_}, {"slow", slow_}}, clock_,
                                       logger_, options);
  }

  std::shared_ptr<const Config> config_;
  std::shared_ptr<FakeDatabase> ops_;
  std::shared_ptr<FakeDatabase> slow_;
  FakeClock clock_{FromUnixSeconds(1'800'000'100)};
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
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return {{"max"}, {{std::nullopt}}};
  });
  // One run of the stuck check at a time: the worker that holds it is busy, the others go on.
  auto collector = Make(2);
  collector->Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ops_->query_count() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(ops_->query_count(), 3u);
  EXPECT_EQ(slow_->query_count(), 1u);  // never started twice while running
  release = true;
  collector->Stop();
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

}  // namespace
}  // namespace freshness
