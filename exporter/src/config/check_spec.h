#pragma once

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config_error.h"
#include "schedule/active_window.h"
#include "schedule/maintenance_window.h"
#include "util/clock.h"
#include "util/duration.h"

namespace freshness {

// The keys every check has, whatever its kind.
struct CheckSpec {
  std::string name;
  std::string kind;
  std::string target;  // empty for kinds that read no database (artifact)
  Duration interval{15'000};
  Duration timeout{5'000};
  std::string mode = "enforce";                // enforce | observe
  std::shared_ptr<const ActiveWindow> active;  // null: always active
  // The check's own maintenance windows, then its target's.
  std::vector<std::shared_ptr<const MaintenanceWindow>> maintenance;
  // `slo: {objective, window}`: the share of counting instants (see Check::CountsForSlo) in which
  // the check is within its warning tier, over the window (docs/slo.md).
  struct Slo {
    double objective = 0;  // a ratio, 0 < objective < 1
    Duration window{0};
  };
  std::optional<Slo> slo;
  SourceMark mark;

  bool IsActive(TimePoint now) const { return active == nullptr || active->IsActive(now); }
  // Seconds since the current active period began: +Inf without `active`, 0 outside it.
  double ActiveForSeconds(TimePoint now) const {
    return active == nullptr ? std::numeric_limits<double>::infinity()
                             : active->ActiveForSeconds(now);
  }
  // The maintenance window `now` is in, if any.
  const MaintenanceWindow* MaintenanceAt(TimePoint now) const {
    for (const auto& window : maintenance) {
      if (window->Contains(now)) return window.get();
    }
    return nullptr;
  }
};

}  // namespace freshness
