#include "schedule/active_window.h"

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

ActiveWindow::ActiveWindow(std::shared_ptr<const Calendar> calendar, const date::time_zone* zone,
                           const std::string& hours)
    : calendar_(std::move(calendar)), zone_(zone) {
  if (calendar_ != nullptr) zone_ = calendar_->zone();
  if (zone_ == nullptr) zone_ = date::locate_zone("UTC");
  std::stringstream stream(hours);
  std::string part;
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
    ranges_.push_back(Range{begin, end});
  }
  if (ranges_.empty()) ranges_.push_back(Range{0, 24 * 60});
}

bool ActiveWindow::IsActive(TimePoint time) const {
  const auto local = zone_->to_local(time);
  const auto local_day = date::floor<date::days>(local);
  if (calendar_ != nullptr &&
      !calendar_->IsBusinessDay(date::sys_days(local_day.time_since_epoch()))) {
    return false;
  }
  const int minute_of_day =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - local_day).count());
  for (const Range& range : ranges_) {
    if (minute_of_day >= range.begin_minute && minute_of_day < range.end_minute) return true;
  }
  return false;
}

}  // namespace freshness
