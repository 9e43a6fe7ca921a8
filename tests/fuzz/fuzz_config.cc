// The config loader takes any bytes: it either loads or throws ConfigError, nothing else.
// YAML reaches every parser behind it: durations, cron, calendars, templates, SQL identifiers.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config_error.h"
#include "loader/config_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    freshness::LoadConfigString(text, "fuzz.yml");
  } catch (const freshness::ConfigError&) {
  }
  return 0;
}
