#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/duration.h"

namespace freshness {

// Quotes a possibly schema-qualified identifier ("ops.lane_telemetry" ->
// "\"ops\".\"lane_telemetry\""). Returns nullopt unless every part is a plain identifier, so config
// keys cannot inject SQL.
std::optional<std::string> QuoteQualifiedName(const std::string& dotted);
// Quotes a plain column name; nullopt unless it is an identifier.
std::optional<std::string> QuoteColumnName(const std::string& name);
// "now() - interval '600 seconds'" for a window.
std::string WindowStartSql(Duration window);

// Parses a numeric text value as PostgreSQL prints it ("12", "-3.5", "1e3", "NaN", "Infinity").
std::optional<double> ParseSqlNumber(const std::string& text);
// Parses a timestamp as PostgreSQL prints it with DateStyle=ISO and TimeZone=UTC
// ("2026-11-23 17:02:25.123+00", "2026-11-23 17:02:25" read as UTC, "2026-11-23" a date), or a
// number of seconds since the epoch. Returns seconds since the epoch.
std::optional<double> ParseSqlTimestamp(const std::string& text);

}  // namespace freshness
