// --web.config.file parsing: loads or throws ConfigError.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/config_error.h"
#include "http/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("freshness-fuzz-web-" + std::to_string(::getpid()) + ".yml"))
                                      .string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    freshness::LoadWebConfig(path);
  } catch (const freshness::ConfigError&) {
  }
  return 0;
}
