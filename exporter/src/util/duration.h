#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace freshness {

using Duration = std::chrono::milliseconds;

// Parses Prometheus-style durations: "15s", "1m30s", "250ms", "26h", "2d", "1w".
// Returns nullopt for anything else (empty, no unit, negative, overflow).
std::optional<Duration> ParseDuration(std::string_view text);

// Formats a duration in the same syntax, largest units first ("1h30m", "250ms", "0s").
std::string FormatDuration(Duration duration);

}  // namespace freshness
