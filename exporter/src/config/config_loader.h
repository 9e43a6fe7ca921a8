#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace freshness {

// Loads and fully validates a config file: every check is built, so a config that loads is
// one the exporter can run. Throws ConfigError naming file, line, column and key. Checks that
// look ahead in time ("never fires in the next 366 days") count from `now` (the system clock
// when not given).
Config LoadConfigFile(const std::string& path, std::optional<TimePoint> now = std::nullopt);
// Same, from text; `file_name` is used in error messages and to resolve relative paths.
Config LoadConfigString(const std::string& text, const std::string& file_name,
                        std::optional<TimePoint> now = std::nullopt);

// Problems of a valid config that only show when the exporter runs, for --config.check:
// "f.yml:4:3: targets.ops: environment variable OPS_DSN is not set" (unset or empty dsn_env,
// missing dsn_file).
std::vector<std::string> ConfigWarnings(const Config& config);

}  // namespace freshness
