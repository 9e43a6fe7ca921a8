#include "schedule/rfc3339.h"

#include <date/date.h>

#include <regex>
#include <string>

#include "util/civil_time.h"

namespace freshness {

std::optional<TimePoint> ParseRfc3339(const std::string& text) {
  // Fields are read by hand: date::parse has undefined behaviour on some malformed offsets.
  static const std::regex kShape(
      R"(^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$)");
  std::smatch match;
  if (!std::regex_match(text, match, kShape)) return std::nullopt;
  CivilTime civil;
  civil.year = std::stoi(match[1]);
  civil.month = std::stoi(match[2]);
  civil.day = std::stoi(match[3]);
  civil.hour = std::stoi(match[4]);
  civil.minute = std::stoi(match[5]);
  civil.second = std::stoi(match[6]);
  if (match[7].matched) {
    std::string digits = match[7].str().substr(1);
    digits.resize(9, '0');
    civil.fraction = std::chrono::nanoseconds(std::stoll(digits));
  }
  if (!match[8].matched) {
    const int hours = std::stoi(match[10]);
    const int minutes = std::stoi(match[11]);
    if (minutes > 59) return std::nullopt;
    civil.offset_seconds = (match[9] == "-" ? -1 : 1) * (hours * 3600 + minutes * 60);
  }
  return ToTimePoint(civil);
}

std::string FormatRfc3339(TimePoint time) {
  return date::format("%FT%TZ", date::floor<std::chrono::seconds>(time));
}

}  // namespace freshness
