#include "checks/query_check.h"

#include <regex>
#include <set>

#include "db/database.h"
#include "db/sql_text.h"
#include "util/check_error.h"

namespace freshness {
namespace {

const std::regex kMetricName("^[a-zA-Z_:][a-zA-Z0-9_:]*$");
const std::regex kLabelName("^[a-zA-Z_][a-zA-Z0-9_]*$");

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
  if (observation.samples.size() == 1) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s=%g", observation.samples[0].metric.c_str(),
                  observation.samples[0].value);
    return {"ok", buffer, true};
  }
  return {"ok", std::to_string(observation.samples.size()) + " series", true};
}

std::shared_ptr<Check> MakeQueryCheck(CheckSpec spec, MappingReader& reader, const Config&) {
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
    mapping.label_columns = item.StringList("labels");
    for (const std::string& label : mapping.label_columns) {
      if (!std::regex_match(label, kLabelName) || label == "check" || label.rfind("__", 0) == 0) {
        item.Fail("labels", "invalid label name \"" + label + "\"");
      }
    }
    mapping.help = item.String("help", "Value of column " + mapping.value_column +
                                           " from the query of check " + spec.name + ".");
    item.RejectUnknownKeys();
    metrics.push_back(std::move(mapping));
  }
  return std::make_shared<QueryCheck>(std::move(spec), sql, std::move(metrics), max_series);
}

}  // namespace freshness
