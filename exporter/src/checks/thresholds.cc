#include "checks/thresholds.h"

#include <cmath>

#include "checks/summary_format.h"

namespace freshness {
namespace {

std::string FormatCount(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

// When both tiers are set, warning must be below critical. A tier that only has its kind's
// default gives way to one the config sets (error_after: 5m alone turns the 10m warn_after
// default off); two tiers the config sets in the wrong order are an error.
void CheckOrder(MappingReader& reader, TierPair& pair) {
  if (!pair.warning || !pair.critical || *pair.warning < *pair.critical) return;
  if (!reader.Has(pair.warning_key)) {
    pair.warning.reset();
    return;
  }
  if (!reader.Has(pair.critical_key)) {
    pair.critical.reset();
    return;
  }
  reader.FailAt(reader.Raw(pair.warning_key), pair.warning_key,
                pair.warning_key + " (" + pair.FormatTier(*pair.warning) +
                    ", warning) must be below " + pair.critical_key + " (" +
                    pair.FormatTier(*pair.critical) + ", critical)");
}

}  // namespace

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kOk:
      return "ok";
    case Level::kWarning:
      return "warning";
    case Level::kCritical:
      return "critical";
  }
  return "ok";
}

Level TierPair::Classify(double value, double slack) const {
  if (critical && value > *critical + slack) return Level::kCritical;
  if (warning && value > *warning + slack) return Level::kWarning;
  return Level::kOk;
}

std::string TierPair::FormatTier(double value) const {
  if (unit == Unit::kSeconds) {
    return FormatDuration(Duration(static_cast<Duration::rep>(std::llround(value * 1000))));
  }
  return FormatCount(value);
}

std::string TierPair::FormatValue(double value) const {
  return unit == Unit::kSeconds ? FormatAge(value) : FormatCount(value);
}

std::string TierPair::Describe(Level level) const {
  if (level == Level::kCritical && critical) return critical_key + " " + FormatTier(*critical);
  if (level == Level::kWarning && warning) return warning_key + " " + FormatTier(*warning);
  return "";
}

TierPair ReadDurationTiers(MappingReader& reader, const std::string& warning_key,
                           std::optional<Duration> warning_default, const std::string& critical_key,
                           std::optional<Duration> critical_default) {
  TierPair pair;
  pair.unit = TierPair::Unit::kSeconds;
  pair.warning_key = warning_key;
  pair.critical_key = critical_key;
  const auto seconds = [](std::optional<Duration> value) -> std::optional<double> {
    if (!value) return std::nullopt;
    return std::chrono::duration<double>(*value).count();
  };
  pair.warning = seconds(reader.DurationTier(warning_key, warning_default));
  pair.critical = seconds(reader.DurationTier(critical_key, critical_default));
  CheckOrder(reader, pair);
  return pair;
}

TierPair ReadCountTiers(MappingReader& reader, const std::string& warning_key,
                        std::optional<long long> warning_default, const std::string& critical_key,
                        std::optional<long long> critical_default) {
  TierPair pair;
  pair.unit = TierPair::Unit::kCount;
  pair.warning_key = warning_key;
  pair.critical_key = critical_key;
  const auto number = [](std::optional<long long> value) -> std::optional<double> {
    if (!value) return std::nullopt;
    return static_cast<double>(*value);
  };
  pair.warning = number(reader.CountTier(warning_key, warning_default));
  pair.critical = number(reader.CountTier(critical_key, critical_default));
  CheckOrder(reader, pair);
  return pair;
}

Duration ReadFor(MappingReader& reader) {
  const Duration value = reader.DurationValue("for", Duration(0));
  if (value.count() < 0) reader.Fail("for", "must not be negative");
  return value;
}

void RejectAllTiersOff(MappingReader& reader, const std::string& check_name,
                       const std::string& mode, const std::vector<std::string>& keys) {
  if (mode == "observe") return;
  SourceMark mark = reader.Mark();
  for (const std::string& key : keys) {
    if (reader.Has(key)) {
      mark = reader.MarkOf(key);
      break;
    }
  }
  std::string hint;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) hint += i + 1 == keys.size() ? " or " : ", ";
    hint += keys[i];
  }
  throw ConfigError(mark, reader.path() + " (" + check_name + ")",
                    "every threshold is off, so this check can never alert; set " + hint +
                        ", or use mode: observe");
}

}  // namespace freshness
