#pragma once

#include <string>
#include <vector>

#include "config/mapping_reader.h"
#include "util/duration.h"

namespace freshness {

// Reads a required identifier key (table or column) and returns it quoted for SQL; the error
// names the key. `qualified` allows schema.table.
std::string ReadQuotedIdentifier(MappingReader& reader, const std::string& key, bool qualified);
// Reads `window` (default 24h), which must be positive.
Duration ReadWindow(MappingReader& reader);
// " AND (<where>)" or "".
std::string ReadWhereClause(MappingReader& reader);

}  // namespace freshness
