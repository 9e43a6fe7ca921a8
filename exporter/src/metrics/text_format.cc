#include "metrics/text_format.h"

#include <charconv>
#include <cmath>

namespace freshness {
namespace {

void AppendEscaped(std::string& out, std::string_view text, bool quotes) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void AppendLabel(std::string& out, bool& first, const std::string& name, const std::string& value) {
  out += first ? '{' : ',';
  first = false;
  out += name;
  out += "=\"";
  AppendEscaped(out, value, true);
  out += '"';
}

const char* TypeName(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter:
      return "counter";
    case prometheus::MetricType::Gauge:
      return "gauge";
    case prometheus::MetricType::Summary:
      return "summary";
    case prometheus::MetricType::Histogram:
      return "histogram";
    case prometheus::MetricType::Untyped:
      return "untyped";
  }
  return "untyped";
}

}  // namespace

std::string LabelBlock(const std::vector<std::pair<std::string, std::string>>& first,
                       const Labels& own, const Labels& global) {
  std::string out;
  bool none = true;
  for (const auto& [name, value] : first) AppendLabel(out, none, name, value);
  for (const auto& [name, value] : own) AppendLabel(out, none, name, value);
  for (const auto& [name, value] : global) {
    if (own.count(name) == 0) AppendLabel(out, none, name, value);
  }
  if (!none) out += '}';
  return out;
}

void AppendFamilyHeader(std::string& out, std::string_view name, std::string_view help,
                        prometheus::MetricType type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  AppendEscaped(out, help, false);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += TypeName(type);
  out += '\n';
}

void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
  }
}

void AppendSample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out += name;
  out += labels;
  out += ' ';
  AppendValue(out, value);
  out += '\n';
}

}  // namespace freshness
