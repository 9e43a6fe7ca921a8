#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config_error.h"
#include "schedule/calendar.h"
#include "schedule/maintenance_window.h"
#include "util/clock.h"
#include "util/duration.h"

namespace freshness {

class Check;
class MappingReader;

using Labels = std::map<std::string, std::string>;

struct GlobalConfig {
  Duration interval{15'000};
  Duration timeout{5'000};
  std::string timezone = "UTC";
  Labels labels;
};

// A PostgreSQL connection. The DSN itself is read only when connecting, never stored here,
// so it cannot leak through the config object.
struct TargetConfig {
  std::string name;
  std::string dsn_env;
  std::string dsn_file;
  int max_connections = 2;
  // Windows during which every check of this target is in maintenance.
  std::vector<std::shared_ptr<const MaintenanceWindow>> maintenance;
  SourceMark mark;
};

// Reads the DSN of a target from its environment variable or file. Throws CheckError
// (reason config) naming the variable or file, never the value.
std::string ResolveDsn(const TargetConfig& target);

// Everything loaded from one config file, with every check already built (and so validated).
struct Config {
  std::string file;
  GlobalConfig global;
  std::map<std::string, TargetConfig> targets;
  std::map<std::string, std::shared_ptr<const Calendar>> calendars;
  std::vector<std::shared_ptr<Check>> checks;
  // The instant the file was validated at: "never fires in the next 366 days" and similar
  // checks count from here.
  TimePoint loaded_at{};
};

// The calendar that `calendar: NAME` of `reader` names, from the config's calendars; null when
// the key is absent. An unknown name fails at the key, with the closest known name.
std::shared_ptr<const Calendar> CalendarKey(MappingReader& reader, const Config& config);

}  // namespace freshness
