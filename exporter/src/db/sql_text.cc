#include "db/sql_text.h"

#include <date/date.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "schedule/calendar.h"

namespace freshness {
namespace {

const std::regex kIdentifier("^[A-Za-z_][A-Za-z0-9_$]*$");

}  // namespace

std::optional<std::string> QuoteColumnName(const std::string& name) {
  if (!std::regex_match(name, kIdentifier)) return std::nullopt;
  return "\"" + name + "\"";
}

std::optional<std::string> QuoteQualifiedName(const std::string& dotted) {
  std::string out;
  std::size_t start = 0;
  int parts = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', start);
    const std::string part =
        dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const std::optional<std::string> quoted = QuoteColumnName(part);
    if (!quoted || ++parts > 3) return std::nullopt;
    out += (out.empty() ? "" : ".") + *quoted;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

std::string WindowStartSql(Duration window) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(window).count();
  return "now() - interval '" + std::to_string(seconds) + " seconds'";
}

std::optional<double> ParseSqlNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (text == "NaN") return std::nan("");
  if (text == "Infinity") return HUGE_VAL;
  if (text == "-Infinity") return -HUGE_VAL;
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == nullptr || *end != '\0' || errno == ERANGE) return std::nullopt;
  // strtod accepts "inf"/"nan" spellings and hex; PostgreSQL never prints those for numbers.
  for (char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c)) && c != 'e' && c != 'E') return std::nullopt;
  }
  return value;
}

std::optional<double> ParseSqlTimestamp(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (text == "infinity") return HUGE_VAL;
  if (text == "-infinity") return -HUGE_VAL;
  if (text.size() < 10 || text[4] != '-') return ParseSqlNumber(text);
  // Split "YYYY-MM-DD[ HH:MM:SS[.ffffff]][+HH[:MM]]".
  const std::optional<date::sys_days> day = ParseIsoDate(text.substr(0, 10));
  if (!day) return std::nullopt;
  double seconds = std::chrono::duration<double>(day->time_since_epoch()).count();
  if (text.size() == 10) return seconds;
  std::size_t pos = 10;
  if (text[pos] != ' ' && text[pos] != 'T') return std::nullopt;
  ++pos;
  if (text.size() < pos + 8 || text[pos + 2] != ':' || text[pos + 5] != ':') return std::nullopt;
  for (std::size_t i : {0, 1, 3, 4, 6, 7}) {
    if (!std::isdigit(static_cast<unsigned char>(text[pos + i]))) return std::nullopt;
  }
  const int hour = std::stoi(text.substr(pos, 2));
  const int minute = std::stoi(text.substr(pos + 3, 2));
  const int second = std::stoi(text.substr(pos + 6, 2));
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  seconds += hour * 3600 + minute * 60 + second;
  pos += 8;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t start = pos;
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos == start + 1) return std::nullopt;
    seconds += std::strtod(text.substr(start, pos - start).c_str(), nullptr);
  }
  if (pos == text.size()) return seconds;
  const char sign = text[pos];
  if (sign != '+' && sign != '-') return std::nullopt;
  ++pos;
  int offset_seconds = 0;
  const std::string offset = text.substr(pos);
  if (offset.size() >= 2 && std::isdigit(static_cast<unsigned char>(offset[0])) &&
      std::isdigit(static_cast<unsigned char>(offset[1]))) {
    offset_seconds = std::stoi(offset.substr(0, 2)) * 3600;
    std::size_t rest = 2;
    while (rest + 3 <= offset.size() && offset[rest] == ':') {
      if (!std::isdigit(static_cast<unsigned char>(offset[rest + 1])) ||
          !std::isdigit(static_cast<unsigned char>(offset[rest + 2]))) {
        return std::nullopt;
      }
      const int part = std::stoi(offset.substr(rest + 1, 2));
      offset_seconds += rest == 2 ? part * 60 : part;
      rest += 3;
    }
    if (rest != offset.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  return sign == '+' ? seconds - offset_seconds : seconds + offset_seconds;
}

}  // namespace freshness
