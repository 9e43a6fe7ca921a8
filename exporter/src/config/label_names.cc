#include "config/label_names.h"

#include <algorithm>
#include <cctype>

namespace freshness {
namespace {

// The one list of reserved label names, in the contract's order, each with why it is reserved
// (for the error message).
struct Reserved {
  const char* name;
  const char* reason;
};
constexpr Reserved kReserved[] = {
    {"check", "the rules join on it"},
    {"job", "Prometheus sets it when scraping"},
    {"instance", "Prometheus sets it when scraping"},
    {"pod", "Kubernetes service discovery sets it"},
    {"target", "the rules join on it"},
    {"kind", "the rules join on it"},
    {"mode", "the rules join on it"},
    {"severity", "the rules set it on alerts"},
    {"state", "the exporter's own series use it"},
    {"reason", "the exporter's own series use it"},
    {"le", "Prometheus uses it for histogram buckets"},
    {"quantile", "Prometheus uses it for summaries"},
    {"metric", "the exporter's own series use it"},
    {"direction", "the exporter's own series use it"},
    {"alertname", "Prometheus sets it on alerts"},
    {"alertstate", "Prometheus sets it on alerts"},
    {"calendar", "the rules join on it"},
    {"location", "the exporter's own series use it"},
    {"partition", "the exporter's own series use it"},
    {"signal", "the exporter's own series use it"},
    {"version", "freshness_exporter_build_info uses it"},
    {"revision", "freshness_exporter_build_info uses it"},
};

const char* ReservedReason(const std::string& name) {
  for (const Reserved& reserved : kReserved) {
    if (name == reserved.name) return reserved.reason;
  }
  return nullptr;
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
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Reserved& reserved : kReserved) out.emplace_back(reserved.name);
    return out;
  }();
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
  if (const char* reason = ReservedReason(name)) {
    return "\"" + name + "\" is reserved (" + reason + ")";
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
