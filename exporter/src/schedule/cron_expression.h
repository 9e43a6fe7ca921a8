#pragma once

#include <bitset>
#include <string>
#include <vector>

namespace freshness {

// A standard 5-field cron expression: minute hour day-of-month month day-of-week, with
// `*`, lists, ranges, steps and names (jan..dec, sun..sat; 7 is Sunday too). As in Vixie cron,
// when both day fields are restricted a day matches if either matches. The expression says
// nothing about time zones: ScheduleEvaluator applies it to local times of a zone.
class CronExpression {
 public:
  // Throws std::invalid_argument with a message naming the bad field.
  explicit CronExpression(const std::string& text);

  const std::string& text() const { return text_; }
  // `weekday` is 0 = Sunday; all arguments are calendar values (month 1-12, day 1-31).
  bool MatchesDay(unsigned month, unsigned day_of_month, unsigned weekday) const;
  // Minutes after local midnight at which the expression fires on a matching day, ascending.
  const std::vector<int>& MinutesOfDay() const { return minutes_of_day_; }

 private:
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;
  std::bitset<13> months_;
  std::bitset<8> weekdays_;
  bool day_of_month_restricted_ = false;
  bool weekday_restricted_ = false;
  std::vector<int> minutes_of_day_;
};

}  // namespace freshness
