#include "config/config_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "checks/check.h"
#include "checks/lag_check.h"
#include "support/test_paths.h"

namespace freshness {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream input(path);
  std::stringstream buffer;
  buffer << input.rdbuf();
  return buffer.str();
}

// Each tests/testdata/invalid/*.yml starts with "# error: <message>", the exact text after
// "<file>:" that loading it must produce.
TEST(ConfigLoaderTest, InvalidConfigsFailWithExactPositionedMessages) {
  const std::filesystem::path folder = std::filesystem::path(testing::TestdataDir()) / "invalid";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".yml") continue;
    ++files;
    const std::string text = ReadFile(entry.path());
    const std::string prefix = "# error: ";
    ASSERT_EQ(text.rfind(prefix, 0), 0u) << entry.path() << " must start with " << prefix;
    const std::string expected = text.substr(prefix.size(), text.find('\n') - prefix.size());
    try {
      LoadConfigFile(entry.path().string());
      ADD_FAILURE() << entry.path() << " loaded but should fail with: " << expected;
    } catch (const ConfigError& error) {
      EXPECT_EQ(error.what(), entry.path().string() + ":" + expected) << entry.path();
    }
  }
  EXPECT_GE(files, 25);
}

TEST(ConfigLoaderTest, LoadsTheDesignExampleWithDefaultsAndMerges) {
  const std::string text = R"(
global:
  interval: 30s
  timeout: 4s
  labels: {env: prod}
targets:
  ops: {dsn_env: OPS_DSN, max_connections: 3}
calendars:
  xnys:
    timezone: America/New_York
    weekend: [sat, sun]
    holidays: {2026-01-01: New Year's Day, 2026-11-26: Thanksgiving}
    valid_through: 2026-12-31
defaults:
  lag: {interval: 1m, error_after: 30m}
checks:
  - {name: telemetry, kind: lag, target: ops, table: ops.lane_telemetry, column: ts,
     active: {calendar: xnys, hours: "09:30-16:00"}}
  - {name: features, kind: lag, target: ops, table: ops.features, column: ts, error_after: 20m}
  - {name: dispatcher, kind: runs, target: ops, table: ops.dispatcher_runs,
     started_column: started_at, finished_column: finished_at, window: 10m, max_duration: 5m}
  - {name: executions, kind: duplicates, target: ops, table: ops.dispatch_executions,
     key: [recommendation_id], time_column: executed_at, window: 24h, timeout: 2s}
  - {name: daily_pnl, kind: query, target: ops, sql: "SELECT account, pnl FROM ops.pnl_today",
     metrics: [{name: trading_daily_pnl, value: pnl, labels: [account], help: "PnL today"}]}
)";
  const Config config = LoadConfigString(text, "example.yml");
  ASSERT_EQ(config.checks.size(), 5u);
  EXPECT_EQ(config.global.labels.at("env"), "prod");
  EXPECT_EQ(config.targets.at("ops").max_connections, 3);
  ASSERT_EQ(config.calendars.count("xnys"), 1u);
  const Calendar& xnys = *config.calendars.at("xnys");
  EXPECT_FALSE(xnys.IsBusinessDay(*ParseIsoDate("2026-11-26")));  // Thanksgiving
  EXPECT_FALSE(xnys.IsBusinessDay(*ParseIsoDate("2026-11-28")));  // Saturday
  EXPECT_TRUE(xnys.IsBusinessDay(*ParseIsoDate("2026-11-27")));

  const CheckSpec& telemetry = config.checks[0]->spec();
  EXPECT_EQ(telemetry.interval, Duration(60'000));  // from defaults.lag
  EXPECT_EQ(telemetry.timeout, Duration(4'000));    // from global
  ASSERT_NE(telemetry.active, nullptr);
  const auto& telemetry_tiers = dynamic_cast<const LagCheck&>(*config.checks[0]).settings().tiers;
  EXPECT_EQ(telemetry_tiers.warning, 600.0);    // the kind's default
  EXPECT_EQ(telemetry_tiers.critical, 1800.0);  // from defaults.lag
  const auto& features_tiers = dynamic_cast<const LagCheck&>(*config.checks[1]).settings().tiers;
  EXPECT_EQ(features_tiers.critical, 1200.0);  // the check's own key wins
  EXPECT_EQ(config.checks[2]->spec().interval, Duration(30'000));
  EXPECT_EQ(config.checks[3]->spec().timeout, Duration(2'000));
  EXPECT_EQ(config.checks[4]->spec().mode, "enforce");
}

TEST(ConfigLoaderTest, HolidaysFileIsReadRelativeToTheConfig) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("freshness-config-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "holidays.yml") << "2026-07-03: Independence Day (observed)\n";
  std::ofstream(dir / "config.yml") << "calendars:\n  xnys: {timezone: America/New_York, "
                                       "holidays_file: holidays.yml}\n";
  const Config config = LoadConfigFile((dir / "config.yml").string());
  EXPECT_TRUE(config.calendars.at("xnys")->IsHoliday(*ParseIsoDate("2026-07-03")));
  std::filesystem::remove_all(dir);
}

TEST(ConfigLoaderTest, ResolveDsnReadsEnvironmentOrFileAndNeverEchoesTheValue) {
  TargetConfig target;
  target.name = "ops";
  target.dsn_env = "FRESHNESS_TEST_DSN_UNSET_VARIABLE";
  try {
    ResolveDsn(target);
    FAIL() << "an unset variable must fail";
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kConfig);
    EXPECT_NE(std::string(error.what()).find("FRESHNESS_TEST_DSN_UNSET_VARIABLE"),
              std::string::npos);
  }
  ::setenv("FRESHNESS_TEST_DSN", "host=db password=hunter2", 1);
  target.dsn_env = "FRESHNESS_TEST_DSN";
  EXPECT_EQ(ResolveDsn(target), "host=db password=hunter2");
}

TEST(ConfigLoaderTest, EmptyFileIsAnError) {
  EXPECT_THROW(LoadConfigString("", "empty.yml"), ConfigError);
  EXPECT_THROW(LoadConfigString("# only a comment\n", "empty.yml"), ConfigError);
}

}  // namespace
}  // namespace freshness
