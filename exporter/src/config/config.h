#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/check_spec.h"
#include "config/config_error.h"
#include "schedule/calendar.h"
#include "schedule/maintenance_window.h"
#include "util/clock.h"
#include "util/duration.h"
#include "util/labels.h"

namespace freshness {

class MappingReader;

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

// One entry of `checks:` as read: its common keys, and its mapping (with defaults.<kind>) for
// the kind's own reader. Building the check is the loader's job (loader/config_loader.h).
struct CheckDefinition {
  CheckSpec spec;
  // The check's own mapping and defaults.<kind> (Undefined when there is none). A loaded Config
  // (loader/) has built its checks from the definitions and holds none.
  YAML::Node node;
  YAML::Node defaults;
  std::string path;  // "checks[2]"
};

// Everything read from one config file, as plain data: no check is built here.
struct ConfigData {
  std::string file;
  GlobalConfig global;
  std::map<std::string, TargetConfig> targets;
  std::map<std::string, std::shared_ptr<const Calendar>> calendars;
  std::vector<CheckDefinition> definitions;
  // The instant the file was validated at: "never fires in the next 366 days" and similar
  // checks count from here.
  TimePoint loaded_at{};
};

// The calendar that `calendar: NAME` of `reader` names, from the config's calendars; null when
// the key is absent. An unknown name fails at the key, with the closest known name.
std::shared_ptr<const Calendar> CalendarKey(MappingReader& reader, const ConfigData& config);

}  // namespace freshness
