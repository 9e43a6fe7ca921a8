// freshness_exporter: tells data-pipeline operators that data stopped flowing, a run hung, an
// execution was duplicated, or a scheduled artifact did not appear.
#include <date/date.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/check_report.h"
#include "app/exporter_app.h"
#include "app/preflight.h"
#include "checks/check_registry.h"
#include "loader/config_loader.h"
#include "log/logger.h"
#include "schedule/rfc3339.h"

// libpqxx 6.4 leaks one libpq result when a connection breaks during a query (bounded by the
// number of lost connections); keep LeakSanitizer builds quiet about that known library bug.
extern "C" const char* __lsan_default_suppressions() { return "leak:libpqxx\n"; }

namespace {

using freshness::Clock;
using freshness::TimePoint;

// Exit codes of --once (README "Flags").
constexpr int kExitInvalid = 4;

// --once: every check once, a table or JSON on stdout; the exit code says the worst verdict.
// With --at (`replay`), database checks are not run: they cannot be evaluated as of the past.
int RunOnce(const std::string& config_file, bool json, bool replay, const Clock& clock, int workers,
            freshness::Logger& logger) {
  std::shared_ptr<const freshness::Config> config;
  try {
    config = std::make_shared<const freshness::Config>(
        freshness::LoadConfigFile(config_file, clock.Now()));
  } catch (const std::exception& error) {
    std::cerr << error.what() << "\n";
    return kExitInvalid;
  }
  freshness::DatabaseMap databases = freshness::OpenDatabases(*config);
  freshness::Collector::Options options;
  options.workers = workers;
  options.jitter = false;
  freshness::Collector collector(config, databases, clock, logger, options);
  collector.RunOnce([replay](const freshness::Check& check) {
    return !replay || !freshness::KindReadsDatabase(check.spec().kind);
  });
  const TimePoint now = clock.Now();
  std::vector<freshness::CheckReport> reports =
      freshness::BuildReports(collector, now, freshness::ReportOptions{json, replay});
  const int code = freshness::ExitCodeOf(reports);
  if (json) {
    std::cout << freshness::ReportsToJson(std::move(reports), now)
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    std::cout << freshness::ReportsToTable(reports);
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"freshness_exporter: Prometheus exporter for data-pipeline freshness"};
  std::string config_file = "freshness.yml";
  bool config_check = false;
  bool check_connect = false;
  std::string listen_address = ":9560";
  std::string telemetry_path = "/metrics";
  std::string web_config_file;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  bool once = false;
  std::string output = "table";
  std::string at;
  int workers = 8;
  bool version = false;
  cli.add_option("--config.file", config_file, "Configuration file")->capture_default_str();
  CLI::Option* config_check_flag =
      cli.add_flag("--config.check", config_check, "Validate the configuration file and exit");
  cli.add_flag("--check.connect", check_connect,
               "With --config.check: also connect to every target and check each database "
               "check's tables, columns, privileges and indexes")
      ->needs(config_check_flag);
  cli.add_option("--web.listen-address", listen_address, "Address to listen on")
      ->capture_default_str();
  cli.add_option("--web.telemetry-path", telemetry_path, "Path of the metrics endpoint")
      ->capture_default_str();
  cli.add_option("--web.config.file", web_config_file,
                 "TLS and basic auth configuration (exporter-toolkit format)");
  cli.add_option("--log.level", log_level, "debug, info, warn or error")->capture_default_str();
  cli.add_option("--log.format", log_format, "logfmt or json")->capture_default_str();
  cli.add_flag("--once", once, "Collect every check once, print the results and exit");
  cli.add_option("--output", output, "With --once: table or json")->capture_default_str();
  cli.add_option("--at", at, "With --once: evaluate as of this RFC 3339 time");
  cli.add_option("--collector.workers", workers, "Checks collected in parallel")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cli.add_flag("--version", version, "Print the version and exit");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = cli.exit(error);  // prints help, or the error
    return code == 0 ? 0 : kExitInvalid;
  }

  if (version) {
    std::cout << "freshness_exporter " << FRESHNESS_VERSION << " (" << FRESHNESS_REVISION << ")\n";
    return 0;
  }
  const auto level = freshness::ParseLogLevel(log_level);
  const auto format = freshness::ParseLogFormat(log_format);
  if (!level || !format || (output != "table" && output != "json")) {
    std::cerr << "invalid --log.level, --log.format or --output\n";
    return kExitInvalid;
  }
  if (!at.empty() && !once) {
    std::cerr << "--at needs --once\n";
    return kExitInvalid;
  }
  freshness::Logger logger(*level, *format, std::cerr);

  if (config_check) {
    try {
      const freshness::Config config = freshness::LoadConfigFile(config_file);
      // Things that will fail at run time but not at load: the exit code stays 0.
      if (check_connect) {
        std::ifstream input(config_file);
        std::stringstream text;
        text << input.rdbuf();
        return freshness::RunPreflight(config, text.str(), std::cout);
      }
      for (const std::string& warning : freshness::ConfigWarnings(config)) {
        std::cerr << "warning: " << warning << "\n";
      }
      std::cout << config_file << ": OK (" << config.checks.size() << " checks, "
                << config.targets.size() << " targets, " << config.calendars.size()
                << " calendars)\n";
      return 0;
    } catch (const std::exception& error) {
      std::cerr << error.what() << "\n";
      return 1;
    }
  }

  freshness::SystemClock system_clock;
  if (once) {
    std::optional<freshness::FixedClock> fixed;
    if (!at.empty()) {
      const std::optional<TimePoint> when = freshness::ParseRfc3339(at);
      if (!when) {
        std::cerr << "invalid --at \"" << at
                  << "\" (expected RFC 3339, e.g. 2026-07-06T10:00:00-04:00)\n";
        return kExitInvalid;
      }
      fixed.emplace(*when);
    }
    try {
      return RunOnce(config_file, output == "json", fixed.has_value(),
                     fixed ? static_cast<const Clock&>(*fixed) : system_clock, workers, logger);
    } catch (const std::exception& error) {
      std::cerr << error.what() << "\n";
      return 3;
    }
  }

  // Signals are taken by sigwait below, so block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  freshness::AppOptions options;
  options.config_file = config_file;
  options.web.listen_address = listen_address;
  options.web.telemetry_path = telemetry_path;
  options.web.web_config_file = web_config_file;
  options.workers = workers;
  freshness::ExporterApp app(options, logger, system_clock);
  try {
    app.Start();
    app.Serve();
  } catch (const std::exception& error) {
    logger.Error("cannot start", {{"err", error.what()}});
    return 1;
  }
  logger.Info("started", {{"version", FRESHNESS_VERSION}, {"revision", FRESHNESS_REVISION}});
  while (true) {
    int received = 0;
    if (sigwait(&signals, &received) != 0) continue;
    if (received == SIGHUP) {
      app.Reload();
      continue;
    }
    logger.Info("shutting down", {{"signal", std::to_string(received)}});
    break;
  }
  app.Stop();
  return 0;
}
