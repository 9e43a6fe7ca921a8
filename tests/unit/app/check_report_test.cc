// Verdicts of the status page, the JSON API and --once, from the config's own thresholds.
#include "app/check_report.h"

#include <gtest/gtest.h>

#include <sstream>

#include "loader/config_loader.h"
#include "schedule/rfc3339.h"
#include "support/fake_clock.h"
#include "support/fake_database.h"

namespace freshness {
namespace {

using testing::FakeClock;
using testing::FakeDatabase;

TimePoint At(const std::string& text) { return *ParseRfc3339(text); }

// One check per verdict, evaluated on Tuesday 2026-07-07 at 10:00 UTC with the newest event a
// minute old.
constexpr const char* kConfig = R"(
global: {timezone: UTC, labels: {env: test}}
targets:
  ops: {dsn_env: OPS_DSN}
  down: {dsn_env: DOWN_DSN}
  quiet: {dsn_env: OPS_DSN, maintenance: [{hours: "09:00-11:00"}]}
checks:
  - {name: fine, kind: lag, target: ops, table: t, column: ts}
  - {name: slow, kind: lag, target: ops, table: t, column: ts, warn_after: 30s}
  - {name: stale, kind: lag, target: ops, table: t, column: ts, error_after: 30s}
  - {name: broken, kind: lag, target: down, table: t, column: ts,
     maintenance: [{hours: "09:00-11:00"}]}
  - {name: resting, kind: lag, target: quiet, table: t, column: ts, error_after: 30s}
  - {name: closed, kind: lag, target: ops, table: t, column: ts, error_after: 30s,
     active: {hours: "14:00-16:00"}}
  - {name: trial, kind: lag, target: ops, table: t, column: ts, error_after: 30s, mode: observe}
  - {name: held, kind: artifact, source: /nonexistent/held.csv, expect: {max_age: 1h},
     paused_until: "2026-08-01T00:00:00Z"}
  - {name: dups, kind: duplicates, target: ops, table: x, key: [k], time_column: t}
)";

class CheckReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = std::make_shared<const Config>(LoadConfigString(kConfig, "r.yml", clock_.Now()));
    ops_->SetHandler([](const std::string& sql) -> QueryResult {
      if (sql.find("count(*)") != std::string::npos) return {{"count"}, {{std::string("0")}}};
      return {{"max"}, {{std::string("2026-07-07 09:59:00+00")}}};
    });
    down_->Fail(ErrorReason::kConnection, "connection refused <script>");
    Collector::Options options;
    options.jitter = false;
    collector_ = std::make_unique<Collector>(
        config_, DatabaseMap{{"ops", ops_}, {"down", down_}, {"quiet", ops_}}, clock_, logger_,
        options);
  }
  std::map<std::string, CheckReport> ByName(const std::vector<CheckReport>& reports) {
    std::map<std::string, CheckReport> out;
    for (const CheckReport& report : reports) out[report.name] = report;
    return out;
  }

  FakeClock clock_{At("2026-07-07T10:00:00Z")};
  std::shared_ptr<const Config> config_;
  std::shared_ptr<FakeDatabase> ops_ = std::make_shared<FakeDatabase>("ops");
  std::shared_ptr<FakeDatabase> down_ = std::make_shared<FakeDatabase>("down");
  std::ostringstream log_;
  Logger logger_{LogLevel::kError, LogFormat::kLogfmt, log_};
  std::unique_ptr<Collector> collector_;
};

TEST_F(CheckReportTest, EachVerdictWithItsReason) {
  collector_->RunOnce();
  auto reports = ByName(BuildReports(*collector_, clock_.Now()));
  EXPECT_EQ(reports["fine"].verdict, "ok");
  EXPECT_EQ(reports["fine"].reason, "lag 1m00s <= warn_after 10m");
  EXPECT_EQ(reports["slow"].verdict, "warning");
  EXPECT_EQ(reports["slow"].reason, "lag 1m00s > warn_after 30s");
  EXPECT_EQ(reports["stale"].verdict, "critical");
  EXPECT_EQ(reports["stale"].reason, "lag 1m00s > error_after 30s");
  // Failed wins over maintenance: the data is unknown.
  EXPECT_EQ(reports["broken"].verdict, "failed");
  EXPECT_EQ(reports["broken"].reason, "connection: connection refused <script>");
  EXPECT_EQ(reports["broken"].state, "failed");
  EXPECT_EQ(reports["resting"].verdict, "maintenance");
  EXPECT_EQ(reports["resting"].reason,
            "in a maintenance window of target quiet until 2026-07-07T11:00:00Z");
  EXPECT_EQ(reports["closed"].verdict, "inactive");
  EXPECT_EQ(reports["closed"].reason,
            "outside the active window; it opens at 2026-07-07T14:00:00Z (in 4h00m)");
  EXPECT_EQ(reports["trial"].verdict, "observe");
  EXPECT_EQ(reports["trial"].would_be, "critical");
  EXPECT_EQ(VerdictText(reports["trial"]), "observe (would be critical)");
  EXPECT_EQ(reports["trial"].reason, "would be critical: lag 1m00s > error_after 30s");
  EXPECT_EQ(reports["held"].verdict, "paused");
  EXPECT_EQ(reports["held"].reason, "paused until 2026-08-01T00:00:00Z");
  EXPECT_EQ(reports["dups"].verdict, "ok");
  for (const char* healthy : {"fine", "resting", "closed", "trial", "held", "dups"}) {
    EXPECT_TRUE(reports[healthy].healthy) << healthy;
  }
  for (const char* unhealthy : {"slow", "stale", "broken"}) {
    EXPECT_FALSE(reports[unhealthy].healthy) << unhealthy;
  }
  // The worst series and the thresholds in effect.
  ASSERT_TRUE(reports["stale"].worst.has_value());
  EXPECT_EQ(reports["stale"].worst->value, 60);
  EXPECT_EQ(reports["stale"].thresholds, nlohmann::json({{"error_after", 30}, {"for", 0}}));
}

TEST_F(CheckReportTest, PendingUntilTheFirstCollectionAndFailedAfterAFailedOne) {
  auto reports = ByName(BuildReports(*collector_, clock_.Now()));
  EXPECT_EQ(reports["fine"].verdict, "pending");
  EXPECT_EQ(reports["fine"].reason, "not collected yet");
  EXPECT_FALSE(reports["fine"].healthy);
  // Known without data: in maintenance, outside the active window.
  EXPECT_EQ(reports["resting"].verdict, "maintenance");
  EXPECT_EQ(reports["closed"].verdict, "inactive");
  collector_->RunOnce([](const Check& check) { return check.spec().name == "broken"; });
  reports = ByName(BuildReports(*collector_, clock_.Now()));
  EXPECT_EQ(reports["broken"].verdict, "failed");  // never "pending" after a failed first run
  EXPECT_EQ(reports["fine"].verdict, "pending");
  EXPECT_EQ(ExitCodeOf(BuildReports(*collector_, clock_.Now())), 3);
}

TEST_F(CheckReportTest, ReplaysDoNotRunDatabaseChecks) {
  collector_->RunOnce([](const Check& check) { return check.spec().kind == "artifact"; });
  const auto reports = ByName(BuildReports(*collector_, clock_.Now(), ReportOptions{true, true}));
  EXPECT_EQ(ops_->query_count(), 0u);
  EXPECT_EQ(down_->query_count(), 0u);
  for (const char* name : {"fine", "stale", "broken", "resting", "dups"}) {
    EXPECT_EQ(reports.at(name).verdict, "not_replayable") << name;
    EXPECT_EQ(reports.at(name).reason, "database checks cannot be evaluated as of a past instant");
  }
  EXPECT_EQ(reports.at("held").verdict, "paused");
  std::vector<CheckReport> list;
  for (const auto& [name, report] : reports) list.push_back(report);
  EXPECT_EQ(ExitCodeOf(list), 0);
}

TEST(ExitCodeTest, TheWorstVerdictDecides) {
  const auto code = [](std::vector<std::string> verdicts) {
    std::vector<CheckReport> reports;
    for (const std::string& verdict : verdicts) {
      CheckReport report;
      report.verdict = verdict;
      reports.push_back(report);
    }
    return ExitCodeOf(reports);
  };
  EXPECT_EQ(code({}), 0);
  EXPECT_EQ(code({"ok", "observe", "paused", "inactive", "maintenance", "not_replayable"}), 0);
  EXPECT_EQ(code({"ok", "warning"}), 1);
  EXPECT_EQ(code({"warning", "critical", "ok"}), 2);
  EXPECT_EQ(code({"critical", "failed", "warning"}), 3);
  EXPECT_EQ(code({"pending"}), 3);
}

TEST_F(CheckReportTest, JsonCarriesVerdictReasonWorstThresholdsAndArtifact) {
  collector_->RunOnce();
  const nlohmann::json document = ReportsToJson(
      BuildReports(*collector_, clock_.Now(), ReportOptions{true, false}), clock_.Now());
  EXPECT_EQ(document["evaluated_at"], "2026-07-07T10:00:00Z");
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& check : document["checks"]) by_name[check["name"]] = check;
  const nlohmann::json& stale = by_name["stale"];
  EXPECT_EQ(stale["verdict"], "critical");
  EXPECT_EQ(stale["reason"], "lag 1m00s > error_after 30s");
  EXPECT_EQ(stale["worst"], nlohmann::json({{"labels", nlohmann::json::object()}, {"value", 60}}));
  EXPECT_EQ(stale["thresholds"], nlohmann::json({{"error_after", 30}, {"for", 0}}));
  EXPECT_EQ(stale["artifact"], nullptr);
  EXPECT_EQ(stale["healthy"], false);
  EXPECT_EQ(stale["state"], "lagging");
  EXPECT_FALSE(stale.contains("severity"));
  EXPECT_EQ(by_name["trial"]["would_be"], "critical");
  EXPECT_EQ(by_name["held"]["artifact"],
            nlohmann::json({{"location", "/nonexistent/held.csv"}, {"partition", ""}}));
  EXPECT_EQ(by_name["held"]["thresholds"], nlohmann::json({{"warn_on", {"missing", "stale"}},
                                                           {"error_on", nlohmann::json::array()},
                                                           {"max_age", 3600}}));
}

// A runs check with failed_when and a volume check: their verdicts follow the rules' comparisons
// (failures in a row >= tier, success age > tier, ratio < floor) on the page and in the JSON.
TEST(LedgerReportTest, FailuresSuccessAgeAndVolumeDecideTheVerdict) {
  FakeClock clock{At("2026-07-07T10:00:00Z")};
  const auto config = std::make_shared<const Config>(LoadConfigString(R"(
targets:
  ops: {dsn_env: OPS_DSN}
checks:
  - {name: nightly, kind: runs, target: ops, table: ops.job_runs, started_column: s,
     finished_column: f, failed_when: "status = 'failed'", warn_after_failures: 1,
     max_success_age: 26h}
  - {name: fills, kind: volume, target: ops, table: ops.fills, time_column: t,
     expect: {rows: 100}, error_below: 0.5}
)",
                                                                      "l.yml", clock.Now()));
  auto ops = std::make_shared<FakeDatabase>("ops");
  std::string streak = "2";
  ops->SetHandler([&streak](const std::string& sql) -> QueryResult {
    if (sql.rfind("WITH recent", 0) == 0) {
      return {{"a", "b", "c"}, {{std::string("2"), streak, std::string("2026-07-05 10:00:00+00")}}};
    }
    if (sql.find("\"fills\"") != std::string::npos) return {{"count"}, {{std::string("40")}}};
    return {{"count", "min"}, {{std::string("0"), std::nullopt}}};
  });
  std::ostringstream log;
  Logger logger{LogLevel::kError, LogFormat::kLogfmt, log};
  Collector::Options options;
  options.jitter = false;
  Collector collector(config, DatabaseMap{{"ops", ops}}, clock, logger, options);
  collector.RunOnce();
  std::map<std::string, nlohmann::json> by_name;
  const nlohmann::json document =
      ReportsToJson(BuildReports(collector, clock.Now(), ReportOptions{true, false}), clock.Now());
  for (const auto& check : document["checks"]) by_name[check["name"]] = check;
  EXPECT_EQ(by_name["nightly"]["verdict"], "warning");
  EXPECT_EQ(by_name["nightly"]["state"], "failing");
  EXPECT_EQ(by_name["nightly"]["reason"],
            "2 failed runs in a row >= warn_after_failures 1; last successful run 2d0h ago > "
            "max_success_age 1d2h");
  EXPECT_EQ(by_name["nightly"]["thresholds"], nlohmann::json({{"max_duration", 3600},
                                                              {"for", 0},
                                                              {"warn_after_failures", 1},
                                                              {"error_after_failures", 3},
                                                              {"max_success_age", 93600}}));
  EXPECT_EQ(by_name["fills"]["verdict"], "critical");
  EXPECT_EQ(by_name["fills"]["reason"], "ratio 0.4 (40 of 100 rows) < error_below 0.5");
  EXPECT_EQ(by_name["fills"]["thresholds"],
            nlohmann::json({{"warn_below", 0.95}, {"error_below", 0.5}, {"period", 3600}}));

  streak = "3";  // reaches error_after_failures 3
  collector.RunOnce();
  const auto reports = BuildReports(collector, clock.Now());
  for (const CheckReport& report : reports) {
    if (report.name == "nightly") {
      EXPECT_EQ(report.verdict, "critical");
    }
  }
  EXPECT_EQ(ExitCodeOf(reports), 2);
}

TEST_F(CheckReportTest, StatusPageSortsByVerdictAndCountsThem) {
  collector_->RunOnce();
  const std::string page =
      ReportsToHtml(BuildReports(*collector_, clock_.Now()), clock_.Now(), "r.yml", true);
  const auto position = [&](const std::string& name) {
    const std::size_t at = page.find("<div class=\"name\">" + name + "</div>");
    EXPECT_NE(at, std::string::npos) << name;
    return at;
  };
  // Critical, failed, warning, then the rest in config order.
  const std::vector<std::string> order = {"stale",  "broken", "slow", "fine", "resting",
                                          "closed", "trial",  "held", "dups"};
  for (std::size_t i = 1; i < order.size(); ++i) {
    EXPECT_LT(position(order[i - 1]), position(order[i])) << order[i - 1] << " before " << order[i];
  }
  EXPECT_EQ(page.find("<script>"), std::string::npos);  // escaped
  for (const char* count : {">1 critical<", ">1 failed<", ">1 warning<", ">2 ok<", ">1 observe<",
                            ">1 paused<", ">1 inactive<", ">1 maintenance<"}) {
    EXPECT_NE(page.find(count), std::string::npos) << count;
  }
  EXPECT_NE(page.find("observe (would be critical)"), std::string::npos);
  EXPECT_NE(page.find("class=\"row v-critical\""), std::string::npos);

  const std::string table = ReportsToTable(BuildReports(*collector_, clock_.Now()));
  EXPECT_EQ(table.rfind("CHECK    KIND        VERDICT                      REASON\n", 0), 0u)
      << table;
  EXPECT_NE(table.find("trial    lag         observe (would be critical)  would be critical: "),
            std::string::npos)
      << table;
}

}  // namespace
}  // namespace freshness
