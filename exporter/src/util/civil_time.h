#pragma once

#include <chrono>
#include <optional>

#include "util/clock.h"

namespace freshness {

// A wall-clock time at a UTC offset, field by field as parsers read it.
struct CivilTime {
  int year = 1970;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::chrono::nanoseconds fraction{0};
  int offset_seconds = 0;  // east of UTC
};

// The instant, or nullopt when a field is out of range (month 13, 31 April, 24:00, offset over
// a day). Parsers validate text themselves and build instants here: date::parse has undefined
// behaviour on some malformed input (found by fuzzing).
std::optional<TimePoint> ToTimePoint(const CivilTime& civil);

}  // namespace freshness
