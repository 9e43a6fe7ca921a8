#include "loader/config_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "checks/check.h"
#include "checks/lag_check.h"
#include "checks/runs_check.h"
#include "checks/volume_check.h"
#include "schedule/rfc3339.h"
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

TEST(ConfigLoaderTest, LedgerAndVolumeDefaults) {
  const Config config = LoadConfigString(R"(
targets:
  ops: {dsn_env: OPS_DSN}
checks:
  - {name: nightly, kind: runs, target: ops, table: ops.job_runs, started_column: started_at,
     finished_column: finished_at, failed_when: "status = 'failed'"}
  - {name: quiet, kind: runs, target: ops, table: ops.job_runs, started_column: started_at,
     finished_column: finished_at, failed_when: "error IS NOT NULL", max_duration: off,
     error_after_failures: off, warn_after_failures: 20}
  - {name: plain, kind: runs, target: ops, table: ops.job_runs, started_column: started_at,
     finished_column: finished_at}
  - {name: fills, kind: volume, target: ops, table: ops.fills, time_column: filled_at,
     expect: {days_ago: 1}}
)",
                                         "ledger.yml");
  const auto& nightly = dynamic_cast<const RunsCheck&>(*config.checks[0]);
  ASSERT_TRUE(nightly.ledger().has_value());
  EXPECT_EQ(nightly.ledger()->failures.critical, 3.0);  // error_after_failures defaults to 3
  EXPECT_EQ(nightly.ledger()->failures.warning, std::nullopt);
  EXPECT_EQ(nightly.ledger()->success_age.warning, std::nullopt);
  EXPECT_EQ(nightly.ledger()->streak_cap, 13);  // the highest tier + 10
  EXPECT_EQ(nightly.tiers().critical, 3600.0);  // max_duration keeps its default
  const auto& quiet = dynamic_cast<const RunsCheck&>(*config.checks[1]);
  EXPECT_EQ(quiet.ledger()->failures.critical, std::nullopt);
  EXPECT_EQ(quiet.ledger()->failures.warning, 20.0);
  EXPECT_EQ(quiet.ledger()->streak_cap, 30);
  EXPECT_FALSE(dynamic_cast<const RunsCheck&>(*config.checks[2]).ledger().has_value());
  const auto& fills = dynamic_cast<const VolumeCheck&>(*config.checks[3]);
  EXPECT_EQ(fills.settings().period, Duration(3'600'000));
  EXPECT_EQ(fills.settings().tiers.warning, 0.95);
  EXPECT_EQ(fills.settings().tiers.critical, std::nullopt);
  EXPECT_EQ(fills.settings().expect, VolumeCheck::Expect::kDaysAgo);
  EXPECT_TRUE(fills.spec().target == "ops");

  // A critical floor set above the default warning floor replaces it; two set floors in the
  // wrong order are an error.
  const Config raised = LoadConfigString(
      "targets:\n  ops: {dsn_env: OPS_DSN}\nchecks:\n  - {name: v, kind: volume, target: ops, "
      "table: t, time_column: ts, expect: {rows: 10}, error_below: 0.97}\n",
      "raised.yml");
  const auto& floors = dynamic_cast<const VolumeCheck&>(*raised.checks[0]).settings().tiers;
  EXPECT_EQ(floors.warning, std::nullopt);
  EXPECT_EQ(floors.critical, 0.97);
  EXPECT_THROW(LoadConfigString("targets:\n  ops: {dsn_env: OPS_DSN}\nchecks:\n  - {name: v, "
                                "kind: volume, target: ops, table: t, time_column: ts, expect: "
                                "{rows: 10}, warn_below: 0.5, error_below: 0.8}\n",
                                "inverted.yml"),
               ConfigError);
  // Two expect periods that overlap are refused.
  EXPECT_THROW(LoadConfigString("targets:\n  ops: {dsn_env: OPS_DSN}\nchecks:\n  - {name: v, "
                                "kind: volume, target: ops, table: t, time_column: ts, period: 2d, "
                                "expect: {days_ago: 1}}\n",
                                "overlap.yml"),
               ConfigError);
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

// A holidays_file is either the plain mapping or {holidays, valid_through}; the file's
// valid_through applies unless the calendar sets its own.
TEST(ConfigLoaderTest, HolidaysFileWithValidThrough) {
  const std::string dir = testing::TestdataDir() + "/calendars";
  const Config config = LoadConfigString(R"(
calendars:
  from_file: {timezone: America/New_York, holidays_file: xnys-2026.yml}
  own_wins: {timezone: America/New_York, holidays_file: xnys-2026.yml, valid_through: 2026-09-30}
  plain: {timezone: America/New_York, holidays_file: plain.yml, holidays: {2026-12-25: Christmas}}
)",
                                         dir + "/config.yml");
  const Calendar& from_file = *config.calendars.at("from_file");
  EXPECT_TRUE(from_file.IsHoliday(*ParseIsoDate("2026-11-26")));
  EXPECT_TRUE(from_file.IsHoliday(*ParseIsoDate("2026-07-03")));
  EXPECT_EQ(from_file.valid_through(), ParseIsoDate("2026-12-31"));
  EXPECT_EQ(config.calendars.at("own_wins")->valid_through(), ParseIsoDate("2026-09-30"));
  const Calendar& plain = *config.calendars.at("plain");
  EXPECT_TRUE(plain.IsHoliday(*ParseIsoDate("2026-07-03")));
  EXPECT_TRUE(plain.IsHoliday(*ParseIsoDate("2026-12-25")));
  EXPECT_EQ(plain.valid_through(), std::nullopt);

  const auto error_of = [&](const std::string& file) -> std::string {
    try {
      LoadConfigString("calendars:\n  c: {holidays_file: " + file + "}\n", dir + "/config.yml");
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "loaded";
  };
  EXPECT_EQ(error_of("bad-valid-through.yml"),
            dir + "/bad-valid-through.yml:2:16: valid_through: invalid date \"2026-13-01\"");
  EXPECT_EQ(
      error_of("unknown-key.yml"),
      dir + "/unknown-key.yml:2:1: valid_trough: unknown key (did you mean \"valid_through\"?)");
  EXPECT_EQ(
      error_of("absent.yml"),
      dir + "/config.yml:2:7: calendars.c.holidays_file: cannot read \"" + dir + "/absent.yml\"");
}

TEST(ConfigLoaderTest, WarningsForDsnsThatCannotBeRead) {
  ::setenv("FRESHNESS_TEST_EMPTY_DSN", "", 1);
  ::setenv("FRESHNESS_TEST_SET_DSN", "host=db", 1);
  ::unsetenv("FRESHNESS_TEST_UNSET_DSN");
  const Config config = LoadConfigString(R"(targets:
  empty: {dsn_env: FRESHNESS_TEST_EMPTY_DSN}
  set: {dsn_env: FRESHNESS_TEST_SET_DSN}
  unset: {dsn_env: FRESHNESS_TEST_UNSET_DSN}
  file: {dsn_file: /nonexistent/freshness/dsn}
)",
                                         "w.yml");
  const std::vector<std::string> expected = {
      "w.yml:2:3: targets.empty: environment variable FRESHNESS_TEST_EMPTY_DSN is empty",
      "w.yml:5:3: targets.file: dsn_file /nonexistent/freshness/dsn does not exist",
      "w.yml:4:3: targets.unset: environment variable FRESHNESS_TEST_UNSET_DSN is not set"};
  EXPECT_EQ(ConfigWarnings(config), expected);
}

// Tiers the kind defaults give way to tiers the config sets; two set in the wrong order are
// an error (tests/testdata/invalid/lag-tiers-inverted.yml).
TEST(ConfigLoaderTest, ADefaultTierGivesWayToOneTheConfigSets) {
  const Config config = LoadConfigString(R"(targets:
  ops: {dsn_env: OPS_DSN}
checks:
  - {name: paging_only, kind: lag, target: ops, table: t, column: ts, error_after: 5m}
  - {name: both, kind: lag, target: ops, table: t, column: ts, warn_after: 2m, error_after: 5m}
  - {name: off, kind: lag, target: ops, table: t, column: ts, warn_after: off, error_after: 1h}
)",
                                         "t.yml");
  const auto tiers = [&](std::size_t index) {
    return dynamic_cast<const LagCheck&>(*config.checks.at(index)).settings().tiers;
  };
  EXPECT_EQ(tiers(0).warning, std::nullopt);  // the 10m default is not below 5m: dropped
  EXPECT_EQ(tiers(0).critical, 300.0);
  EXPECT_EQ(tiers(1).warning, 120.0);
  EXPECT_EQ(tiers(1).critical, 300.0);
  EXPECT_EQ(tiers(2).warning, std::nullopt);
  EXPECT_EQ(tiers(2).critical, 3600.0);
}

TEST(ConfigLoaderTest, MaintenanceOfTheTargetAppliesToItsChecks) {
  const Config config = LoadConfigString(R"(global: {timezone: UTC}
targets:
  ops:
    dsn_env: OPS_DSN
    maintenance: [{weekdays: [sun], hours: "02:00-04:00"}]
checks:
  - name: telemetry
    kind: lag
    target: ops
    table: t
    column: ts
    maintenance:
      - {start: "2026-07-10T00:00:00Z", end: "2026-07-10T06:00:00Z"}
      - {weekdays: [sat], hours: "23:00-24:00", timezone: Europe/London}
  - {name: artifact, kind: artifact, source: /x, expect: {max_age: 1h},
     maintenance: [{hours: "12:00-13:00"}]}
)",
                                         "m.yml");
  const CheckSpec& telemetry = config.checks[0]->spec();
  ASSERT_EQ(telemetry.maintenance.size(), 3u);
  EXPECT_EQ(telemetry.maintenance[2]->origin(), "target ops");
  const auto at = [](const std::string& text) { return *ParseRfc3339(text); };
  EXPECT_NE(telemetry.MaintenanceAt(at("2026-07-10T05:59:59Z")), nullptr);  // one-off
  EXPECT_EQ(telemetry.MaintenanceAt(at("2026-07-10T06:00:00Z")), nullptr);
  EXPECT_NE(telemetry.MaintenanceAt(at("2026-07-11T22:30:00Z")), nullptr);  // Sat 23:30 BST
  EXPECT_EQ(telemetry.MaintenanceAt(at("2026-07-11T23:30:00Z")), nullptr);  // Sun 00:30 BST
  const MaintenanceWindow* sunday = telemetry.MaintenanceAt(at("2026-07-12T03:00:00Z"));
  ASSERT_NE(sunday, nullptr);
  EXPECT_EQ(sunday->origin(), "target ops");
  // Every day by default, in the global zone.
  const CheckSpec& artifact = config.checks[1]->spec();
  ASSERT_EQ(artifact.maintenance.size(), 1u);
  EXPECT_NE(artifact.MaintenanceAt(at("2026-07-14T12:30:00Z")), nullptr);
  EXPECT_EQ(artifact.MaintenanceAt(at("2026-07-14T13:00:00Z")), nullptr);
}

// Looking ahead counts from the instant the config is loaded at.
TEST(ConfigLoaderTest, AnActiveWindowMustOpenWithinFourteenDaysOfLoading) {
  std::string holidays;
  for (int day = 0; day < 14; ++day) {
    holidays += (day > 0 ? ", " : "") +
                date::format("%F", date::sys_days(date::year{2026} / 7 / 1) + date::days(day)) +
                ": closed";
  }
  const std::string text = R"(targets:
  ops: {dsn_env: OPS_DSN}
calendars:
  strike: {timezone: UTC, weekend: [], holidays: {)" +
                           holidays + R"(}}
checks:
  - {name: t, kind: lag, target: ops, table: t, column: ts,
     active: {calendar: strike, hours: "09:00-17:00"}}
)";
  // 1 to 14 July are all closed.
  try {
    LoadConfigString(text, "s.yml", *ParseRfc3339("2026-07-01T12:00:00Z"));
    ADD_FAILURE() << "loaded";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()),
              "s.yml:7:6: checks[0] (t): active is never open in the next 14 days (calendar "
              "\"strike\" has no business day from 2026-07-01 to 2026-07-14), so this check can "
              "never alert; remove days from the calendar's weekend or holidays");
  }
  // A day earlier, 30 June is open; a day later, 15 July is.
  EXPECT_NO_THROW(LoadConfigString(text, "s.yml", *ParseRfc3339("2026-06-30T12:00:00Z")));
  EXPECT_NO_THROW(LoadConfigString(text, "s.yml", *ParseRfc3339("2026-07-02T12:00:00Z")));
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
