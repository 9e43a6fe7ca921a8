#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "checks/check.h"
#include "config/config.h"
#include "config/mapping_reader.h"

namespace freshness {

// The kinds a config may name, in the order the docs list them.
const std::vector<std::string>& KnownCheckKinds();
// lag, runs, duplicates, query and volume read a PostgreSQL target; artifact does not.
bool KindReadsDatabase(const std::string& kind);

// Every key a check of `kind` may have (its own and the common ones); with `in_defaults`, the
// keys defaults.<kind> may set (not name or kind). An empty kind gives the keys of all kinds.
std::vector<std::string> CheckKeys(const std::string& kind, bool in_defaults = false);
// Keys that are known but not allowed on `kind`, with the message that says why and what to use
// instead (`severity` everywhere, `for` on artifact, duplicates and query).
std::map<std::string, std::string> RefusedCheckKeys(const std::string& kind);

// Builds a check of spec.kind from the kind-specific keys in `reader` (the common keys are
// already read). `config` holds the global section, targets and calendars. Throws ConfigError.
std::shared_ptr<Check> MakeCheck(CheckSpec spec, MappingReader& reader, const Config& config);

}  // namespace freshness
