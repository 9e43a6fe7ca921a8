#include "app/check_report.h"

#include <date/date.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "checks/check_registry.h"
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

nlohmann::json JsonNumber(double value) {
  // JSON has no Inf or NaN; say it in words rather than emit invalid JSON.
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  return value;
}

std::string LabelsText(const Labels& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    out += (out.empty() ? "{" : ", ") + name + "=\"" + value + "\"";
  }
  return out.empty() ? out : out + "}";
}

// The worst series for people: "{lane="b"} 41m08s", or just the value.
std::string WorstText(const std::optional<WorstSeries>& worst) {
  if (!worst) return "";
  const std::string labels = LabelsText(worst->labels);
  return labels.empty() ? worst->text : labels + " " + worst->text;
}

// The order verdicts are listed in the summary line.
const std::vector<std::string>& VerdictOrder() {
  static const std::vector<std::string> order = {
      "critical", "failed",   "warning",     "ok",      "observe",
      "paused",   "inactive", "maintenance", "pending", "not_replayable"};
  return order;
}

// Critical first, then failed, then warning; the rest keep config order.
int SortRank(const std::string& verdict) {
  if (verdict == "critical") return 0;
  if (verdict == "failed") return 1;
  if (verdict == "warning") return 2;
  return 3;
}

}  // namespace

void ComputeVerdict(const Check& check, const CheckState& state, TimePoint now,
                    const ReportOptions& options, CheckReport& report) {
  const CheckSpec& spec = check.spec();
  if (options.replay && KindReadsDatabase(spec.kind)) {
    report.verdict = "not_replayable";
    report.state = "not_replayable";
    report.reason = "database checks cannot be evaluated as of a past instant";
    return;
  }
  std::optional<CheckSummary> summary;
  if (state.observation != nullptr) summary = check.Summarize(*state.observation, now);
  if (summary) {
    report.state = summary->state;
    report.value = summary->value;
    report.worst = summary->worst;
    report.artifact = summary->artifact;
  }
  const MaintenanceWindow* maintenance = spec.MaintenanceAt(now);
  const auto maintenance_reason = [&]() {
    std::string reason = "in a maintenance window";
    if (maintenance->origin() != "check") reason += " of " + maintenance->origin();
    if (const std::optional<TimePoint> end = maintenance->EndOf(now)) {
      reason += " until " + FormatTime(ToUnixSeconds(*end));
    }
    return reason;
  };
  const auto inactive_reason = [&]() {
    std::string reason = "outside the active window";
    if (spec.active != nullptr) {
      if (const std::optional<TimePoint> opens = spec.active->NextOpening(now)) {
        reason += "; it opens at " + FormatTime(ToUnixSeconds(*opens)) + " (in " +
                  FormatAge(std::chrono::duration<double>(*opens - now).count()) + ")";
      }
    }
    return reason;
  };
  if (state.collected && !state.success) {
    report.verdict = "failed";
    if (report.state != "probe_failed") report.state = "failed";
    report.reason = state.last_error_reason ? std::string(ReasonName(*state.last_error_reason)) +
                                                  ": " + state.last_error
                                            : "the last collection failed";
    return;
  }
  if (maintenance != nullptr) {
    report.verdict = "maintenance";
    report.reason = maintenance_reason();
    return;
  }
  if (!summary) {
    if (!spec.IsActive(now)) {
      report.verdict = "inactive";
      report.reason = inactive_reason();
    } else {
      report.verdict = "pending";
      report.reason = "not collected yet";
    }
    report.state = "pending";
    return;
  }
  if (summary->paused) {
    report.verdict = "paused";
    report.reason = summary->reason;
    return;
  }
  if (!spec.IsActive(now)) {
    report.verdict = "inactive";
    report.reason = inactive_reason();
    return;
  }
  const std::string level(LevelName(summary->level));
  if (spec.mode == "observe") {
    report.verdict = "observe";
    report.would_be = level;
    report.reason = "would be " + level + ": " + summary->reason;
    return;
  }
  report.verdict = level;
  report.reason = summary->reason;
}

std::vector<CheckReport> BuildReports(const Collector& collector, TimePoint now,
                                      const ReportOptions& options) {
  std::vector<CheckReport> reports;
  const double now_unix = ToUnixSeconds(now);
  collector.Visit([&](const Check& check, const CheckState& state) {
    const CheckSpec& spec = check.spec();
    CheckReport report;
    report.name = spec.name;
    report.kind = spec.kind;
    report.target = spec.target;
    report.mode = spec.mode;
    report.collected = state.collected || state.observation != nullptr;
    report.success = state.collected && state.success;
    report.active = spec.IsActive(now);
    report.last_success_unix = state.last_success_unix;
    report.duration_seconds = state.duration_seconds;
    report.thresholds = check.ThresholdsJson();
    if (spec.slo) {
      // The SLI and the budget need history: Prometheus computes them (docs/slo.md).
      report.slo = nlohmann::json{
          {"objective", spec.slo->objective},
          {"window_seconds", std::chrono::duration<double>(spec.slo->window).count()},
          {"counting_now", check.CountsForSlo(now)}};
    }
    if (state.last_error_reason) {
      report.error_reason = std::string(ReasonName(*state.last_error_reason));
      report.error = state.last_error;
    }
    ComputeVerdict(check, state, now, options, report);
    if (options.with_samples && state.observation != nullptr) {
      for (const Sample& sample : state.observation->samples) {
        nlohmann::json item;
        item["metric"] = sample.metric;
        item["labels"] = sample.labels;
        item["value"] = JsonNumber(ValueAt(sample, now_unix));
        report.samples.push_back(std::move(item));
      }
    }
    static const std::vector<std::string> kHealthy = {"ok",     "inactive", "maintenance",
                                                      "paused", "observe",  "not_replayable"};
    report.healthy = std::find(kHealthy.begin(), kHealthy.end(), report.verdict) != kHealthy.end();
    reports.push_back(std::move(report));
  });
  return reports;
}

std::string VerdictText(const CheckReport& report) {
  if (report.verdict == "observe" && !report.would_be.empty()) {
    return "observe (would be " + report.would_be + ")";
  }
  return report.verdict;
}

int ExitCodeOf(const std::vector<CheckReport>& reports) {
  int code = 0;
  for (const CheckReport& report : reports) {
    if (report.verdict == "failed" || report.verdict == "pending") {
      code = std::max(code, 3);
    } else if (report.verdict == "critical") {
      code = std::max(code, 2);
    } else if (report.verdict == "warning") {
      code = std::max(code, 1);
    }
  }
  return code;
}

nlohmann::json ReportsToJson(std::vector<CheckReport> reports, TimePoint now) {
  nlohmann::json checks = nlohmann::json::array();
  for (CheckReport& report : reports) {
    nlohmann::json item;
    item["name"] = report.name;
    item["kind"] = report.kind;
    item["target"] = report.target;
    item["mode"] = report.mode;
    item["verdict"] = report.verdict;
    item["reason"] = report.reason;
    if (!report.would_be.empty()) item["would_be"] = report.would_be;
    item["worst"] = report.worst ? nlohmann::json{{"labels", report.worst->labels},
                                                  {"value", JsonNumber(report.worst->value)}}
                                 : nlohmann::json(nullptr);
    item["thresholds"] = std::move(report.thresholds);
    item["slo"] = std::move(report.slo);
    item["artifact"] = report.artifact ? nlohmann::json{{"location", report.artifact->location},
                                                        {"partition", report.artifact->partition}}
                                       : nlohmann::json(nullptr);
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
  std::size_t verdict_width = 7;
  for (const CheckReport& report : reports) {
    name_width = std::max(name_width, report.name.size());
    verdict_width = std::max(verdict_width, VerdictText(report).size());
  }
  std::ostringstream out;
  auto pad = [](const std::string& text, std::size_t width) {
    return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
  };
  out << pad("CHECK", name_width) << "  " << pad("KIND", 10) << "  "
      << pad("VERDICT", verdict_width) << "  REASON\n";
  for (const CheckReport& report : reports) {
    out << pad(report.name, name_width) << "  " << pad(report.kind, 10) << "  "
        << pad(VerdictText(report), verdict_width) << "  " << report.reason;
    if (!report.error.empty() && report.verdict != "failed") {
      out << "  [" << report.error_reason << ": " << report.error << "]";
    }
    out << "\n";
  }
  return out.str();
}

std::string ReportsToHtml(const std::vector<CheckReport>& reports, TimePoint now,
                          const std::string& config_file, bool reload_ok) {
  std::map<std::string, int> counts;
  for (const CheckReport& report : reports) counts[report.verdict]++;
  std::vector<const CheckReport*> rows;
  for (const CheckReport& report : reports) rows.push_back(&report);
  std::stable_sort(rows.begin(), rows.end(), [](const CheckReport* a, const CheckReport* b) {
    return SortRank(a->verdict) < SortRank(b->verdict);
  });

  // The tab title leads with what needs attention.
  std::string title;
  for (const char* verdict : {"critical", "failed", "warning"}) {
    const auto found = counts.find(verdict);
    if (found == counts.end()) continue;
    title += (title.empty() ? "" : ", ") + std::to_string(found->second) + " " + verdict;
  }
  title += (title.empty() ? "" : " - ") + std::string("freshness_exporter");
  const double now_unix = ToUnixSeconds(now);
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>"
      << title
      << "</title><style>\n"
         "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5em 2em;"
         "color:#1f2328;background:#fff}\n"
         "h1{font-size:1.4em;margin:0 0 .3em}\n"
         ".meta{color:#59636e;font-size:.9em;margin:0 0 1em}\n"
         ".meta a{color:#0969da}\n"
         ".summary{display:flex;flex-wrap:wrap;gap:.5em;margin:0 0 1.2em}\n"
         ".count{padding:.3em .8em;border-radius:1em;font-weight:600;font-size:.95em}\n"
         "table{border-collapse:collapse;width:100%}\n"
         "th{text-align:left;font-size:.8em;text-transform:uppercase;letter-spacing:.04em;"
         "color:#59636e;border-bottom:2px solid #d0d7de;padding:6px 10px;white-space:nowrap}\n"
         "td{border-bottom:1px solid #e5e8eb;padding:7px 10px;vertical-align:top;"
         "font-size:.92em}\n"
         "tr.row td:first-child{border-left:6px solid var(--c)}\n"
         ".name{font-weight:600}\n"
         ".sub{color:#59636e;font-size:.85em}\n"
         ".verdict{display:inline-block;padding:.15em .6em;border-radius:.3em;font-weight:700;"
         "white-space:nowrap;background:var(--c);color:var(--t)}\n"
         ".reason{max-width:52em}\n"
         "tr.v-failed .reason{color:#82071e}\n"
         ".worst{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em;"
         "max-width:22em;overflow-wrap:anywhere}\n"
         ".when{white-space:nowrap}\n"
         ".v-ok{--c:#1a7f37;--t:#fff}.v-warning{--c:#d29922;--t:#1f2328}"
         ".v-critical{--c:#cf222e;--t:#fff}.v-failed{--c:#82071e;--t:#fff}"
         ".v-pending,.v-paused,.v-inactive,.v-maintenance,.v-observe,.v-not_replayable"
         "{--c:#8c959f;--t:#fff}\n"
         "</style></head><body>\n<h1>freshness_exporter</h1><p class=\"meta\">Version "
      << FRESHNESS_VERSION << " (" << FRESHNESS_REVISION << ") &middot; config <code>"
      << EscapeHtml(config_file) << "</code>, last reload "
      << (reload_ok ? "successful" : "<b>failed</b>") << " &middot; evaluated at "
      << FormatTime(ToUnixSeconds(now))
      << " &middot; <a href=\"/metrics\">metrics</a> &middot; <a href=\"/api/v1/checks\">JSON</a>"
         "</p>\n<div class=\"summary\">";
  for (const std::string& verdict : VerdictOrder()) {
    const auto found = counts.find(verdict);
    if (found == counts.end()) continue;
    out << "<span class=\"count verdict v-" << verdict << "\">" << found->second << " " << verdict
        << "</span>";
  }
  // A failed check's reason is its error ("query: SQLSTATE 42703: ..."): no column of its own.
  out << "</div>\n<table><tr><th>Check</th><th>Verdict</th><th>Reason</th><th>Worst series</th>"
         "<th>Last success</th></tr>\n";
  for (const CheckReport* report : rows) {
    out << "<tr class=\"row v-" << EscapeHtml(report->verdict) << "\"><td><div class=\"name\">"
        << EscapeHtml(report->name) << "</div><div class=\"sub\">" << EscapeHtml(report->kind)
        << (report->target.empty() ? "" : " &middot; " + EscapeHtml(report->target))
        << (report->mode == "observe" ? " &middot; observe" : "")
        << "</div></td><td><span class=\"verdict v-" << EscapeHtml(report->verdict) << "\">"
        << EscapeHtml(VerdictText(*report)) << "</span></td><td class=\"reason\">"
        << EscapeHtml(report->reason) << "</td><td class=\"worst\">"
        << EscapeHtml(WorstText(report->worst)) << "</td><td class=\"sub when\"";
    if (report->last_success_unix) {
      out << " title=\"" << FormatTime(*report->last_success_unix) << "\">"
          << FormatAge(std::max(0.0, now_unix - *report->last_success_unix)) << " ago";
    } else {
      out << ">never";
    }
    out << "</td></tr>\n";
  }
  out << "</table></body></html>\n";
  return out.str();
}

}  // namespace freshness
