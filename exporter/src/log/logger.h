#pragma once

#include <initializer_list>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace freshness {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kLogfmt, kJson };

std::optional<LogLevel> ParseLogLevel(std::string_view text);
std::optional<LogFormat> ParseLogFormat(std::string_view text);

using LogField = std::pair<std::string_view, std::string>;

// Structured logs, one line per event, in logfmt or JSON. Every value passes through
// RedactSecrets, so a password that slips into an error text still never reaches the log.
class Logger {
 public:
  Logger(LogLevel level, LogFormat format, std::ostream& out);

  void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});
  void Debug(std::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kDebug, message, fields);
  }
  void Info(std::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kInfo, message, fields);
  }
  void Warn(std::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kWarn, message, fields);
  }
  void Error(std::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kError, message, fields);
  }
  bool Enabled(LogLevel level) const { return level >= level_; }

 private:
  LogLevel level_;
  LogFormat format_;
  std::ostream& out_;
  std::mutex mutex_;
};

}  // namespace freshness
