#pragma once

#include <memory>
#include <string>
#include <vector>

#include "checks/check.h"
#include "config/config.h"
#include "config/mapping_reader.h"

namespace freshness {

// The kinds a config may name, in the order the docs list them.
const std::vector<std::string>& KnownCheckKinds();
// lag, runs, duplicates and query read a PostgreSQL target; artifact does not.
bool KindReadsDatabase(const std::string& kind);

// Builds a check of spec.kind from the kind-specific keys in `reader` (the common keys are
// already read). `config` holds the global section, targets and calendars. Throws ConfigError.
std::shared_ptr<Check> MakeCheck(CheckSpec spec, MappingReader& reader, const Config& config);

}  // namespace freshness
