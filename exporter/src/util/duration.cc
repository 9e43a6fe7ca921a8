#include "util/duration.h"

#include <cctype>
#include <cstdint>
#include <limits>

namespace freshness {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t milliseconds;
};

// Longest suffix first so "ms" is not read as "m".
constexpr Unit kUnits[] = {
    {"ms", 1},         {"s", 1000},        {"m", 60'000},        {"h", 3'600'000},
    {"d", 86'400'000}, {"w", 604'800'000}, {"y", 31'536'000'000}};

}  // namespace

std::optional<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text == "0") return Duration(0);
  std::int64_t total = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[pos]))) return std::nullopt;
    std::int64_t number = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (number > std::numeric_limits<std::int64_t>::max() / 10) return std::nullopt;
      number = number * 10 + (text[pos] - '0');
      ++pos;
    }
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (text.substr(pos, candidate.suffix.size()) == candidate.suffix) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    pos += unit->suffix.size();
    if (number > std::numeric_limits<std::int64_t>::max() / unit->milliseconds) {
      return std::nullopt;
    }
    const std::int64_t part = number * unit->milliseconds;
    if (total > std::numeric_limits<std::int64_t>::max() - part) return std::nullopt;
    total += part;
  }
  return Duration(total);
}

std::string FormatDuration(Duration duration) {
  std::int64_t remaining = duration.count();
  if (remaining == 0) return "0s";
  std::string out;
  if (remaining < 0) {
    out = "-";
    remaining = -remaining;
  }
  constexpr Unit kFormatUnits[] = {
      {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}};
  for (const Unit& unit : kFormatUnits) {
    if (remaining >= unit.milliseconds) {
      out += std::to_string(remaining / unit.milliseconds);
      out += unit.suffix;
      remaining %= unit.milliseconds;
    }
  }
  return out;
}

}  // namespace freshness
