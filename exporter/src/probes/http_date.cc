#include "probes/http_date.h"

#include <date/date.h>

#include <sstream>

namespace freshness {
namespace {

std::optional<TimePoint> ParseWith(const std::string& text, const char* format) {
  std::istringstream stream(text);
  date::sys_seconds parsed;
  stream >> date::parse(format, parsed);
  if (stream.fail()) return std::nullopt;
  stream >> std::ws;
  if (stream.peek() != std::char_traits<char>::eof()) return std::nullopt;
  return TimePoint(parsed);
}

}  // namespace

std::optional<TimePoint> ParseHttpDate(const std::string& text) {
  for (const char* format :
       {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    if (std::optional<TimePoint> parsed = ParseWith(text, format)) return parsed;
  }
  return std::nullopt;
}

std::string FormatHttpDate(TimePoint time) {
  return date::format("%a, %d %b %Y %H:%M:%S GMT", date::floor<std::chrono::seconds>(time));
}

}  // namespace freshness
