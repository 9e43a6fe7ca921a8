#include "schedule/active_window.h"

#include <limits>
#include <stdexcept>

namespace freshness {

LocalMinute ToLocalMinute(const date::time_zone* zone, TimePoint time) {
  const auto local = zone->to_local(date::floor<std::chrono::seconds>(time));
  const auto local_day = date::floor<date::days>(local);
  const int minute =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - local_day).count());
  return LocalMinute{date::sys_days(local_day.time_since_epoch()), minute};
}

TimePoint FromLocalMinute(const date::time_zone* zone, date::sys_days day, int minute) {
  const date::local_seconds local =
      date::local_days(day.time_since_epoch()) + std::chrono::minutes(minute);
  return zone->to_sys(local, date::choose::earliest);
}

ActiveWindow::ActiveWindow(std::shared_ptr<const Calendar> calendar, const date::time_zone* zone,
                           const std::string& hours)
    : calendar_(std::move(calendar)), zone_(zone), hours_(DailyHours::Parse(hours)) {
  if (calendar_ != nullptr) zone_ = calendar_->zone();
  if (zone_ == nullptr) zone_ = date::locate_zone("UTC");
}

bool ActiveWindow::IsOpenDay(date::sys_days day) const {
  return calendar_ == nullptr || calendar_->IsBusinessDay(day);
}

TimePoint ActiveWindow::Instant(date::sys_days day, int minute_of_day) const {
  return FromLocalMinute(zone_, day, minute_of_day);
}

bool ActiveWindow::IsActive(TimePoint time) const {
  const LocalMinute local = ToLocalMinute(zone_, time);
  return IsOpenDay(local.day) && hours_.Contains(local.minute);
}

double ActiveWindow::ActiveForSeconds(TimePoint time) const {
  const LocalMinute local = ToLocalMinute(zone_, time);
  if (!IsOpenDay(local.day)) return 0;
  const DailyHours::Range* range = hours_.RangeAt(local.minute);
  if (range == nullptr) return 0;
  if (calendar_ == nullptr && hours_.WholeDay()) return std::numeric_limits<double>::infinity();
  date::sys_days day = local.day;
  int begin = range->begin_minute;
  int walked = 0;
  // A period that starts at midnight continues the previous day's last range if that one runs
  // to midnight on an open day.
  while (begin == 0 && hours_.EndsAtMidnight() && IsOpenDay(day - date::days(1))) {
    if (++walked > kLookbackDays) return std::numeric_limits<double>::infinity();
    day -= date::days(1);
    begin = hours_.ranges().back().begin_minute;
  }
  const double seconds = std::chrono::duration<double>(time - Instant(day, begin)).count();
  return seconds > 0 ? seconds : 0;
}

std::optional<TimePoint> ActiveWindow::NextOpening(TimePoint time) const {
  const LocalMinute local = ToLocalMinute(zone_, time);
  for (int offset = 0; offset <= 15; ++offset) {
    const date::sys_days day = local.day + date::days(offset);
    if (!IsOpenDay(day)) continue;
    for (const DailyHours::Range& range : hours_.ranges()) {
      // A range starting at midnight that continues the day before is no new opening.
      if (range.begin_minute == 0 && hours_.EndsAtMidnight() && IsOpenDay(day - date::days(1))) {
        continue;
      }
      const TimePoint start = Instant(day, range.begin_minute);
      if (start > time) return start;
    }
  }
  return std::nullopt;
}

bool ActiveWindow::NeverOpenWithin(TimePoint time, int days) const {
  if (hours_.empty()) return true;
  const date::sys_days first = ToLocalMinute(zone_, time).day;
  for (int offset = 0; offset < days; ++offset) {
    if (IsOpenDay(first + date::days(offset))) return false;
  }
  return true;
}

}  // namespace freshness
