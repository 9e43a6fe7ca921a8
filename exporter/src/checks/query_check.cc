#include "checks/query_check.h"

#include <regex>
#include <set>

#include "checks/check_registry.h"
#include "config/label_names.h"
#include "db/database.h"
#include "db/sql_text.h"
#include "metrics/metric_names.h"
#include "util/check_error.h"

namespace freshness {
namespace {

const std::regex kMetricName("^[a-zA-Z_:][a-zA-Z0-9_:]*$");

std::string FormatNumber(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

std::string SeriesText(const std::string& name, const Labels& labels) {
  std::string out = name;
  std::string inner;
  for (const auto& [label, value] : labels) {
    inner += (inner.empty() ? "" : ",") + label + "=\"" + value + "\"";
  }
  return inner.empty() ? out : out + "{" + inner + "}";
}

// One breached threshold of a series: its level, how it reads, and how far beyond it the
// value is (to pick the worst series).
struct Breach {
  Level level = Level::kOk;
  std::string text;  // "< error_below -1000"
  double distance = 0;
};

Breach Judge(const QueryCheck::MetricMapping& mapping, double value) {
  Breach breach;
  const auto consider = [&](const std::optional<double>& tier, Level level, bool above,
                            const char* key) {
    if (!tier) return;
    const bool beyond = above ? value > *tier : value < *tier;
    if (!beyond || level < breach.level) return;
    const double distance = above ? value - *tier : *tier - value;
    if (level == breach.level && distance <= breach.distance) return;
    breach =
        Breach{level, std::string(above ? "> " : "< ") + key + " " + FormatNumber(*tier), distance};
  };
  consider(mapping.warn_above, Level::kWarning, true, "warn_above");
  consider(mapping.warn_below, Level::kWarning, false, "warn_below");
  consider(mapping.error_above, Level::kCritical, true, "error_above");
  consider(mapping.error_below, Level::kCritical, false, "error_below");
  return breach;
}

std::size_t ColumnIndex(const QueryResult& result, const std::string& column) {
  for (std::size_t i = 0; i < result.columns.size(); ++i) {
    if (result.columns[i] == column) return i;
  }
  throw CheckError(ErrorReason::kQuery, "column \"" + column + "\" is not in the result");
}

}  // namespace

QueryCheck::QueryCheck(CheckSpec spec, std::string sql, std::vector<MetricMapping> metrics,
                       int max_series)
    : Check(std::move(spec)),
      sql_(std::move(sql)),
      metrics_(std::move(metrics)),
      max_series_(max_series) {}

std::vector<MetricDescriptor> QueryCheck::Descriptors() const {
  std::vector<MetricDescriptor> out;
  for (const MetricMapping& mapping : metrics_) out.push_back({mapping.name, mapping.help});
  out.push_back({metric::kQueryThreshold,
                 "A threshold declared on a query check's gauge (metric): alert when the gauge is "
                 "above or below (direction) the value."});
  return out;
}

Observation QueryCheck::Collect(const CollectContext& context) {
  const QueryResult result = context.database->Query(sql_, context.budget);
  if (static_cast<int>(result.rows.size()) > max_series_) {
    throw CheckError(ErrorReason::kQuery, "query returned " + std::to_string(result.rows.size()) +
                                              " rows, more than max_series " +
                                              std::to_string(max_series_));
  }
  Observation observation;
  for (const MetricMapping& mapping : metrics_) {
    const std::size_t value_index = ColumnIndex(result, mapping.value_column);
    std::vector<std::size_t> label_indexes;
    for (const std::string& label : mapping.label_columns) {
      label_indexes.push_back(ColumnIndex(result, label));
    }
    std::set<Labels> seen;
    for (const Row& row : result.rows) {
      Labels labels;
      for (std::size_t i = 0; i < label_indexes.size(); ++i) {
        labels[mapping.label_columns[i]] = row[label_indexes[i]].value_or("");
      }
      if (!seen.insert(labels).second) {
        throw CheckError(ErrorReason::kQuery,
                         "metric " + mapping.name + ": two rows with the same label values");
      }
      // NULL means "no value": skip the series rather than invent one.
      if (!row[value_index]) continue;
      std::optional<double> value = ParseSqlNumber(*row[value_index]);
      if (!value && (*row[value_index] == "t" || *row[value_index] == "f")) {
        value = *row[value_index] == "t" ? 1.0 : 0.0;
      }
      if (!value) {
        throw CheckError(ErrorReason::kQuery, "metric " + mapping.name + ": column \"" +
                                                  mapping.value_column + "\" is not numeric");
      }
      observation.samples.push_back(Sample{mapping.name, std::move(labels), *value, {}});
    }
  }
  return observation;
}

CheckSummary QueryCheck::Summarize(const Observation& observation, TimePoint) const {
  CheckSummary summary;
  summary.state = "ok";
  if (observation.samples.size() == 1) {
    summary.value =
        observation.samples[0].metric + "=" + FormatNumber(observation.samples[0].value);
  } else {
    summary.value = std::to_string(observation.samples.size()) + " series";
  }
  Breach worst;
  const Sample* worst_sample = nullptr;
  int breaching = 0;
  bool any_thresholds = false;
  for (const Sample& sample : observation.samples) {
    for (const MetricMapping& mapping : metrics_) {
      if (mapping.name != sample.metric) continue;
      any_thresholds = any_thresholds || mapping.HasThresholds();
      const Breach breach = Judge(mapping, sample.value);
      if (breach.level == Level::kOk) continue;
      ++breaching;
      if (breach.level > worst.level ||
          (breach.level == worst.level && breach.distance > worst.distance)) {
        worst = breach;
        worst_sample = &sample;
      }
    }
  }
  summary.level = worst.level;
  if (worst_sample == nullptr) {
    summary.reason = summary.value + (any_thresholds ? ", every series within its thresholds" : "");
    return summary;
  }
  summary.state = "breach";
  summary.worst = WorstSeries{worst_sample->metric, worst_sample->labels, worst_sample->value,
                              FormatNumber(worst_sample->value)};
  summary.reason = SeriesText(worst_sample->metric, worst_sample->labels) + " " +
                   FormatNumber(worst_sample->value) + " " + worst.text;
  if (breaching > 1) {
    summary.reason += "; " + std::to_string(breaching) + " series over a threshold";
  }
  return summary;
}

std::vector<Sample> QueryCheck::ConfigSamples() const {
  std::vector<Sample> samples;
  for (const MetricMapping& mapping : metrics_) {
    const auto add = [&](const std::optional<double>& tier, const char* severity,
                         const char* direction) {
      if (!tier) return;
      samples.push_back(
          Sample{metric::kQueryThreshold,
                 {{"metric", mapping.name}, {"severity", severity}, {"direction", direction}},
                 *tier});
    };
    add(mapping.warn_above, "warning", "above");
    add(mapping.error_above, "critical", "above");
    add(mapping.warn_below, "warning", "below");
    add(mapping.error_below, "critical", "below");
  }
  return samples;
}

nlohmann::json QueryCheck::ThresholdsJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const MetricMapping& mapping : metrics_) {
    if (!mapping.HasThresholds()) continue;
    nlohmann::json tiers = nlohmann::json::object();
    if (mapping.warn_above) tiers["warn_above"] = *mapping.warn_above;
    if (mapping.error_above) tiers["error_above"] = *mapping.error_above;
    if (mapping.warn_below) tiers["warn_below"] = *mapping.warn_below;
    if (mapping.error_below) tiers["error_below"] = *mapping.error_below;
    out[mapping.name] = std::move(tiers);
  }
  return out;
}

std::shared_ptr<Check> MakeQueryCheck(CheckSpec spec, MappingReader& reader,
                                      const ConfigData& config) {
  const std::string sql = reader.RequiredString("sql");
  if (sql.find_first_not_of(" \t\r\n") == std::string::npos)
    reader.Fail("sql", "must not be empty");
  const int max_series = static_cast<int>(reader.Integer("max_series", 1000, 1, 100'000));
  const YAML::Node list = reader.Raw("metrics");
  if (!list.IsDefined() || list.IsNull()) reader.Fail("metrics", "is required");
  if (!list.IsSequence() || list.size() == 0) {
    reader.FailAt(list, "metrics", "expected a non-empty list");
  }
  std::vector<QueryCheck::MetricMapping> metrics;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    MappingReader item(list[i], reader.file(),
                       reader.KeyPath("metrics[" + std::to_string(i) + "]"));
    item.ExpectKeys({"name", "value", "labels", "help", "warn_above", "error_above", "warn_below",
                     "error_below"});
    QueryCheck::MetricMapping mapping;
    mapping.name = item.RequiredString("name");
    if (!std::regex_match(mapping.name, kMetricName)) {
      item.FailAt(item.Raw("name"), "name", "invalid metric name \"" + mapping.name + "\"");
    }
    if (mapping.name.rfind("freshness_", 0) == 0 || mapping.name.rfind("process_", 0) == 0) {
      item.FailAt(item.Raw("name"), "name",
                  "metric name \"" + mapping.name + "\" uses a prefix reserved by the exporter");
    }
    if (!names.insert(mapping.name).second) {
      item.FailAt(item.Raw("name"), "name", "duplicate metric name \"" + mapping.name + "\"");
    }
    mapping.value_column = item.RequiredString("value");
    mapping.label_columns = item.StringList("labels", true);
    const YAML::Node labels_node = item.Raw("labels");
    for (std::size_t j = 0; j < mapping.label_columns.size(); ++j) {
      const std::string& label = mapping.label_columns[j];
      if (const std::optional<std::string> problem =
              LabelNameProblem(label, &config.global.labels)) {
        item.FailAt(labels_node.IsSequence() ? labels_node[j] : labels_node, "labels",
                    ColumnLabelError(label, *problem, &config.global.labels));
      }
    }
    mapping.warn_above = item.Number("warn_above");
    mapping.error_above = item.Number("error_above");
    mapping.warn_below = item.Number("warn_below");
    mapping.error_below = item.Number("error_below");
    if (mapping.warn_above && mapping.error_above && *mapping.warn_above >= *mapping.error_above) {
      item.FailAt(item.Raw("warn_above"), "warn_above",
                  "warn_above (" + FormatNumber(*mapping.warn_above) +
                      ", warning) must be below error_above (" +
                      FormatNumber(*mapping.error_above) + ", critical)");
    }
    if (mapping.warn_below && mapping.error_below && *mapping.warn_below <= *mapping.error_below) {
      item.FailAt(item.Raw("warn_below"), "warn_below",
                  "warn_below (" + FormatNumber(*mapping.warn_below) +
                      ", warning) must be above error_below (" +
                      FormatNumber(*mapping.error_below) + ", critical)");
    }
    mapping.help = item.String("help", "Value of column " + mapping.value_column +
                                           " from the query of check " + spec.name + ".");
    item.RejectUnknownKeys();
    metrics.push_back(std::move(mapping));
  }
  return std::make_shared<QueryCheck>(std::move(spec), sql, std::move(metrics), max_series);
}

FRESHNESS_REGISTER_CHECK_KIND((CheckKind{
    CheckKindSyntax{
        "query",
        {"sql", "metrics", "max_series"},
        true,
        "",
        "for a query check use warn_above/error_above/warn_below/error_below on each metric",
        "for is not supported on query checks"},
    MakeQueryCheck, 40}))

}  // namespace freshness
