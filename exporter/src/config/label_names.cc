#include "config/label_names.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace freshness {
namespace {

// Why each reserved name is reserved, for the error message.
const std::map<std::string, std::string>& ReservedReasons() {
  static const std::map<std::string, std::string> reasons = {
      {"check", "the rules join on it"},
      {"target", "the rules join on it"},
      {"kind", "the rules join on it"},
      {"mode", "the rules join on it"},
      {"calendar", "the rules join on it"},
      {"job", "Prometheus sets it when scraping"},
      {"instance", "Prometheus sets it when scraping"},
      {"pod", "Kubernetes service discovery sets it"},
      {"alertname", "Prometheus sets it on alerts"},
      {"alertstate", "Prometheus sets it on alerts"},
      {"severity", "the rules set it on alerts"},
      {"le", "Prometheus uses it for histogram buckets"},
      {"quantile", "Prometheus uses it for summaries"},
      {"state", "the exporter's own series use it"},
      {"reason", "the exporter's own series use it"},
      {"metric", "the exporter's own series use it"},
      {"direction", "the exporter's own series use it"},
      {"location", "the exporter's own series use it"},
      {"partition", "the exporter's own series use it"},
      {"signal", "the exporter's own series use it"},
      {"version", "freshness_exporter_build_info uses it"},
      {"revision", "freshness_exporter_build_info uses it"},
  };
  return reasons;
}

bool ValidSyntax(const std::string& name) {
  if (name.empty()) return false;
  const unsigned char first = static_cast<unsigned char>(name[0]);
  if (!std::isalpha(first) && first != '_') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return (u < 0x80 && std::isalnum(u)) || c == '_';
  });
}

}  // namespace

const std::vector<std::string>& ReservedLabelNames() {
  static const std::vector<std::string> names = {
      "check",     "job",       "instance",  "pod",        "target",   "kind",
      "mode",      "severity",  "state",     "reason",     "le",       "quantile",
      "metric",    "direction", "alertname", "alertstate", "calendar", "location",
      "partition", "signal",    "version",   "revision"};
  return names;
}

std::optional<std::string> LabelNameProblem(const std::string& name, const Labels* global_labels) {
  if (!ValidSyntax(name)) {
    return "\"" + name +
           "\" is not a valid label name (letters, digits and _, not starting with a digit)";
  }
  if (name.rfind("__", 0) == 0) {
    return "\"" + name + "\" starts with \"__\", which Prometheus reserves";
  }
  const auto& reasons = ReservedReasons();
  if (const auto found = reasons.find(name); found != reasons.end()) {
    return "\"" + name + "\" is reserved (" + found->second + ")";
  }
  if (global_labels != nullptr && global_labels->count(name) != 0) {
    return "\"" + name + "\" is already a global label (global.labels)";
  }
  return std::nullopt;
}

std::string SuggestLabelName(const std::string& name, const Labels* global_labels) {
  std::string out;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x80 && std::isalnum(u)) ? c : '_';
  }
  while (out.rfind("__", 0) == 0) out.erase(0, 1);
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "c_" + out;
  if (LabelNameProblem(out, global_labels)) out += "_name";
  while (LabelNameProblem(out, global_labels)) out += "_";
  return out;
}

std::string ColumnLabelError(const std::string& column, const std::string& problem,
                             const Labels* global_labels) {
  return "column \"" + column + "\" cannot be a label name: " + problem +
         "; rename it in SQL (e.g. AS " + SuggestLabelName(column, global_labels) + ")";
}

}  // namespace freshness
