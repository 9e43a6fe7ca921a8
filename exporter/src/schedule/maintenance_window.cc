#include "schedule/maintenance_window.h"

#include "schedule/active_window.h"

namespace freshness {

MaintenanceWindow MaintenanceWindow::OneOff(TimePoint start, TimePoint end, std::string origin) {
  MaintenanceWindow window;
  window.start_ = start;
  window.end_ = end;
  window.origin_ = std::move(origin);
  return window;
}

MaintenanceWindow MaintenanceWindow::Recurring(std::set<unsigned> weekdays, DailyHours hours,
                                               const date::time_zone* zone, std::string origin) {
  MaintenanceWindow window;
  window.recurring_ = true;
  window.weekdays_ = std::move(weekdays);
  window.hours_ = std::move(hours);
  window.zone_ = zone;
  window.origin_ = std::move(origin);
  return window;
}

bool MaintenanceWindow::Contains(TimePoint time) const {
  if (!recurring_) return time >= start_ && time < end_;
  const LocalMinute local = ToLocalMinute(zone_, time);
  return weekdays_.count(date::weekday(local.day).c_encoding()) != 0 &&
         hours_.Contains(local.minute);
}

std::optional<TimePoint> MaintenanceWindow::EndOf(TimePoint time) const {
  if (!Contains(time)) return std::nullopt;
  if (!recurring_) return end_;
  const LocalMinute local = ToLocalMinute(zone_, time);
  const DailyHours::Range* range = hours_.RangeAt(local.minute);
  if (range == nullptr) return std::nullopt;
  return FromLocalMinute(zone_, local.day, range->end_minute);
}

bool MaintenanceWindow::CoversAllTime() const {
  return recurring_ && weekdays_.size() == 7 && hours_.WholeDay();
}

}  // namespace freshness
