#pragma once

#include <string>
#include <vector>

namespace freshness {

// Daily local hours such as "09:30-16:00" or "04:00-09:30, 16:00-20:00" (24:00 ends a day).
// Ranges are kept sorted, and overlapping or touching ones merged, so each range is a
// contiguous period.
class DailyHours {
 public:
  struct Range {
    int begin_minute;  // inclusive, minutes after local midnight
    int end_minute;    // exclusive
  };
  static constexpr int kMinutesPerDay = 24 * 60;

  // Throws std::invalid_argument for malformed text. An empty text gives no range at all.
  static DailyHours Parse(const std::string& text);

  bool Contains(int minute_of_day) const;
  // The range holding `minute_of_day`, or null.
  const Range* RangeAt(int minute_of_day) const;
  const std::vector<Range>& ranges() const { return ranges_; }
  bool empty() const { return ranges_.empty(); }
  bool WholeDay() const;
  bool EndsAtMidnight() const { return !empty() && ranges_.back().end_minute == kMinutesPerDay; }
  bool StartsAtMidnight() const { return !empty() && ranges_.front().begin_minute == 0; }

 private:
  std::vector<Range> ranges_;
};

}  // namespace freshness
