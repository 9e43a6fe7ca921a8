#pragma once

#include <optional>
#include <string>

#include "collector/collector.h"
#include "util/clock.h"

namespace freshness {

// Reload status, owned by the app and shown on /metrics.
struct ReloadStatus {
  bool last_reload_successful = true;
  std::optional<double> last_success_unix;
};

// Renders /metrics from the collector's last results at `now`: ages (lag, run age, artifact
// age) are computed here, at scrape time. Touches no database and no object store.
std::string RenderExposition(const Collector& collector, const ReloadStatus& reload, TimePoint now);

}  // namespace freshness
