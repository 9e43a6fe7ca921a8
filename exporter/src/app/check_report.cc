#include "app/check_report.h"

#include <date/date.h>

#include <cmath>
#include <sstream>

#include "checks/summary_format.h"

namespace freshness {
namespace {

std::string FormatTime(double unix_seconds) {
  const auto time = date::floor<std::chrono::seconds>(FromUnixSeconds(unix_seconds));
  return date::format("%FT%TZ", time);
}

std::string EscapeHtml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const std::vector<Sample> kNoSamples;

nlohmann::json JsonNumber(double value) {
  // JSON has no Inf or NaN; say it in words rather than emit invalid JSON.
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  return value;
}

}  // namespace

std::vector<CheckReport> BuildReports(const Collector& collector, TimePoint now,
                                      bool with_samples) {
  std::vector<CheckReport> reports;
  const double now_unix = ToUnixSeconds(now);
  collector.Visit([&](const Check& check, const CheckState& state) {
    const CheckSpec& spec = check.spec();
    CheckReport report;
    report.name = spec.name;
    report.kind = spec.kind;
    report.target = spec.target;
    report.mode = spec.mode;
    report.severity = spec.severity;
    report.collected = state.collected || state.observation != nullptr;
    report.success = state.collected && state.success;
    report.active = spec.active == nullptr || spec.active->IsActive(now);
    report.last_success_unix = state.last_success_unix;
    report.duration_seconds = state.duration_seconds;
    if (state.last_error_reason) {
      report.error_reason = std::string(ReasonName(*state.last_error_reason));
      report.error = state.last_error;
    }
    CheckSummary summary{"pending", "", false};
    if (state.observation != nullptr) {
      summary = check.Summarize(*state.observation, now);
      const std::vector<Sample>& samples = with_samples ? state.observation->samples : kNoSamples;
      for (const Sample& sample : samples) {
        nlohmann::json item;
        item["metric"] = sample.metric;
        item["labels"] = sample.labels;
        item["value"] = JsonNumber(sample.since_unix_seconds ? now_unix - *sample.since_unix_seconds
                                                             : sample.value);
        report.samples.push_back(std::move(item));
      }
    }
    report.state = summary.state;
    report.value = summary.value;
    if (state.collected && !state.success && summary.healthy) report.state = "failed";
    if (!report.collected) report.state = "pending";
    report.healthy = report.success && summary.healthy;
    reports.push_back(std::move(report));
  });
  return reports;
}

nlohmann::json ReportsToJson(std::vector<CheckReport> reports, TimePoint now) {
  nlohmann::json checks = nlohmann::json::array();
  for (CheckReport& report : reports) {
    nlohmann::json item;
    item["name"] = report.name;
    item["kind"] = report.kind;
    item["target"] = report.target;
    item["mode"] = report.mode;
    item["severity"] = report.severity;
    item["state"] = report.state;
    item["value"] = report.value;
    item["success"] = report.success;
    item["healthy"] = report.healthy;
    item["active"] = report.active;
    item["duration_seconds"] = report.duration_seconds;
    item["last_success"] =
        report.last_success_unix ? nlohmann::json(FormatTime(*report.last_success_unix)) : nullptr;
    item["error_reason"] =
        report.error_reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.error_reason);
    item["error"] = report.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.error);
    item["samples"] = std::move(report.samples);
    checks.push_back(std::move(item));
  }
  return nlohmann::json{{"evaluated_at", FormatTime(ToUnixSeconds(now))}, {"checks", checks}};
}

std::string ReportsToTable(const std::vector<CheckReport>& reports) {
  std::size_t name_width = 5;
  std::size_t state_width = 5;
  for (const CheckReport& report : reports) {
    name_width = std::max(name_width, report.name.size());
    state_width = std::max(state_width, report.state.size());
  }
  std::ostringstream out;
  auto pad = [](const std::string& text, std::size_t width) {
    return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
  };
  out << pad("CHECK", name_width) << "  " << pad("KIND", 10) << "  " << pad("STATE", state_width)
      << "  VALUE\n";
  for (const CheckReport& report : reports) {
    out << pad(report.name, name_width) << "  " << pad(report.kind, 10) << "  "
        << pad(report.state, state_width) << "  " << report.value;
    if (!report.error.empty()) out << "  [" << report.error_reason << ": " << report.error << "]";
    out << "\n";
  }
  return out.str();
}

std::string ReportsToHtml(const std::vector<CheckReport>& reports, TimePoint now,
                          const std::string& config_file, bool reload_ok) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>freshness_exporter</title>"
         "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
         ".bad{background:#fdd}.ok{background:#dfd}.pending{background:#eee}</style></head><body>"
         "<h1>freshness_exporter</h1><p>Version "
      << FRESHNESS_VERSION << " (" << FRESHNESS_REVISION << "). Config <code>"
      << EscapeHtml(config_file) << "</code>, last reload "
      << (reload_ok ? "successful" : "<b>failed</b>") << ". Evaluated at "
      << FormatTime(ToUnixSeconds(now))
      << ". <a href=\"/metrics\">Metrics</a> · <a href=\"/api/v1/checks\">JSON</a></p>"
         "<table><tr><th>Check</th><th>Kind</th><th>Target</th><th>Mode</th><th>State</th>"
         "<th>Value</th><th>Last success</th><th>Error</th></tr>\n";
  for (const CheckReport& report : reports) {
    const char* row_class = !report.collected ? "pending" : (report.healthy ? "ok" : "bad");
    out << "<tr class=\"" << row_class << "\"><td>" << EscapeHtml(report.name) << "</td><td>"
        << EscapeHtml(report.kind) << "</td><td>" << EscapeHtml(report.target) << "</td><td>"
        << EscapeHtml(report.mode) << "</td><td>" << EscapeHtml(report.state) << "</td><td>"
        << EscapeHtml(report.value) << "</td><td>"
        << (report.last_success_unix ? FormatTime(*report.last_success_unix) : "never")
        << "</td><td>"
        << EscapeHtml(report.error.empty() ? "" : report.error_reason + ": " + report.error)
        << "</td></tr>\n";
  }
  out << "</table></body></html>\n";
  return out.str();
}

}  // namespace freshness
