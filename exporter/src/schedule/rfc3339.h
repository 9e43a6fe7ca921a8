#pragma once

#include <optional>
#include <string>

#include "util/clock.h"

namespace freshness {

// Parses an RFC 3339 timestamp ("2026-07-06T10:00:00-04:00", "2026-07-06T14:00:00Z",
// fractional seconds allowed). nullopt when malformed or without a zone offset.
std::optional<TimePoint> ParseRfc3339(const std::string& text);

// Formats an instant as RFC 3339 in UTC, whole seconds ("2026-07-06T14:00:00Z").
std::string FormatRfc3339(TimePoint time);

}  // namespace freshness
