#include "schedule/schedule_evaluator.h"

#include <utility>

namespace freshness {
namespace {

bool IsWeekday(date::sys_days day) {
  const unsigned weekday = date::weekday(day).c_encoding();
  return weekday != 0 && weekday != 6;
}

}  // namespace

date::sys_days PreviousBusinessDay(const Calendar* calendar, date::sys_days day) {
  for (int back = 1; back <= 60; ++back) {
    const date::sys_days candidate = day - date::days(back);
    const bool business =
        calendar != nullptr ? calendar->IsBusinessDay(candidate) : IsWeekday(candidate);
    if (business) return candidate;
  }
  return day - date::days(1);
}

ScheduleEvaluator::ScheduleEvaluator(CronExpression cron, const date::time_zone* zone,
                                     std::shared_ptr<const Calendar> calendar, Duration grace,
                                     PartitionDate partition_date)
    : cron_(std::move(cron)),
      zone_(zone),
      calendar_(std::move(calendar)),
      grace_(grace),
      partition_date_(partition_date) {}

date::sys_days ScheduleEvaluator::LocalDay(TimePoint time) const {
  const auto local = zone_->to_local(date::floor<std::chrono::seconds>(time));
  return date::sys_days(date::floor<date::days>(local).time_since_epoch());
}

bool ScheduleEvaluator::IsBusinessDay(date::sys_days day) const {
  return calendar_ == nullptr || calendar_->IsBusinessDay(day);
}

bool ScheduleEvaluator::DayHasSlots(date::sys_days day) const {
  if (!IsBusinessDay(day)) return false;
  const date::year_month_day ymd(day);
  return cron_.MatchesDay(static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                          date::weekday(day).c_encoding());
}

TimePoint ScheduleEvaluator::ToInstant(date::sys_days day, int minute_of_day) const {
  const date::local_seconds local =
      date::local_days(day.time_since_epoch()) + std::chrono::minutes(minute_of_day);
  // Nonexistent local times map to the transition instant; ambiguous ones to the first.
  return zone_->to_sys(local, date::choose::earliest);
}

date::sys_days ScheduleEvaluator::PartitionFor(date::sys_days day) const {
  if (partition_date_ == PartitionDate::kSameDay) return day;
  return PreviousBusinessDay(calendar_.get(), day);
}

Slot ScheduleEvaluator::MakeSlot(date::sys_days day, TimePoint due) const {
  return Slot{due, due + grace_, PartitionFor(day)};
}

std::optional<Slot> ScheduleEvaluator::LatestBefore(TimePoint limit, bool inclusive) const {
  const date::sys_days start = LocalDay(limit) + date::days(1);
  const std::vector<int>& minutes = cron_.MinutesOfDay();
  for (int back = 0; back <= kSearchDays; ++back) {
    const date::sys_days day = start - date::days(back);
    if (!DayHasSlots(day)) continue;
    for (auto it = minutes.rbegin(); it != minutes.rend(); ++it) {
      const TimePoint due = ToInstant(day, *it);
      if (due < limit || (inclusive && due == limit)) return MakeSlot(day, due);
    }
  }
  return std::nullopt;
}

std::optional<Slot> ScheduleEvaluator::EarliestAfter(TimePoint limit) const {
  const date::sys_days start = LocalDay(limit) - date::days(1);
  for (int forward = 0; forward <= kSearchDays; ++forward) {
    const date::sys_days day = start + date::days(forward);
    if (!DayHasSlots(day)) continue;
    for (int minute : cron_.MinutesOfDay()) {
      const TimePoint due = ToInstant(day, minute);
      if (due > limit) return MakeSlot(day, due);
    }
  }
  return std::nullopt;
}

SlotPosition ScheduleEvaluator::Locate(TimePoint now) const {
  SlotPosition position;
  position.in_force = LatestBefore(now - grace_, true);
  if (grace_.count() > 0) {
    const std::optional<Slot> candidate = EarliestAfter(now - grace_);
    if (candidate && candidate->due <= now) position.pending = candidate;
  }
  position.next = EarliestAfter(now);
  return position;
}

}  // namespace freshness
