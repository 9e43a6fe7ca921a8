#include "collector/exposition.h"

#include <prometheus/text_serializer.h>

#include <array>
#include <cstdint>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "metrics/metric_names.h"
#include "metrics/process_metrics.h"
#include "metrics/text_format.h"

namespace freshness {
namespace {

using prometheus::MetricType;

// What a scrape reads of one check, copied under the collector's lock.
struct CheckSnapshot {
  const Check* check = nullptr;
  const Collector::CheckText* text = nullptr;
  bool success = false;
  double duration_seconds = 0;
  std::optional<double> last_success_unix;
  std::uint64_t collections = 0;
  std::array<std::uint64_t, std::size(kAllErrorReasons)> errors_by_reason{};
  std::shared_ptr<const RenderedSamples> rendered;
};

// One per-check family: header, then one line per check that has a value.
template <typename ValueOf>
void AppendCheckFamily(std::string& out, const char* name, const char* help, MetricType type,
                       const std::vector<CheckSnapshot>& checks, ValueOf value_of) {
  bool header = false;
  for (const CheckSnapshot& each : checks) {
    const std::optional<double> value = value_of(each);
    if (!value) continue;
    if (!header) AppendFamilyHeader(out, name, help, type);
    header = true;
    AppendSample(out, name, each.text->labels, *value);
  }
}

}  // namespace

std::string RenderExposition(const Collector& collector, const ReloadStatus& reload,
                             TimePoint now) {
  const Config& config = collector.config();
  const Labels& global = config.global.labels;
  const double now_unix = ToUnixSeconds(now);

  std::vector<CheckSnapshot> checks;
  checks.reserve(config.checks.size());
  std::size_t rendered_lines = 0;
  collector.Visit([&](const Check& check, const CheckState& state) {
    CheckSnapshot snapshot;
    snapshot.check = &check;
    snapshot.text = &collector.check_text()[checks.size()];
    snapshot.success = state.success;
    snapshot.duration_seconds = state.duration_seconds;
    snapshot.last_success_unix = state.last_success_unix;
    snapshot.collections = state.collections;
    snapshot.errors_by_reason = state.errors_by_reason;
    snapshot.rendered = state.rendered;
    if (state.rendered != nullptr) {
      for (const auto& family : state.rendered->families) rendered_lines += family.lines.size();
    }
    checks.push_back(std::move(snapshot));
  });

  std::string out;
  // About 60 bytes a line: one allocation for a large answer.
  out.reserve(4096 + (checks.size() * 20 + rendered_lines) * 64);

  const auto single = [&](const char* name, const char* help, MetricType type,
                          const std::vector<std::pair<std::string, std::string>>& labels,
                          double value) {
    AppendFamilyHeader(out, name, help, type);
    AppendSample(out, name, LabelBlock(labels, {}, global), value);
  };
  single(metric::kBuildInfo, "A metric with a constant '1' value labeled by version and revision.",
         MetricType::Gauge, {{"version", FRESHNESS_VERSION}, {"revision", FRESHNESS_REVISION}}, 1);
  single(metric::kConfigReloadSuccessful, "Whether the last configuration reload succeeded.",
         MetricType::Gauge, {}, reload.last_reload_successful ? 1 : 0);
  single(metric::kConfigReloadSuccessTimestamp, "Time of the last successful configuration reload.",
         MetricType::Gauge, {}, reload.last_success_unix.value_or(0));
  single(metric::kLastCollection,
         "Time of the newest completed collection of any check (self-heartbeat).",
         MetricType::Gauge, {}, collector.LastCollectionUnix().value_or(0));
  bool header = false;
  for (const auto& [name, database] : collector.databases()) {
    if (!header) {
      AppendFamilyHeader(out, metric::kTargetUp,
                         "Whether the target's database answered the last attempt.",
                         MetricType::Gauge);
    }
    header = true;
    AppendSample(out, metric::kTargetUp, LabelBlock({{"target", name}}, {}, global),
                 database->Up() ? 1 : 0);
  }
  header = false;
  for (const auto& [name, calendar] : config.calendars) {
    if (!calendar->valid_through()) continue;
    if (!header) {
      AppendFamilyHeader(out, metric::kCalendarValidThrough, "End of the calendar's holiday list.",
                         MetricType::Gauge);
    }
    header = true;
    // The holiday list covers the whole valid_through day.
    AppendSample(out, metric::kCalendarValidThrough, LabelBlock({{"calendar", name}}, {}, global),
                 ToUnixSeconds(TimePoint(*calendar->valid_through() + date::days(1))));
  }

  // Common per-check families first, so they come before kind-specific ones.
  if (!checks.empty()) {
    AppendFamilyHeader(out, metric::kCheckInfo, "Static facts about a check, for joins in rules.",
                       MetricType::Gauge);
    for (const CheckSnapshot& each : checks) {
      AppendSample(out, metric::kCheckInfo, each.text->info_labels, 1);
    }
  }
  using Value = std::optional<double>;
  AppendCheckFamily(
      out, metric::kCheckActive, "1 inside the check's active calendar and hours window.",
      MetricType::Gauge, checks,
      [&](const CheckSnapshot& c) -> Value { return c.check->spec().IsActive(now) ? 1 : 0; });
  AppendCheckFamily(out, metric::kCheckActiveFor,
                    "Seconds since the check's current active period began (0 outside it, +Inf "
                    "without an active window).",
                    MetricType::Gauge, checks, [&](const CheckSnapshot& c) -> Value {
                      return c.check->spec().ActiveForSeconds(now);
                    });
  AppendCheckFamily(out, metric::kCheckMaintenance,
                    "1 inside a maintenance window of the check or of its target.",
                    MetricType::Gauge, checks, [&](const CheckSnapshot& c) -> Value {
                      return c.check->spec().MaintenanceAt(now) != nullptr ? 1 : 0;
                    });
  AppendCheckFamily(out, metric::kCheckInterval, "How often the check is collected.",
                    MetricType::Gauge, checks, [](const CheckSnapshot& c) -> Value {
                      return std::chrono::duration<double>(c.check->spec().interval).count();
                    });
  AppendCheckFamily(out, metric::kSloObjective,
                    "The check's SLO objective, a ratio (slo.objective).", MetricType::Gauge,
                    checks, [](const CheckSnapshot& c) -> Value {
                      const auto& slo = c.check->spec().slo;
                      return slo ? Value(slo->objective) : std::nullopt;
                    });
  AppendCheckFamily(out, metric::kSloWindow, "The check's SLO window (slo.window).",
                    MetricType::Gauge, checks, [](const CheckSnapshot& c) -> Value {
                      const auto& slo = c.check->spec().slo;
                      return slo ? Value(std::chrono::duration<double>(slo->window).count())
                                 : std::nullopt;
                    });
  AppendCheckFamily(out, metric::kSloCounting,
                    "1 when this instant counts towards the check's SLO: enforce mode, inside its "
                    "active window, not in maintenance, not paused.",
                    MetricType::Gauge, checks, [&](const CheckSnapshot& c) -> Value {
                      if (!c.check->spec().slo) return std::nullopt;
                      return c.check->CountsForSlo(now) ? 1 : 0;
                    });
  AppendCheckFamily(out, metric::kCheckSuccess, "1 if the last collection of the check succeeded.",
                    MetricType::Gauge, checks, [](const CheckSnapshot& c) -> Value {
                      // Not `collected`: after a reload a check keeps its last result until the
                      // new config's first run, so a reload does not blink success to 0.
                      return c.success ? 1 : 0;
                    });
  AppendCheckFamily(out, metric::kCheckDuration, "Duration of the last collection of the check.",
                    MetricType::Gauge, checks,
                    [](const CheckSnapshot& c) -> Value { return c.duration_seconds; });
  AppendCheckFamily(out, metric::kCheckLastSuccess,
                    "Time of the last successful collection of the check.", MetricType::Gauge,
                    checks, [](const CheckSnapshot& c) -> Value { return c.last_success_unix; });
  AppendCheckFamily(
      out, metric::kCheckCollections, "Finished collections of the check, successful or not.",
      MetricType::Counter, checks,
      [](const CheckSnapshot& c) -> Value { return static_cast<double>(c.collections); });
  if (!checks.empty()) {
    AppendFamilyHeader(out, metric::kCheckErrors, "Failed collections of the check, by reason.",
                       MetricType::Counter);
    for (const CheckSnapshot& each : checks) {
      for (std::size_t reason = 0; reason < std::size(kAllErrorReasons); ++reason) {
        AppendSample(out, metric::kCheckErrors, each.text->reason_labels[reason],
                     static_cast<double>(each.errors_by_reason[reason]));
      }
    }
  }

  // Kind-specific families, in the order they first appear: each check's declared thresholds
  // (exported before its first collection too), then its last observation. Their series text
  // was written when the samples were made; only the values are written here.
  std::vector<std::vector<const RenderedSamples::Family*>> groups;
  std::unordered_map<std::string_view, std::size_t> group_of;
  const auto group = [&](const RenderedSamples* rendered) {
    if (rendered == nullptr) return;
    for (const RenderedSamples::Family& family : rendered->families) {
      const auto [found, added] = group_of.emplace(family.name, groups.size());
      if (added) groups.emplace_back();
      groups[found->second].push_back(&family);
    }
  };
  for (const CheckSnapshot& each : checks) {
    group(each.text->config_samples.get());
    group(each.rendered.get());
  }
  for (const auto& families : groups) {
    const RenderedSamples::Family& first = *families.front();
    AppendFamilyHeader(out, first.name, first.help, first.type);
    for (const RenderedSamples::Family* family : families) {
      for (const RenderedSamples::Line& line : family->lines) {
        AppendSample(out, line.series, "", line.ValueAt(now_unix));
      }
    }
  }

  std::ostringstream process;
  prometheus::TextSerializer().Serialize(process, CollectProcessMetrics());
  out += process.str();
  return out;
}

}  // namespace freshness
