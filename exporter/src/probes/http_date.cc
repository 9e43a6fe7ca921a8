#include "probes/http_date.h"

#include <date/date.h>

#include <array>
#include <regex>
#include <string>

#include "util/civil_time.h"

namespace freshness {
namespace {

int MonthNumber(const std::string& name) {
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (name == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

}  // namespace

std::optional<TimePoint> ParseHttpDate(const std::string& raw) {
  // Fields are read by hand: date::parse has undefined behaviour on some malformed input.
  std::string text = raw;
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.pop_back();
  }
  static const std::regex kImfFixdate(
      R"(^[A-Z][a-z]{2}, ([0-9]{2}) ([A-Z][a-z]{2}) ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT$)");
  static const std::regex kRfc850(
      R"(^[A-Z][a-z]{5,8}, ([0-9]{2})-([A-Z][a-z]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT$)");
  static const std::regex kAsctime(
      R"(^[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ 0-9][0-9]) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([0-9]{4})$)");
  CivilTime civil;
  std::smatch match;
  if (std::regex_match(text, match, kImfFixdate)) {
    civil.day = std::stoi(match[1]);
    civil.month = MonthNumber(match[2]);
    civil.year = std::stoi(match[3]);
    civil.hour = std::stoi(match[4]);
    civil.minute = std::stoi(match[5]);
    civil.second = std::stoi(match[6]);
  } else if (std::regex_match(text, match, kRfc850)) {
    civil.day = std::stoi(match[1]);
    civil.month = MonthNumber(match[2]);
    const int two_digit_year = std::stoi(match[3]);
    civil.year = two_digit_year < 70 ? 2000 + two_digit_year : 1900 + two_digit_year;
    civil.hour = std::stoi(match[4]);
    civil.minute = std::stoi(match[5]);
    civil.second = std::stoi(match[6]);
  } else if (std::regex_match(text, match, kAsctime)) {
    civil.month = MonthNumber(match[1]);
    civil.day = std::stoi(match[2].str()[0] == ' ' ? match[2].str().substr(1) : match[2].str());
    civil.hour = std::stoi(match[3]);
    civil.minute = std::stoi(match[4]);
    civil.second = std::stoi(match[5]);
    civil.year = std::stoi(match[6]);
  } else {
    return std::nullopt;
  }
  if (civil.month == 0) return std::nullopt;
  return ToTimePoint(civil);
}

std::string FormatHttpDate(TimePoint time) {
  return date::format("%a, %d %b %Y %H:%M:%S GMT", date::floor<std::chrono::seconds>(time));
}

}  // namespace freshness
