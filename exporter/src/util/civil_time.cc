#include "util/civil_time.h"

#include <date/date.h>

namespace freshness {

std::optional<TimePoint> ToTimePoint(const CivilTime& civil) {
  // TimePoint counts nanoseconds in 64 bits: about 1678 to 2261.
  if (civil.year < 1678 || civil.year > 2261 || civil.month < 1 || civil.month > 12) {
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year{civil.year},
                                 date::month{static_cast<unsigned>(civil.month)},
                                 date::day{static_cast<unsigned>(civil.day < 0 ? 0 : civil.day)}};
  if (!ymd.ok() || civil.hour < 0 || civil.hour > 23 || civil.minute < 0 || civil.minute > 59 ||
      civil.second < 0 || civil.second > 60 || civil.fraction.count() < 0 ||
      civil.fraction >= std::chrono::seconds(1) || civil.offset_seconds <= -86'400 ||
      civil.offset_seconds >= 86'400) {
    return std::nullopt;
  }
  const auto local = date::sys_days(ymd) + std::chrono::hours(civil.hour) +
                     std::chrono::minutes(civil.minute) + std::chrono::seconds(civil.second) +
                     civil.fraction;
  return std::chrono::time_point_cast<TimePoint::duration>(
      local - std::chrono::seconds(civil.offset_seconds));
}

}  // namespace freshness
