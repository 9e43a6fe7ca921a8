// Active windows (how long the current active period has lasted, the next opening, windows that
// never open), maintenance windows and the daily hours both are written in.
#include "schedule/active_window.h"

#include <gtest/gtest.h>

#include <cmath>

#include "schedule/maintenance_window.h"

namespace freshness {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const date::time_zone* NewYork() { return date::locate_zone("America/New_York"); }

TimePoint Local(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  const date::local_seconds local =
      date::local_days(date::year{y} / m / d) + hours(hour) + minutes(minute);
  return NewYork()->to_sys(local, date::choose::earliest);
}

date::sys_days Day(int y, unsigned m, unsigned d) { return date::sys_days(date::year{y} / m / d); }

std::shared_ptr<const Calendar> Xnys() {
  return std::make_shared<const Calendar>(
      "xnys", "America/New_York", std::set<unsigned>{0, 6},
      std::map<date::sys_days, std::string>{{Day(2026, 7, 3), "Independence Day (observed)"}},
      Day(2026, 12, 31));
}

double Seconds(std::chrono::seconds duration) { return static_cast<double>(duration.count()); }

TEST(DailyHoursTest, ParsesSortsAndMergesTouchingRanges) {
  const DailyHours parsed = DailyHours::Parse("12:00-16:00, 09:00-12:00, 20:00-24:00");
  ASSERT_EQ(parsed.ranges().size(), 2u);
  EXPECT_EQ(parsed.ranges()[0].begin_minute, 9 * 60);
  EXPECT_EQ(parsed.ranges()[0].end_minute, 16 * 60);
  EXPECT_EQ(parsed.ranges()[1].end_minute, 24 * 60);
  EXPECT_TRUE(parsed.Contains(12 * 60));
  EXPECT_FALSE(parsed.Contains(16 * 60));  // the end is exclusive
  EXPECT_TRUE(parsed.EndsAtMidnight());
  EXPECT_FALSE(parsed.WholeDay());
  EXPECT_TRUE(DailyHours::Parse("00:00-12:00,11:00-24:00").WholeDay());
  EXPECT_TRUE(DailyHours::Parse("").empty());
  EXPECT_THROW(DailyHours::Parse("16:00-09:30"), std::invalid_argument);
  EXPECT_THROW(DailyHours::Parse("9:30-16:00"), std::invalid_argument);
  EXPECT_THROW(DailyHours::Parse("09:30"), std::invalid_argument);
}

TEST(ActiveWindowTest, ActiveForCountsFromTheStartOfTheCurrentRange) {
  const ActiveWindow window(Xnys(), nullptr, "09:30-16:00");
  EXPECT_EQ(window.ActiveForSeconds(Local(2026, 7, 7, 10)), Seconds(minutes(30)));
  EXPECT_EQ(window.ActiveForSeconds(Local(2026, 7, 7, 9, 29)), 0);
  EXPECT_EQ(window.ActiveForSeconds(Local(2026, 7, 7, 16)), 0);
  EXPECT_EQ(window.ActiveForSeconds(Local(2026, 7, 3, 10)), 0);  // holiday
}

TEST(ActiveWindowTest, ActiveForWalksBackOverMidnightAndBusinessDays) {
  // Overnight: one period from 20:00 to 04:00.
  const ActiveWindow overnight(nullptr, NewYork(), "20:00-24:00, 00:00-04:00");
  EXPECT_EQ(overnight.ActiveForSeconds(Local(2026, 7, 8, 2)), Seconds(hours(6)));
  EXPECT_EQ(overnight.ActiveForSeconds(Local(2026, 7, 8, 21)), Seconds(hours(1)));
  // Around the clock on business days: open since Monday 00:00 on Tuesday.
  const ActiveWindow business_days(Xnys(), nullptr, "00:00-24:00");
  EXPECT_EQ(business_days.ActiveForSeconds(Local(2026, 7, 14, 10)), Seconds(hours(34)));
  EXPECT_EQ(business_days.ActiveForSeconds(Local(2026, 7, 13, 10)), Seconds(hours(10)));
  // After the Friday holiday and the weekend, Monday starts a new period.
  EXPECT_EQ(business_days.ActiveForSeconds(Local(2026, 7, 6, 1)), Seconds(hours(1)));
  // Without a calendar, around the clock is open for good.
  const ActiveWindow always(nullptr, NewYork(), "00:00-24:00");
  EXPECT_TRUE(std::isinf(always.ActiveForSeconds(Local(2026, 7, 6, 1))));
}

TEST(ActiveWindowTest, ActiveForIsRealTimeAcrossASkippedHour) {
  // 2026-03-08 02:00 New York does not exist: 20:00 EST to 03:00 EDT is 6 hours, not 7.
  const ActiveWindow overnight(nullptr, NewYork(), "20:00-24:00, 00:00-04:00");
  EXPECT_EQ(overnight.ActiveForSeconds(Local(2026, 3, 8, 3)), Seconds(hours(6)));
}

TEST(ActiveWindowTest, NextOpeningSkipsClosedDays) {
  const ActiveWindow window(Xnys(), nullptr, "09:30-16:00");
  EXPECT_EQ(window.NextOpening(Local(2026, 7, 2, 17)),
            Local(2026, 7, 6, 9, 30));  // over the holiday
  EXPECT_EQ(window.NextOpening(Local(2026, 7, 7, 8)), Local(2026, 7, 7, 9, 30));
  const ActiveWindow overnight(nullptr, NewYork(), "20:00-24:00, 00:00-04:00");
  // The 00:00 range continues the evening before: the next opening is 20:00.
  EXPECT_EQ(overnight.NextOpening(Local(2026, 7, 7, 10)), Local(2026, 7, 7, 20));
}

TEST(ActiveWindowTest, NeverOpenWithinLooksAtHoursAndBusinessDays) {
  const TimePoint now = Local(2026, 7, 7, 10);
  EXPECT_TRUE(ActiveWindow(nullptr, NewYork(), "").NeverOpenWithin(now, 14));
  EXPECT_FALSE(ActiveWindow(Xnys(), nullptr, "09:30-16:00").NeverOpenWithin(now, 14));
  auto closed = std::make_shared<const Calendar>(
      "closed", "America/New_York", std::set<unsigned>{0, 1, 2, 3, 4, 5, 6},
      std::map<date::sys_days, std::string>{}, std::nullopt);
  EXPECT_TRUE(ActiveWindow(closed, nullptr, "09:30-16:00").NeverOpenWithin(now, 14));
  // Fourteen holidays in a row close the window for the next 14 days, not for the 15th.
  std::map<date::sys_days, std::string> holidays;
  for (int i = 0; i < 14; ++i) holidays[Day(2026, 7, 7) + date::days(i)] = "closed";
  auto strike = std::make_shared<const Calendar>("strike", "America/New_York", std::set<unsigned>{},
                                                 holidays, std::nullopt);
  EXPECT_TRUE(ActiveWindow(strike, nullptr, "09:30-16:00").NeverOpenWithin(now, 14));
  EXPECT_FALSE(ActiveWindow(strike, nullptr, "09:30-16:00").NeverOpenWithin(now, 15));
}

TEST(MaintenanceWindowTest, OneOffIsHalfOpen) {
  const MaintenanceWindow window =
      MaintenanceWindow::OneOff(Local(2026, 7, 7, 2), Local(2026, 7, 7, 4), "check");
  EXPECT_FALSE(window.Contains(Local(2026, 7, 7, 1, 59)));
  EXPECT_TRUE(window.Contains(Local(2026, 7, 7, 2)));
  EXPECT_FALSE(window.Contains(Local(2026, 7, 7, 4)));
  EXPECT_EQ(window.EndOf(Local(2026, 7, 7, 3)), Local(2026, 7, 7, 4));
  EXPECT_EQ(window.EndOf(Local(2026, 7, 7, 5)), std::nullopt);
  EXPECT_FALSE(window.CoversAllTime());
}

TEST(MaintenanceWindowTest, RecurringOnWeekdaysInItsZone) {
  const MaintenanceWindow sundays = MaintenanceWindow::Recurring(
      {0}, DailyHours::Parse("02:00-04:00"), date::locate_zone("Europe/London"), "target ops");
  const auto london = [](unsigned d, int hour) {
    return date::locate_zone("Europe/London")
        ->to_sys(date::local_days(date::year{2026} / 7 / d) + hours(hour));
  };
  EXPECT_TRUE(sundays.Contains(london(12, 3)));   // Sunday 03:00 London
  EXPECT_FALSE(sundays.Contains(london(13, 3)));  // Monday
  EXPECT_FALSE(sundays.Contains(london(12, 4)));
  EXPECT_EQ(sundays.EndOf(london(12, 3)), london(12, 4));
  EXPECT_EQ(sundays.origin(), "target ops");
  EXPECT_TRUE(MaintenanceWindow::Recurring({0, 1, 2, 3, 4, 5, 6}, DailyHours::Parse("00:00-24:00"),
                                           NewYork(), "check")
                  .CoversAllTime());
  EXPECT_FALSE(MaintenanceWindow::Recurring({0, 1, 2, 3, 4, 5}, DailyHours::Parse("00:00-24:00"),
                                            NewYork(), "check")
                   .CoversAllTime());
}

}  // namespace
}  // namespace freshness
