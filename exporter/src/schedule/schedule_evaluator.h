#pragma once

#include <date/date.h>
#include <date/tz.h>

#include <memory>
#include <optional>

#include "schedule/calendar.h"
#include "schedule/cron_expression.h"
#include "util/clock.h"
#include "util/duration.h"

namespace freshness {

// Which date `{as_of:FMT}` expands to for a slot due on local day d.
enum class PartitionDate {
  kSameDay,              // d itself
  kPreviousBusinessDay,  // the last business day before d (Mon-Fri without a calendar)
};

// One due time of a schedule.
struct Slot {
  TimePoint due;             // T: the cron time, a business day of the calendar
  TimePoint deadline;        // D = T + grace
  date::sys_days partition;  // the date `{as_of:FMT}` expands to
};

// Where `now` stands relative to a schedule (docs/artifacts.md, "Semantics").
struct SlotPosition {
  std::optional<Slot> in_force;  // latest slot with D <= now
  std::optional<Slot> pending;   // earliest slot with T <= now < D (inside its grace)
  std::optional<Slot> next;      // earliest slot with T > now
};

// Turns a cron expression into due slots in a time zone, skipping the calendar's non-business
// days. Local times that do not exist (spring forward) fire at the instant the clock jumps;
// repeated local times (fall back) fire once, at their first occurrence; so a transition
// neither skips nor doubles a slot. Searches span at most kSearchDays local days each way.
class ScheduleEvaluator {
 public:
  static constexpr int kSearchDays = 400;

  // `calendar` may be null (every day is a business day). `zone` must not be null.
  ScheduleEvaluator(CronExpression cron, const date::time_zone* zone,
                    std::shared_ptr<const Calendar> calendar, Duration grace,
                    PartitionDate partition_date);

  // Latest slot with T < limit (or T <= limit when inclusive).
  std::optional<Slot> LatestBefore(TimePoint limit, bool inclusive) const;
  // Earliest slot with T > limit.
  std::optional<Slot> EarliestAfter(TimePoint limit) const;
  SlotPosition Locate(TimePoint now) const;

  // The partition date for a slot due on local day `day` (also used for max_age sources).
  date::sys_days PartitionFor(date::sys_days day) const;
  date::sys_days LocalDay(TimePoint time) const;
  bool IsBusinessDay(date::sys_days day) const;

  const date::time_zone* zone() const { return zone_; }
  const Calendar* calendar() const { return calendar_.get(); }
  Duration grace() const { return grace_; }
  const CronExpression& cron() const { return cron_; }

 private:
  bool DayHasSlots(date::sys_days day) const;
  TimePoint ToInstant(date::sys_days day, int minute_of_day) const;
  Slot MakeSlot(date::sys_days day, TimePoint due) const;

  CronExpression cron_;
  const date::time_zone* zone_;
  std::shared_ptr<const Calendar> calendar_;
  Duration grace_;
  PartitionDate partition_date_;
};

// The previous business day before `day` under `calendar` (Mon-Fri when null), searched back at
// most 60 days; `day - 1` if none is found.
date::sys_days PreviousBusinessDay(const Calendar* calendar, date::sys_days day);

}  // namespace freshness
