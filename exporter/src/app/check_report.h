#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "collector/collector.h"
#include "util/clock.h"

namespace freshness {

// One check as the status page, /api/v1/checks and --once show it.
struct CheckReport {
  std::string name;
  std::string kind;
  std::string target;
  std::string mode;
  std::string severity;
  bool collected = false;
  bool success = false;
  bool active = true;
  bool healthy = false;  // collected, succeeded and not stale/missing
  std::string state;
  std::string value;
  std::optional<double> last_success_unix;
  double duration_seconds = 0;
  std::string error_reason;
  std::string error;  // redacted
  nlohmann::json samples = nlohmann::json::array();
};

// `with_samples` fills CheckReport::samples (the JSON views); the table and page do without.
std::vector<CheckReport> BuildReports(const Collector& collector, TimePoint now, bool with_samples);
// Takes the reports by value so their samples move into the document instead of being copied.
nlohmann::json ReportsToJson(std::vector<CheckReport> reports, TimePoint now);
// A fixed-width table for terminals (--once).
std::string ReportsToTable(const std::vector<CheckReport>& reports);
// The status page at "/".
std::string ReportsToHtml(const std::vector<CheckReport>& reports, TimePoint now,
                          const std::string& config_file, bool reload_ok);

}  // namespace freshness
