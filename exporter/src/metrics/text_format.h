#pragma once

#include <prometheus/metric_type.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/labels.h"

namespace freshness {

// Prometheus text exposition (version 0.0.4), written straight into a string: what /metrics
// renders on every scrape, so nothing here allocates per value beyond the output itself.

// `{first...,own...,global...}` with escaped values (global labels the own ones repeat are left
// out); "" when there is no label at all.
std::string LabelBlock(const std::vector<std::pair<std::string, std::string>>& first,
                       const Labels& own, const Labels& global);
// "# HELP name help\n# TYPE name type\n".
void AppendFamilyHeader(std::string& out, std::string_view name, std::string_view help,
                        prometheus::MetricType type);
// "series value\n", series being name + label block.
void AppendSample(std::string& out, std::string_view name, std::string_view labels, double value);
// The shortest text that reads back as the same double; +Inf, -Inf, NaN.
void AppendValue(std::string& out, double value);

}  // namespace freshness
