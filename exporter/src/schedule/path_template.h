#pragma once

#include <date/date.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace freshness {

// A source location with `{as_of:FMT}` placeholders, FMT a strftime date format
// ("s3://b/{as_of:%Y/%m/%d}/x.json"). Parsed once at config time; expanded per slot.
class PathTemplate {
 public:
  // Longest expansion accepted; longer results fail to expand (probe_failed, not a crash).
  static constexpr std::size_t kMaxExpandedLength = 4096;

  // Throws std::invalid_argument for an unknown placeholder, an unclosed brace or a format
  // with conversions other than date fields.
  explicit PathTemplate(std::string text);

  const std::string& text() const { return text_; }
  // True when the location depends on the slot's partition date.
  bool dated() const { return dated_; }
  // nullopt when the expansion fails (too long).
  std::optional<std::string> Expand(date::sys_days as_of) const;

 private:
  struct DateField {
    std::string format;
  };
  std::string text_;
  std::vector<std::variant<std::string, DateField>> parts_;
  bool dated_ = false;
};

}  // namespace freshness
