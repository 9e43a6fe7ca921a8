#include "schedule/rfc3339.h"

#include <date/date.h>

#include <regex>
#include <sstream>

namespace freshness {

std::optional<TimePoint> ParseRfc3339(const std::string& text) {
  if (text.size() < 20) return std::nullopt;
  std::string normalized = text;
  for (char& c : normalized) {
    if (c == 't') c = 'T';
  }
  const bool utc = normalized.back() == 'Z' || normalized.back() == 'z';
  if (utc) normalized.back() = '+', normalized += "00:00";
  // date::parse misreads some malformed offsets ("-:~0:2") into out-of-range values; only
  // hand it the exact RFC 3339 shape (found by fuzz_values).
  static const std::regex kShape(
      R"(^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?[+-][0-9]{2}:[0-9]{2}$)");
  if (!std::regex_match(normalized, kShape)) return std::nullopt;
  std::istringstream stream(normalized);
  date::sys_time<std::chrono::microseconds> parsed;
  stream >> date::parse("%FT%T%Ez", parsed);
  if (stream.fail()) return std::nullopt;
  if (stream.peek() != std::char_traits<char>::eof()) return std::nullopt;
  return std::chrono::time_point_cast<TimePoint::duration>(parsed);
}

std::string FormatRfc3339(TimePoint time) {
  return date::format("%FT%TZ", date::floor<std::chrono::seconds>(time));
}

}  // namespace freshness
