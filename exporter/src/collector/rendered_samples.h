#pragma once

#include <prometheus/metric_type.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"

namespace freshness {

// A check's samples with their series text (name and labels, escaped) written once, when they
// are collected: a scrape then only writes the values, ages computed at the scrape's instant.
struct RenderedSamples {
  struct Line {
    std::string series;  // name{labels}
    double value = 0;
    std::optional<double> since_unix_seconds;  // an age: the value is now - since
    bool non_negative = false;

    double ValueAt(double now_unix) const;
  };
  // Lines grouped by metric, in the order the metrics first appear.
  struct Family {
    std::string name;
    std::string help;
    prometheus::MetricType type = prometheus::MetricType::Gauge;
    std::vector<Line> lines;
  };
  std::vector<Family> families;
};

// `samples` of check `check_name`, with the check's own label first and the global labels last;
// help and type from `descriptors` (the metric's name when it has none).
std::shared_ptr<const RenderedSamples> RenderSamples(
    const std::vector<Sample>& samples, const std::vector<MetricDescriptor>& descriptors,
    const std::string& check_name, const Labels& global);

}  // namespace freshness
