#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/check_kinds.h"
#include "config/config.h"
#include "config/mapping_reader.h"

namespace freshness {

// Called for each check once its common keys are read and before the next check is, so that
// errors come in file order: `reader` (the check's mapping over defaults.<kind>) has read the
// common keys and is left for the kind's own keys; the reader rejects any key still unread
// afterwards. `config` holds the global section, targets, calendars and the checks before.
using CheckVisitor =
    std::function<void(const CheckDefinition& check, MappingReader& reader, const ConfigData&)>;

// Reads and validates a config file into plain data: the global section, targets, calendars,
// and each check's common keys; the kinds a file may name and their keys are `kinds`. A
// check's own keys are checked against its kind's list, and read by `visit` (the loader builds
// the check there; loader/config_loader.h). Throws ConfigError naming file, line, column and
// key. Checks that look ahead in time ("never fires in the next 366 days") count from `now`
// (the system clock when not given).
ConfigData ReadConfigFile(const std::string& path, const std::vector<CheckKindSyntax>& kinds,
                          std::optional<TimePoint> now = std::nullopt,
                          const CheckVisitor& visit = {});
// Same, from text; `file_name` is used in error messages and to resolve relative paths.
ConfigData ReadConfigString(const std::string& text, const std::string& file_name,
                            const std::vector<CheckKindSyntax>& kinds,
                            std::optional<TimePoint> now = std::nullopt,
                            const CheckVisitor& visit = {});

// Problems of a valid config that only show when the exporter runs, for --config.check:
// "f.yml:4:3: targets.ops: environment variable OPS_DSN is not set" (unset or empty dsn_env,
// missing dsn_file).
std::vector<std::string> ConfigWarnings(const ConfigData& config);

}  // namespace freshness
