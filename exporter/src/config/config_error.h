#pragma once

#include <stdexcept>
#include <string>

namespace freshness {

// Where a value sits in a config file, 1-based as editors count.
struct SourceMark {
  std::string file;
  int line = 0;
  int column = 0;
};

// A configuration or startup error that names file, line, column and the offending key, e.g.
// "freshness.yml:12:14: checks[2].window: invalid duration \"10x\"".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const SourceMark& mark, const std::string& key, const std::string& message);
  // A file-level error without a position (unreadable file, empty document).
  ConfigError(const std::string& file, const std::string& message);

  const SourceMark& mark() const noexcept { return mark_; }
  const std::string& key() const noexcept { return key_; }
  // The message without the "file:line:column: " prefix, for table-driven tests.
  const std::string& detail() const noexcept { return detail_; }

 private:
  SourceMark mark_;
  std::string key_;
  std::string detail_;
};

}  // namespace freshness
