#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/mapping_reader.h"
#include "util/duration.h"

namespace freshness {

// How bad a check's values are by its own thresholds.
enum class Level { kOk = 0, kWarning = 1, kCritical = 2 };

// "ok", "warning", "critical".
std::string_view LevelName(Level level);

// Two tiers on one series, both optional (`off`): a value above the warning tier is a warning,
// above the critical tier critical. When both are set, warning is strictly below critical.
// Durations are kept in seconds.
struct TierPair {
  enum class Unit { kSeconds, kCount };
  Unit unit = Unit::kSeconds;
  std::string warning_key;   // e.g. "warn_after"
  std::string critical_key;  // e.g. "error_after"
  std::optional<double> warning;
  std::optional<double> critical;

  bool any() const { return warning.has_value() || critical.has_value(); }
  // The highest tier `value` is above, each tier raised by `slack` (a check's `for`).
  Level Classify(double value, double slack = 0) const;
  // The key and value of the tier of `level`, for reasons: "error_after 15m", "error_above 0".
  std::string Describe(Level level) const;
  // A value in this pair's unit: "15m", "41m08s" for seconds (FormatAge), "3" for counts.
  std::string FormatValue(double value) const;
  std::string FormatTier(double value) const;  // "15m" (FormatDuration) or "3"
};

// Reads a pair of duration tiers (positive durations or off) and checks their order.
TierPair ReadDurationTiers(MappingReader& reader, const std::string& warning_key,
                           std::optional<Duration> warning_default, const std::string& critical_key,
                           std::optional<Duration> critical_default);
// Reads a pair of count tiers (integers >= 0 or off) and checks their order.
TierPair ReadCountTiers(MappingReader& reader, const std::string& warning_key,
                        std::optional<long long> warning_default, const std::string& critical_key,
                        std::optional<long long> critical_default);

// Reads `for` (default 0s) on the kinds that allow it.
Duration ReadFor(MappingReader& reader);

// Fails when every tier of a check is off, unless the check is in observe mode:
// "checks[3] (name): every threshold is off, so this check can never alert; set A or B, or use
// mode: observe". `keys` are the tier keys of the kind, in the order the hint names them.
void RejectAllTiersOff(MappingReader& reader, const std::string& check_name,
                       const std::string& mode, const std::vector<std::string>& keys);

}  // namespace freshness
