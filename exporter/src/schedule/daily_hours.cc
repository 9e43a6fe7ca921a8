#include "schedule/daily_hours.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

namespace freshness {
namespace {

int ParseClock(const std::string& text) {
  if (text.size() != 5 || text[2] != ':' || !std::isdigit(static_cast<unsigned char>(text[0])) ||
      !std::isdigit(static_cast<unsigned char>(text[1])) ||
      !std::isdigit(static_cast<unsigned char>(text[3])) ||
      !std::isdigit(static_cast<unsigned char>(text[4]))) {
    throw std::invalid_argument("invalid time \"" + text + "\" (expected HH:MM)");
  }
  const int hour = std::stoi(text.substr(0, 2));
  const int minute = std::stoi(text.substr(3, 2));
  if (hour > 24 || minute > 59 || (hour == 24 && minute != 0)) {
    throw std::invalid_argument("invalid time \"" + text + "\"");
  }
  return hour * 60 + minute;
}

std::string Trim(const std::string& text) {
  const auto begin = text.find_first_not_of(' ');
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(' ') - begin + 1);
}

}  // namespace

DailyHours DailyHours::Parse(const std::string& text) {
  DailyHours hours;
  if (Trim(text).empty()) return hours;
  std::stringstream stream(text);
  std::string part;
  std::vector<Range> ranges;
  while (std::getline(stream, part, ',')) {
    part = Trim(part);
    const auto dash = part.find('-');
    if (dash == std::string::npos) {
      throw std::invalid_argument("invalid hours \"" + part + "\" (expected HH:MM-HH:MM)");
    }
    const int begin = ParseClock(Trim(part.substr(0, dash)));
    const int end = ParseClock(Trim(part.substr(dash + 1)));
    if (end <= begin) {
      throw std::invalid_argument("invalid hours \"" + part + "\" (end must be after start)");
    }
    ranges.push_back(Range{begin, end});
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.begin_minute < b.begin_minute; });
  for (const Range& range : ranges) {
    if (!hours.ranges_.empty() && range.begin_minute <= hours.ranges_.back().end_minute) {
      hours.ranges_.back().end_minute = std::max(hours.ranges_.back().end_minute, range.end_minute);
    } else {
      hours.ranges_.push_back(range);
    }
  }
  return hours;
}

const DailyHours::Range* DailyHours::RangeAt(int minute_of_day) const {
  for (const Range& range : ranges_) {
    if (minute_of_day >= range.begin_minute && minute_of_day < range.end_minute) return &range;
  }
  return nullptr;
}

bool DailyHours::Contains(int minute_of_day) const { return RangeAt(minute_of_day) != nullptr; }

bool DailyHours::WholeDay() const {
  return ranges_.size() == 1 && ranges_[0].begin_minute == 0 &&
         ranges_[0].end_minute == kMinutesPerDay;
}

}  // namespace freshness
