#pragma once

#include <date/date.h>
#include <date/tz.h>

#include <map>
#include <optional>
#include <set>
#include <string>

#include "util/clock.h"

namespace freshness {

// A business calendar: a time zone, weekend days and dated holidays, valid up to a date.
// Non-business days create no due slot and no active window.
class Calendar {
 public:
  // Throws std::invalid_argument for an unknown time zone.
  Calendar(std::string name, const std::string& zone_name, std::set<unsigned> weekend_days,
           std::map<date::sys_days, std::string> holidays,
           std::optional<date::sys_days> valid_through);

  const std::string& name() const { return name_; }
  const date::time_zone* zone() const { return zone_; }
  // Weekdays as date::weekday::c_encoding() (0 = Sunday).
  const std::set<unsigned>& weekend_days() const { return weekend_days_; }
  const std::map<date::sys_days, std::string>& holidays() const { return holidays_; }
  const std::optional<date::sys_days>& valid_through() const { return valid_through_; }

  // `day` is a calendar date in the calendar's zone.
  bool IsBusinessDay(date::sys_days day) const;
  bool IsHoliday(date::sys_days day) const { return holidays_.count(day) != 0; }
  // True when `day` lies after valid_through (the holiday list no longer covers it).
  bool IsPastValidThrough(date::sys_days day) const;
  // The local date of an instant in the calendar's zone.
  date::sys_days LocalDay(TimePoint time) const;

 private:
  std::string name_;
  const date::time_zone* zone_;
  std::set<unsigned> weekend_days_;
  std::map<date::sys_days, std::string> holidays_;
  std::optional<date::sys_days> valid_through_;
};

// Parses "YYYY-MM-DD"; nullopt if malformed or not a real date.
std::optional<date::sys_days> ParseIsoDate(const std::string& text);
// Parses "mon".."sun" (or full names), case-insensitive; c_encoding (0 = Sunday).
std::optional<unsigned> ParseWeekday(const std::string& text);

}  // namespace freshness
