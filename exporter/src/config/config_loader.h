#pragma once

#include <string>

#include "config/config.h"

namespace freshness {

// Loads and fully validates a config file: every check is built, so a config that loads is
// one the exporter can run. Throws ConfigError naming file, line, column and key.
Config LoadConfigFile(const std::string& path);
// Same, from text; `file_name` is used in error messages and to resolve relative paths.
Config LoadConfigString(const std::string& text, const std::string& file_name);

}  // namespace freshness
