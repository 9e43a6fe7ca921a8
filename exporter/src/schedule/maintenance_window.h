#pragma once

#include <date/tz.h>

#include <optional>
#include <set>
#include <string>

#include "schedule/daily_hours.h"
#include "util/clock.h"

namespace freshness {

// A period during which a check is "in maintenance": either one-off ({start, end}) or
// recurring ({weekdays, hours, timezone}: local hours on some weekdays).
class MaintenanceWindow {
 public:
  // `origin` says whose window it is, for reasons: "check", "target ops".
  static MaintenanceWindow OneOff(TimePoint start, TimePoint end, std::string origin);
  // `weekdays` as date::weekday::c_encoding() (0 = Sunday).
  static MaintenanceWindow Recurring(std::set<unsigned> weekdays, DailyHours hours,
                                     const date::time_zone* zone, std::string origin);

  bool Contains(TimePoint time) const;
  // When the window holding `time` closes (the end of a one-off window, or of the local range).
  std::optional<TimePoint> EndOf(TimePoint time) const;
  // True for a recurring window on every weekday around the clock.
  bool CoversAllTime() const;
  const std::string& origin() const { return origin_; }

 private:
  MaintenanceWindow() = default;

  bool recurring_ = false;
  TimePoint start_{};
  TimePoint end_{};
  std::set<unsigned> weekdays_;
  DailyHours hours_;
  const date::time_zone* zone_ = nullptr;
  std::string origin_;
};

}  // namespace freshness
