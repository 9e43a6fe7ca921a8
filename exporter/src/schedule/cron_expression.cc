#include "schedule/cron_expression.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace freshness {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::vector<std::string> names;  // names[i] stands for min + i
};

const FieldSpec kMinute{"minute", 0, 59, {}};
const FieldSpec kHour{"hour", 0, 23, {}};
const FieldSpec kDayOfMonth{"day-of-month", 1, 31, {}};
const FieldSpec kMonth{
    "month",
    1,
    12,
    {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}};
const FieldSpec kWeekday{"day-of-week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}};

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : text) {
    if (c == separator) {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

[[noreturn]] void FailField(const FieldSpec& spec, const std::string& text,
                            const std::string& why) {
  throw std::invalid_argument(std::string(spec.name) + " field \"" + text + "\": " + why);
}

std::optional<int> ParseValue(const FieldSpec& spec, const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (text.size() > 2) return std::nullopt;
    return std::stoi(text);
  }
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < spec.names.size(); ++i) {
    if (spec.names[i] == lower) return spec.min + static_cast<int>(i);
  }
  return std::nullopt;
}

// Returns whether the field restricts anything (is not a bare `*`).
template <std::size_t N>
bool ParseField(const FieldSpec& spec, const std::string& text, std::bitset<N>& bits) {
  if (text.empty()) FailField(spec, text, "empty");
  bool restricted = false;
  for (const std::string& item : Split(text, ',')) {
    if (item.empty()) FailField(spec, text, "empty list item");
    const std::vector<std::string> step_parts = Split(item, '/');
    if (step_parts.size() > 2) FailField(spec, text, "more than one '/'");
    int step = 1;
    if (step_parts.size() == 2) {
      const std::optional<int> parsed = ParseValue(FieldSpec{spec.name, 0, 99, {}}, step_parts[1]);
      if (!parsed || *parsed <= 0) FailField(spec, text, "invalid step \"" + step_parts[1] + "\"");
      step = *parsed;
    }
    const std::string& range = step_parts[0];
    int low = spec.min;
    int high = spec.max;
    if (range == "*") {
      if (step_parts.size() == 1) {
        for (int value = spec.min; value <= spec.max; ++value)
          bits.set(static_cast<std::size_t>(value));
        continue;
      }
    } else {
      restricted = true;
      const std::vector<std::string> bounds = Split(range, '-');
      if (bounds.size() > 2) FailField(spec, text, "invalid range \"" + range + "\"");
      const std::optional<int> first = ParseValue(spec, bounds[0]);
      if (!first) FailField(spec, text, "invalid value \"" + bounds[0] + "\"");
      low = *first;
      high = *first;
      if (bounds.size() == 2) {
        const std::optional<int> last = ParseValue(spec, bounds[1]);
        if (!last) FailField(spec, text, "invalid value \"" + bounds[1] + "\"");
        high = *last;
      } else if (step_parts.size() == 2) {
        high = spec.max;  // "5/15" means from 5 to the end in steps of 15
      }
    }
    if (low < spec.min || high > spec.max) {
      FailField(spec, text,
                "out of range " + std::to_string(spec.min) + "-" + std::to_string(spec.max));
    }
    if (low > high) FailField(spec, text, "range runs backwards");
    if (range == "*") restricted = true;  // "*/2" restricts
    for (int value = low; value <= high; value += step) bits.set(static_cast<std::size_t>(value));
  }
  return restricted;
}

}  // namespace

CronExpression::CronExpression(const std::string& text) : text_(text) {
  std::istringstream stream(text);
  std::vector<std::string> fields;
  for (std::string field; stream >> field;) fields.push_back(field);
  if (fields.size() != 5) {
    throw std::invalid_argument(
        "expected 5 fields (minute hour day-of-month month day-of-week), got " +
        std::to_string(fields.size()));
  }
  ParseField(kMinute, fields[0], minutes_);
  ParseField(kHour, fields[1], hours_);
  day_of_month_restricted_ = ParseField(kDayOfMonth, fields[2], days_of_month_);
  ParseField(kMonth, fields[3], months_);
  weekday_restricted_ = ParseField(kWeekday, fields[4], weekdays_);
  if (weekdays_.test(7)) weekdays_.set(0);  // 7 is Sunday as well
  for (int hour = 0; hour < 24; ++hour) {
    if (!hours_.test(static_cast<std::size_t>(hour))) continue;
    for (int minute = 0; minute < 60; ++minute) {
      if (minutes_.test(static_cast<std::size_t>(minute)))
        minutes_of_day_.push_back(hour * 60 + minute);
    }
  }
}

bool CronExpression::MatchesDay(unsigned month, unsigned day_of_month, unsigned weekday) const {
  if (month > 12 || !months_.test(month)) return false;
  const bool day_matches = day_of_month <= 31 && days_of_month_.test(day_of_month);
  const bool weekday_matches = weekday <= 7 && weekdays_.test(weekday);
  if (day_of_month_restricted_ && weekday_restricted_) return day_matches || weekday_matches;
  return day_matches && weekday_matches;
}

}  // namespace freshness
