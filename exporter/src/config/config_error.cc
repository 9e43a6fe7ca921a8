#include "config/config_error.h"

namespace freshness {
namespace {

std::string Position(const SourceMark& mark) {
  return mark.file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
}

}  // namespace

ConfigError::ConfigError(const SourceMark& mark, const std::string& key, const std::string& message)
    : std::runtime_error(Position(mark) + ": " + (key.empty() ? message : key + ": " + message)),
      mark_(mark),
      key_(key),
      detail_(key.empty() ? message : key + ": " + message) {}

ConfigError::ConfigError(const std::string& file, const std::string& message)
    : std::runtime_error(file + ": " + message), mark_{file, 0, 0}, detail_(message) {}

}  // namespace freshness
