#include "schedule/calendar.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

namespace freshness {

Calendar::Calendar(std::string name, const std::string& zone_name, std::set<unsigned> weekend_days,
                   std::map<date::sys_days, std::string> holidays,
                   std::optional<date::sys_days> valid_through)
    : name_(std::move(name)),
      zone_(nullptr),
      weekend_days_(std::move(weekend_days)),
      holidays_(std::move(holidays)),
      valid_through_(valid_through) {
  try {
    zone_ = date::locate_zone(zone_name);
  } catch (const std::exception&) {
    throw std::invalid_argument("unknown time zone \"" + zone_name + "\"");
  }
}

bool Calendar::IsBusinessDay(date::sys_days day) const {
  const unsigned weekday = date::weekday(day).c_encoding();
  if (weekend_days_.count(weekday) != 0) return false;
  return holidays_.count(day) == 0;
}

bool Calendar::IsPastValidThrough(date::sys_days day) const {
  return valid_through_.has_value() && day > *valid_through_;
}

date::sys_days Calendar::LocalDay(TimePoint time) const {
  const auto local = zone_->to_local(time);
  return date::sys_days(date::floor<date::days>(local).time_since_epoch());
}

std::optional<date::sys_days> ParseIsoDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 4 || i == 7) continue;
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  const int year = std::stoi(text.substr(0, 4));
  const unsigned month = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  const unsigned day = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  const date::year_month_day ymd{date::year{year}, date::month{month}, date::day{day}};
  if (!ymd.ok()) return std::nullopt;
  return date::sys_days(ymd);
}

std::optional<unsigned> ParseWeekday(const std::string& text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const char* const kNames[] = {"sunday",   "monday", "tuesday", "wednesday",
                                       "thursday", "friday", "saturday"};
  for (unsigned i = 0; i < 7; ++i) {
    const std::string full = kNames[i];
    if (lower == full || (lower.size() == 3 && full.compare(0, 3, lower) == 0)) return i;
  }
  return std::nullopt;
}

}  // namespace freshness
