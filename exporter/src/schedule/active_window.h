#pragma once

#include <memory>
#include <string>
#include <vector>

#include "schedule/calendar.h"
#include "util/clock.h"

namespace freshness {

// When a check is expected to see data: business days of a calendar (if any) and daily hours
// ("09:30-16:00", several separated by commas) in the calendar's zone. Outside it, lag alerts
// stay quiet (freshness_check_active 0).
class ActiveWindow {
 public:
  // Throws std::invalid_argument for malformed hours.
  ActiveWindow(std::shared_ptr<const Calendar> calendar, const date::time_zone* zone,
               const std::string& hours);

  bool IsActive(TimePoint time) const;
  const Calendar* calendar() const { return calendar_.get(); }

 private:
  struct Range {
    int begin_minute;  // inclusive, minutes after local midnight
    int end_minute;    // exclusive
  };

  std::shared_ptr<const Calendar> calendar_;
  const date::time_zone* zone_;
  std::vector<Range> ranges_;
};

}  // namespace freshness
