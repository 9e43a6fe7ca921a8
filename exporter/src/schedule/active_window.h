#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "schedule/calendar.h"
#include "schedule/daily_hours.h"
#include "util/clock.h"

namespace freshness {

// When a check is expected to see data: business days of a calendar (if any) and daily hours
// ("09:30-16:00", several separated by commas) in the calendar's zone. Outside it, lag alerts
// stay quiet (freshness_check_active 0).
class ActiveWindow {
 public:
  // How far back ActiveForSeconds walks contiguous periods before calling the window open for
  // good (+Inf).
  static constexpr int kLookbackDays = 400;

  // Throws std::invalid_argument for malformed hours. Empty hours give a window that is never
  // open (the config loader rejects it).
  ActiveWindow(std::shared_ptr<const Calendar> calendar, const date::time_zone* zone,
               const std::string& hours);

  bool IsActive(TimePoint time) const;
  // Seconds since the active period holding `time` began, walking back over ranges that touch
  // across midnights and business days ("20:00-24:00, 00:00-04:00" is one period overnight); 0
  // outside the window; +Inf when it has been open for more than kLookbackDays.
  double ActiveForSeconds(TimePoint time) const;
  // The next instant after `time` at which an active period begins (within 15 days).
  std::optional<TimePoint> NextOpening(TimePoint time) const;
  // True when the window does not open on any of the `days` local days from `time`'s.
  bool NeverOpenWithin(TimePoint time, int days) const;

  const Calendar* calendar() const { return calendar_.get(); }
  const date::time_zone* zone() const { return zone_; }
  const DailyHours& hours() const { return hours_; }

 private:
  bool IsOpenDay(date::sys_days day) const;
  TimePoint Instant(date::sys_days day, int minute_of_day) const;

  std::shared_ptr<const Calendar> calendar_;
  const date::time_zone* zone_;
  DailyHours hours_;
};

// A local day and minute of an instant in a zone.
struct LocalMinute {
  date::sys_days day;
  int minute;
};
LocalMinute ToLocalMinute(const date::time_zone* zone, TimePoint time);
// The instant of a local day and minute; a local time skipped by a DST change maps to the
// transition, a repeated one to its first occurrence.
TimePoint FromLocalMinute(const date::time_zone* zone, date::sys_days day, int minute);

}  // namespace freshness
