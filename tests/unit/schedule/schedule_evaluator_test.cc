#include "schedule/schedule_evaluator.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace freshness {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const date::time_zone* NewYork() { return date::locate_zone("America/New_York"); }

TimePoint Local(int y, unsigned m, unsigned d, int hour, int minute = 0, int second = 0) {
  const date::local_seconds local =
      date::local_days(date::year{y} / m / d) + hours(hour) + minutes(minute) + seconds(second);
  return NewYork()->to_sys(local, date::choose::earliest);
}

TimePoint Utc(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  return date::sys_days(date::year{y} / m / d) + hours(hour) + minutes(minute);
}

date::sys_days Day(int y, unsigned m, unsigned d) { return date::sys_days(date::year{y} / m / d); }

std::shared_ptr<const Calendar> Xnys() {
  return std::make_shared<const Calendar>(
      "xnys", "America/New_York", std::set<unsigned>{0, 6},
      std::map<date::sys_days, std::string>{{Day(2026, 7, 3), "Independence Day (observed)"},
                                            {Day(2026, 11, 26), "Thanksgiving"}},
      Day(2026, 12, 31));
}

ScheduleEvaluator WeekdaySix(PartitionDate partition = PartitionDate::kSameDay) {
  return ScheduleEvaluator(CronExpression("0 6 * * mon-fri"), NewYork(), Xnys(), minutes(30),
                           partition);
}

// Every due time in [from, to), walking forward slot by slot.
std::vector<TimePoint> DueTimes(const ScheduleEvaluator& schedule, TimePoint from, TimePoint to) {
  std::vector<TimePoint> out;
  std::optional<Slot> slot = schedule.EarliestAfter(from - seconds(1));
  while (slot && slot->due < to) {
    out.push_back(slot->due);
    slot = schedule.EarliestAfter(slot->due);
  }
  return out;
}

TEST(ScheduleEvaluatorTest, HolidayAndWeekendCreateNoSlot) {
  const ScheduleEvaluator schedule = WeekdaySix();
  // Thu 2 July, then (Fri 3 July holiday, weekend) Mon 6 July.
  EXPECT_EQ(DueTimes(schedule, Local(2026, 7, 2, 0), Local(2026, 7, 7, 0)),
            (std::vector<TimePoint>{Local(2026, 7, 2, 6), Local(2026, 7, 6, 6)}));
  const SlotPosition position = schedule.Locate(Local(2026, 7, 5, 12));
  ASSERT_TRUE(position.in_force);
  EXPECT_EQ(position.in_force->due, Local(2026, 7, 2, 6));
  EXPECT_EQ(position.in_force->partition, Day(2026, 7, 2));
  EXPECT_FALSE(position.pending);
  ASSERT_TRUE(position.next);
  EXPECT_EQ(position.next->due, Local(2026, 7, 6, 6));
  EXPECT_EQ(position.next->deadline, Local(2026, 7, 6, 6, 30));
}

TEST(ScheduleEvaluatorTest, GraceBoundaries) {
  const ScheduleEvaluator schedule = WeekdaySix();
  struct Case {
    TimePoint now;
    std::optional<TimePoint> in_force_due;
    std::optional<TimePoint> pending_due;
  };
  const Case cases[] = {
      {Local(2026, 7, 7, 5, 59, 59), Local(2026, 7, 6, 6), std::nullopt},
      {Local(2026, 7, 7, 6, 0, 0), Local(2026, 7, 6, 6), Local(2026, 7, 7, 6)},
      {Local(2026, 7, 7, 6, 29, 59), Local(2026, 7, 6, 6), Local(2026, 7, 7, 6)},
      {Local(2026, 7, 7, 6, 30, 0), Local(2026, 7, 7, 6), std::nullopt},  // D <= now
      {Local(2026, 7, 7, 6, 30, 1), Local(2026, 7, 7, 6), std::nullopt},
  };
  for (const Case& test : cases) {
    const SlotPosition position = schedule.Locate(test.now);
    SCOPED_TRACE(date::format("%F %T", test.now));
    ASSERT_EQ(position.in_force.has_value(), test.in_force_due.has_value());
    if (test.in_force_due) {
      EXPECT_EQ(position.in_force->due, *test.in_force_due);
    }
    ASSERT_EQ(position.pending.has_value(), test.pending_due.has_value());
    if (test.pending_due) {
      EXPECT_EQ(position.pending->due, *test.pending_due);
    }
  }
}

TEST(ScheduleEvaluatorTest, WeekdaySlotsFollowTheZoneAcrossDst) {
  const ScheduleEvaluator schedule = WeekdaySix();
  // Spring forward on Sunday 8 March 2026: 06:00 is 11:00Z before, 10:00Z after.
  EXPECT_EQ(DueTimes(schedule, Utc(2026, 3, 6, 0), Utc(2026, 3, 10, 0)),
            (std::vector<TimePoint>{Utc(2026, 3, 6, 11), Utc(2026, 3, 9, 10)}));
  // Fall back on Sunday 1 November 2026: 10:00Z before, 11:00Z after.
  EXPECT_EQ(DueTimes(schedule, Utc(2026, 10, 30, 0), Utc(2026, 11, 3, 0)),
            (std::vector<TimePoint>{Utc(2026, 10, 30, 10), Utc(2026, 11, 2, 11)}));
}

TEST(ScheduleEvaluatorTest, DstTransitionsNeitherSkipNorDoubleASlot) {
  // Spring forward: 02:30 does not exist on 8 March; the slot fires when the clock jumps.
  const ScheduleEvaluator spring(CronExpression("30 2 * * *"), NewYork(), nullptr, minutes(0),
                                 PartitionDate::kSameDay);
  EXPECT_EQ(DueTimes(spring, Local(2026, 3, 7, 0), Local(2026, 3, 10, 0)),
            (std::vector<TimePoint>{Utc(2026, 3, 7, 7, 30), Utc(2026, 3, 8, 7, 0),
                                    Utc(2026, 3, 9, 6, 30)}));
  // Fall back: 01:30 happens twice on 1 November; the slot fires once, at the first.
  const ScheduleEvaluator fall(CronExpression("30 1 * * *"), NewYork(), nullptr, minutes(0),
                               PartitionDate::kSameDay);
  EXPECT_EQ(DueTimes(fall, Local(2026, 10, 31, 0), Local(2026, 11, 3, 0)),
            (std::vector<TimePoint>{Utc(2026, 10, 31, 5, 30), Utc(2026, 11, 1, 5, 30),
                                    Utc(2026, 11, 2, 6, 30)}));
  // Every half hour: the spring day has 46 slots (two local times do not exist), the fall day
  // 48 (the repeated hour fires once), never a duplicate instant.
  const ScheduleEvaluator half_hourly(CronExpression("*/30 * * * *"), NewYork(), nullptr,
                                      minutes(0), PartitionDate::kSameDay);
  const auto spring_day = DueTimes(half_hourly, Local(2026, 3, 8, 0), Local(2026, 3, 9, 0));
  EXPECT_EQ(spring_day.size(), 46u);
  EXPECT_EQ(std::adjacent_find(spring_day.begin(), spring_day.end()), spring_day.end());
  const auto fall_day = DueTimes(half_hourly, Local(2026, 11, 1, 0), Local(2026, 11, 2, 0));
  EXPECT_EQ(fall_day.size(), 48u);
  // Backwards agrees with forwards.
  std::vector<TimePoint> backwards;
  std::optional<Slot> slot = half_hourly.LatestBefore(Local(2026, 3, 9, 0), false);
  while (slot && slot->due >= Local(2026, 3, 8, 0)) {
    backwards.push_back(slot->due);
    slot = half_hourly.LatestBefore(slot->due, false);
  }
  std::reverse(backwards.begin(), backwards.end());
  EXPECT_EQ(backwards, spring_day);
}

TEST(ScheduleEvaluatorTest, PreviousBusinessDayPartitions) {
  const ScheduleEvaluator schedule = WeekdaySix(PartitionDate::kPreviousBusinessDay);
  struct Case {
    TimePoint now;
    date::sys_days partition;
  };
  const Case cases[] = {
      {Local(2026, 7, 8, 10), Day(2026, 7, 7)},      // Wednesday -> Tuesday
      {Local(2026, 7, 13, 10), Day(2026, 7, 10)},    // Monday -> Friday
      {Local(2026, 7, 6, 10), Day(2026, 7, 2)},      // Monday after the Friday holiday -> Thursday
      {Local(2026, 11, 27, 10), Day(2026, 11, 25)},  // Friday after Thanksgiving -> Wednesday
  };
  for (const Case& test : cases) {
    const SlotPosition position = schedule.Locate(test.now);
    ASSERT_TRUE(position.in_force);
    EXPECT_EQ(position.in_force->partition, test.partition) << date::format("%F", test.partition);
  }
  EXPECT_EQ(PreviousBusinessDay(nullptr, Day(2026, 7, 6)), Day(2026, 7, 3));
}

TEST(ScheduleEvaluatorTest, NeverFiringScheduleHasNoSlot) {
  const ScheduleEvaluator schedule(CronExpression("0 6 30 2 *"), NewYork(), nullptr, minutes(0),
                                   PartitionDate::kSameDay);
  const SlotPosition position = schedule.Locate(Local(2026, 7, 6, 10));
  EXPECT_FALSE(position.in_force);
  EXPECT_FALSE(position.pending);
  EXPECT_FALSE(position.next);
}

}  // namespace
}  // namespace freshness
