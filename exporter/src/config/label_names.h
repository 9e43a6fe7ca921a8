#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/labels.h"

namespace freshness {

// Label names no config may define: the exporter's own labels, those Prometheus sets, and those
// the rules join on or set. One list for global.labels, lag group_by columns and query labels.
const std::vector<std::string>& ReservedLabelNames();

// Why `name` cannot be a label name that comes from config, or nullopt when it can. Rules:
// [a-zA-Z_][a-zA-Z0-9_]*, no leading "__", not reserved, and (when `global_labels` is given,
// for group_by columns and query labels) not one of the global labels.
std::optional<std::string> LabelNameProblem(const std::string& name,
                                            const Labels* global_labels = nullptr);

// A name that would pass, to suggest in errors: "target" -> "target_name", "lane-id" -> "lane_id".
std::string SuggestLabelName(const std::string& name, const Labels* global_labels = nullptr);

// The whole error for a result column that cannot become a label, e.g.
// column "target" cannot be a label name: "target" is reserved (the rules join on it); rename it
// in SQL (e.g. AS target_name)
std::string ColumnLabelError(const std::string& column, const std::string& problem,
                             const Labels* global_labels);

}  // namespace freshness
