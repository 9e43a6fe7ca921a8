#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "collector/collector.h"
#include "util/clock.h"

namespace freshness {

// One check as the status page, /api/v1/checks and --once show it.
struct CheckReport {
  std::string name;
  std::string kind;
  std::string target;
  std::string mode;
  bool collected = false;
  bool success = false;
  bool active = true;
  // pending, ok, warning, critical, failed, paused, maintenance, inactive, observe, or
  // not_replayable (--once --at on a database check). Computed from the config's own
  // thresholds with the same arithmetic as the rules.
  std::string verdict;
  std::string would_be;  // observe: the verdict it would have in enforce mode
  std::string reason;    // one line: "lag 41m08s > error_after 15m (for 10m)"
  std::optional<WorstSeries> worst;
  nlohmann::json thresholds = nlohmann::json::object();
  nlohmann::json slo = nullptr;  // {objective, window_seconds, counting_now} with `slo:`
  std::optional<ArtifactLocation> artifact;
  // Kept for compatibility: verdict in ok, inactive, maintenance, paused, observe (and
  // not_replayable, which says nothing about the data).
  bool healthy = false;
  std::string state;  // the kind's own state ("ok", "lagging", "fresh", "missing", ...)
  std::string value;
  std::optional<double> last_success_unix;
  double duration_seconds = 0;
  std::string error_reason;
  std::string error;  // redacted
  nlohmann::json samples = nlohmann::json::array();
};

struct ReportOptions {
  bool with_samples = false;  // fill CheckReport::samples (the JSON views)
  // --once --at: database checks were not run and are reported not_replayable.
  bool replay = false;
};

std::vector<CheckReport> BuildReports(const Collector& collector, TimePoint now,
                                      const ReportOptions& options = {});
// The verdict of one check at `now`: precedence failed > maintenance > paused > inactive >
// observe > critical > warning > ok; pending when never collected (unless in maintenance or
// outside its active window, which need no data).
void ComputeVerdict(const Check& check, const CheckState& state, TimePoint now,
                    const ReportOptions& options, CheckReport& report);
// "observe (would be critical)", or the verdict itself.
std::string VerdictText(const CheckReport& report);
// --once exit code: 3 if a check failed to run, else 2 if one is critical, else 1 if one is a
// warning, else 0.
int ExitCodeOf(const std::vector<CheckReport>& reports);
// Takes the reports by value so their samples move into the document instead of being copied.
nlohmann::json ReportsToJson(std::vector<CheckReport> reports, TimePoint now);
// A fixed-width table for terminals (--once).
std::string ReportsToTable(const std::vector<CheckReport>& reports);
// The status page at "/": a summary line, then one row per check, critical first.
std::string ReportsToHtml(const std::vector<CheckReport>& reports, TimePoint now,
                          const std::string& config_file, bool reload_ok);

}  // namespace freshness
