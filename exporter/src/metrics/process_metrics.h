#pragma once

#include <prometheus/metric_family.h>

#include <vector>

namespace freshness {

// process_* metrics as the Prometheus client libraries define them, read from /proc/self.
std::vector<prometheus::MetricFamily> CollectProcessMetrics();

}  // namespace freshness
