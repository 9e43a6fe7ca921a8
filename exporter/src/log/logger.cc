#include "log/logger.h"

#include <date/date.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>

#include "util/redact.h"

namespace freshness {
namespace {

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string LogfmtValue(const std::string& value) {
  bool needs_quotes = value.empty();
  for (char c : value) {
    if (c == ' ' || c == '=' || c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  return std::nullopt;
}

std::optional<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "logfmt") return LogFormat::kLogfmt;
  if (text == "json") return LogFormat::kJson;
  return std::nullopt;
}

Logger::Logger(LogLevel level, LogFormat format, std::ostream& out)
    : level_(level), format_(format), out_(out) {}

void Logger::Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  const std::string timestamp = date::format(
      "%FT%TZ", date::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()));
  std::string line;
  if (format_ == LogFormat::kJson) {
    nlohmann::json object;
    object["ts"] = timestamp;
    object["level"] = LevelName(level);
    object["msg"] = RedactSecrets(std::string(message));
    for (const auto& [key, value] : fields) object[std::string(key)] = RedactSecrets(value);
    line = object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = "ts=" + timestamp + " level=" + std::string(LevelName(level)) +
           " msg=" + LogfmtValue(RedactSecrets(std::string(message)));
    for (const auto& [key, value] : fields) {
      line += " " + std::string(key) + "=" + LogfmtValue(RedactSecrets(value));
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  out_ << line << '\n';
  out_.flush();
}

}  // namespace freshness
