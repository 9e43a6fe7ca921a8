#include "metrics/exposition.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <sstream>

#include "metrics/metric_names.h"
#include "metrics/process_metrics.h"

namespace freshness {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Families in a stable order: core series first, then check-defined ones by name.
class FamilySet {
 public:
  MetricFamily& Get(const std::string& name, const std::string& help, MetricType type) {
    const auto found = index_.find(name);
    if (found != index_.end()) return families_[found->second];
    index_[name] = families_.size();
    MetricFamily family;
    family.name = name;
    family.help = help;
    family.type = type;
    families_.push_back(std::move(family));
    return families_.back();
  }
  MetricFamily* Find(const std::string& name) {
    const auto found = index_.find(name);
    return found == index_.end() ? nullptr : &families_[found->second];
  }
  std::vector<MetricFamily>& families() { return families_; }

 private:
  std::vector<MetricFamily> families_;
  std::map<std::string, std::size_t> index_;
};

ClientMetric MakeMetric(const Labels& global,
                        const std::vector<std::pair<std::string, std::string>>& first,
                        const Labels& own, MetricType type, double value) {
  ClientMetric metric;
  for (const auto& [name, label_value] : first) metric.label.push_back({name, label_value});
  for (const auto& [name, label_value] : own) metric.label.push_back({name, label_value});
  for (const auto& [name, label_value] : global) {
    if (own.count(name) == 0) metric.label.push_back({name, label_value});
  }
  if (type == MetricType::Counter) {
    metric.counter.value = value;
  } else if (type == MetricType::Untyped) {
    metric.untyped.value = value;
  } else {
    metric.gauge.value = value;
  }
  return metric;
}

void Add(FamilySet& set, const char* name, const char* help, MetricType type, const Labels& global,
         const std::vector<std::pair<std::string, std::string>>& first, double value) {
  set.Get(name, help, type).metric.push_back(MakeMetric(global, first, {}, type, value));
}

}  // namespace

std::string RenderExposition(const Collector& collector, const ReloadStatus& reload,
                             TimePoint now) {
  const Config& config = collector.config();
  const Labels& global = config.global.labels;
  const double now_unix = ToUnixSeconds(now);
  FamilySet set;

  Add(set, metric::kBuildInfo,
      "A metric with a constant '1' value labeled by version and revision.", MetricType::Gauge,
      global, {{"version", FRESHNESS_VERSION}, {"revision", FRESHNESS_REVISION}}, 1);
  Add(set, metric::kConfigReloadSuccessful, "Whether the last configuration reload succeeded.",
      MetricType::Gauge, global, {}, reload.last_reload_successful ? 1 : 0);
  Add(set, metric::kConfigReloadSuccessTimestamp,
      "Time of the last successful configuration reload.", MetricType::Gauge, global, {},
      reload.last_success_unix.value_or(0));
  Add(set, metric::kLastCollection,
      "Time of the newest completed collection of any check (self-heartbeat).", MetricType::Gauge,
      global, {}, collector.LastCollectionUnix().value_or(0));
  for (const auto& [name, database] : collector.databases()) {
    Add(set, metric::kTargetUp, "Whether the target's database answered the last attempt.",
        MetricType::Gauge, global, {{"target", name}}, database->Up() ? 1 : 0);
  }
  for (const auto& [name, calendar] : config.calendars) {
    if (!calendar->valid_through()) continue;
    // The holiday list covers the whole valid_through day.
    const double end = ToUnixSeconds(TimePoint(*calendar->valid_through() + date::days(1)));
    Add(set, metric::kCalendarValidThrough, "End of the calendar's holiday list.",
        MetricType::Gauge, global, {{"calendar", name}}, end);
  }

  // Common per-check families first, so they come before kind-specific ones.
  set.Get(metric::kCheckInfo, "Static facts about a check, for joins in rules.", MetricType::Gauge);
  set.Get(metric::kCheckActive, "1 inside the check's active calendar and hours window.",
          MetricType::Gauge);
  set.Get(metric::kCheckActiveFor,
          "Seconds since the check's current active period began (0 outside it, +Inf without "
          "an active window).",
          MetricType::Gauge);
  set.Get(metric::kCheckMaintenance, "1 inside a maintenance window of the check or of its target.",
          MetricType::Gauge);
  set.Get(metric::kCheckInterval, "How often the check is collected.", MetricType::Gauge);
  set.Get(metric::kSloObjective, "The check's SLO objective, a ratio (slo.objective).",
          MetricType::Gauge);
  set.Get(metric::kSloWindow, "The check's SLO window (slo.window).", MetricType::Gauge);
  set.Get(metric::kSloCounting,
          "1 when this instant counts towards the check's SLO: enforce mode, inside its active "
          "window, not in maintenance, not paused.",
          MetricType::Gauge);
  set.Get(metric::kCheckSuccess, "1 if the last collection of the check succeeded.",
          MetricType::Gauge);
  set.Get(metric::kCheckDuration, "Duration of the last collection of the check.",
          MetricType::Gauge);
  set.Get(metric::kCheckLastSuccess, "Time of the last successful collection of the check.",
          MetricType::Gauge);
  set.Get(metric::kCheckCollections, "Finished collections of the check, successful or not.",
          MetricType::Counter);
  set.Get(metric::kCheckErrors, "Failed collections of the check, by reason.", MetricType::Counter);

  collector.Visit([&](const Check& check, const CheckState& state) {
    const CheckSpec& spec = check.spec();
    const std::vector<std::pair<std::string, std::string>> by_check = {{"check", spec.name}};
    set.Find(metric::kCheckInfo)
        ->metric.push_back(MakeMetric(global,
                                      {{"check", spec.name},
                                       {"kind", spec.kind},
                                       {"target", spec.target},
                                       {"mode", spec.mode}},
                                      {}, MetricType::Gauge, 1));
    set.Find(metric::kCheckActive)
        ->metric.push_back(
            MakeMetric(global, by_check, {}, MetricType::Gauge, spec.IsActive(now) ? 1 : 0));
    set.Find(metric::kCheckActiveFor)
        ->metric.push_back(
            MakeMetric(global, by_check, {}, MetricType::Gauge, spec.ActiveForSeconds(now)));
    set.Find(metric::kCheckMaintenance)
        ->metric.push_back(MakeMetric(global, by_check, {}, MetricType::Gauge,
                                      spec.MaintenanceAt(now) != nullptr ? 1 : 0));
    set.Find(metric::kCheckInterval)
        ->metric.push_back(MakeMetric(global, by_check, {}, MetricType::Gauge,
                                      std::chrono::duration<double>(spec.interval).count()));
    if (spec.slo) {
      set.Find(metric::kSloObjective)
          ->metric.push_back(
              MakeMetric(global, by_check, {}, MetricType::Gauge, spec.slo->objective));
      set.Find(metric::kSloWindow)
          ->metric.push_back(MakeMetric(global, by_check, {}, MetricType::Gauge,
                                        std::chrono::duration<double>(spec.slo->window).count()));
      set.Find(metric::kSloCounting)
          ->metric.push_back(
              MakeMetric(global, by_check, {}, MetricType::Gauge, check.CountsForSlo(now) ? 1 : 0));
    }
    set.Find(metric::kCheckSuccess)
        ->metric.push_back(MakeMetric(global, by_check, {}, MetricType::Gauge,
                                      state.collected && state.success ? 1 : 0));
    set.Find(metric::kCheckDuration)
        ->metric.push_back(
            MakeMetric(global, by_check, {}, MetricType::Gauge, state.duration_seconds));
    if (state.last_success_unix) {
      set.Find(metric::kCheckLastSuccess)
          ->metric.push_back(
              MakeMetric(global, by_check, {}, MetricType::Gauge, *state.last_success_unix));
    }
    set.Find(metric::kCheckCollections)
        ->metric.push_back(MakeMetric(global, by_check, {}, MetricType::Counter,
                                      static_cast<double>(state.collections)));
    MetricFamily& errors = *set.Find(metric::kCheckErrors);
    for (ErrorReason reason : kAllErrorReasons) {
      errors.metric.push_back(MakeMetric(
          global, by_check, {{"reason", std::string(ReasonName(reason))}}, MetricType::Counter,
          static_cast<double>(state.errors_by_reason[static_cast<std::size_t>(reason)])));
    }
    const std::vector<MetricDescriptor> descriptors = check.Descriptors();
    const auto add_sample = [&](const Sample& sample) {
      const MetricDescriptor* descriptor = nullptr;
      for (const MetricDescriptor& candidate : descriptors) {
        if (candidate.name == sample.metric) {
          descriptor = &candidate;
          break;
        }
      }
      const std::string help = descriptor != nullptr ? descriptor->help : sample.metric;
      const MetricType type = descriptor != nullptr ? descriptor->type : MetricType::Gauge;
      set.Get(sample.metric, help, type)
          .metric.push_back(
              MakeMetric(global, by_check, sample.labels, type, ValueAt(sample, now_unix)));
    };
    // Declared thresholds describe the config: exported before the first collection too.
    for (const Sample& sample : check.ConfigSamples()) add_sample(sample);
    if (state.observation == nullptr) return;
    for (const Sample& sample : state.observation->samples) add_sample(sample);
  });

  // Empty families would print HELP/TYPE with no samples; drop them.
  std::vector<MetricFamily> families;
  for (MetricFamily& family : set.families()) {
    if (!family.metric.empty()) families.push_back(std::move(family));
  }
  for (MetricFamily& family : CollectProcessMetrics()) families.push_back(std::move(family));
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace freshness
