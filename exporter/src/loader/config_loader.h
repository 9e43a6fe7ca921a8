#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "config/config.h"
#include "config/config_reader.h"

namespace freshness {

// A config file's data (config/config.h) and its checks, built by their kinds' factories
// (checks/check_registry.h). What the collector runs and the app reloads.
struct Config : ConfigData {
  std::vector<std::shared_ptr<Check>> checks;
};

// Loads and fully validates a config file: it is read (config/config_reader.h) and every check
// is built, so a config that loads is one the exporter can run. Throws ConfigError naming file,
// line, column and key. Checks that look ahead in time ("never fires in the next 366 days")
// count from `now` (the system clock when not given).
Config LoadConfigFile(const std::string& path, std::optional<TimePoint> now = std::nullopt);
// Same, from text; `file_name` is used in error messages and to resolve relative paths.
Config LoadConfigString(const std::string& text, const std::string& file_name,
                        std::optional<TimePoint> now = std::nullopt);

// Builds the checks of config data read without them, e.g. by ReadConfigString without a
// visitor. Throws ConfigError as loading does.
std::vector<std::shared_ptr<Check>> BuildChecks(const ConfigData& data);

}  // namespace freshness
