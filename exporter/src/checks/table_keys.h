#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/mapping_reader.h"
#include "util/check_error.h"
#include "util/duration.h"

namespace freshness {

// Reads a required identifier key (table or column) and returns it quoted for SQL; the error
// names the key. `qualified` allows schema.table.
std::string ReadQuotedIdentifier(MappingReader& reader, const std::string& key, bool qualified);
// Reads `window` (default 24h), which must be positive.
Duration ReadWindow(MappingReader& reader);
// " AND (<where>)" or "".
std::string ReadWhereClause(MappingReader& reader);
// An optional SQL condition (failed_when): one expression, not empty, without ";" so that it
// cannot end the statement it is put into. nullopt when absent.
std::optional<std::string> ReadSqlCondition(MappingReader& reader, const std::string& key);

// A key of a check and the text it gave, to say which key a run-time SQL error comes from.
struct SqlKeyText {
  std::string key;   // "failed_when", "started_column"
  std::string text;  // the configured text (a column name unquoted)
};
// Rethrows a query error of a check's statement with the check, the table and, when it can be
// told, the key the problem comes from: 42703 (undefined column) names the key whose text holds
// the column, 42804 with "IS TRUE"/"IS NOT TRUE" (the wrapping the kinds put around a condition)
// names `condition_key`. Other errors get the check and table only.
[[noreturn]] void RethrowNamed(const CheckError& error, const std::string& check,
                               const std::string& table, const std::vector<SqlKeyText>& keys,
                               const std::string& condition_key = "");

}  // namespace freshness
