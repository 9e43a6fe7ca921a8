#include "checks/artifact_check.h"

#include <algorithm>

#include "checks/artifact_config.h"
#include "checks/artifact_samples.h"
#include "checks/check_registry.h"
#include "checks/summary_format.h"
#include "metrics/metric_names.h"
#include "schedule/rfc3339.h"

namespace freshness {
namespace {

bool Contains(const std::vector<ArtifactState>& states, ArtifactState state) {
  return std::find(states.begin(), states.end(), state) != states.end();
}

}  // namespace

ArtifactCheck::ArtifactCheck(CheckSpec spec, ArtifactSpec artifact,
                             std::shared_ptr<const ObjectProber> prober)
    : Check(std::move(spec)), evaluator_(std::move(artifact), std::move(prober)) {}

std::vector<MetricDescriptor> ArtifactCheck::Descriptors() const {
  return {
      {metric::kArtifactAge,
       "Seconds since the satisfying object (else the newest seen) was modified."},
      {metric::kArtifactModified,
       "Modification time of the satisfying object (else the newest seen)."},
      {metric::kArtifactState,
       "Artifact state, one-hot: fresh, late, stale, missing, probe_failed, "
       "paused, unknown."},
      {metric::kArtifactDeadline,
       "Deadline (due time plus grace) of the overdue slot, else of the pending or next slot."},
      {metric::kArtifactMissedSlots, "Due slots missed since the last satisfied one."},
      {metric::kArtifactSlotInfo,
       "1; the location probed for the slot in force (else the pending or next slot) and its "
       "partition date (empty for undated sources)."},
      {metric::kArtifactStateSeverity,
       "1 for each artifact state the check alerts on, with the severity it alerts with "
       "(warn_on: warning, error_on: critical)."},
  };
}

Observation ArtifactCheck::Collect(const CollectContext& context) {
  const TimePoint now = context.clock != nullptr ? context.clock->Now() : SystemClock().Now();
  const MonotonicClock& elapsed =
      context.elapsed != nullptr ? *context.elapsed : RealMonotonicClock();
  const ArtifactEvaluation evaluation = evaluator_.Evaluate(now, context.budget, elapsed);
  Observation observation;
  observation.samples = ArtifactSamples(evaluation);
  observation.failure = evaluation.failure;
  observation.detail = evaluation.detail;
  return observation;
}

CheckSummary ArtifactCheck::Summarize(const Observation& observation, TimePoint now) const {
  const ArtifactSpec& expected = artifact();
  const ArtifactReading reading = ReadArtifactSamples(observation);
  const ArtifactState state = reading.state;
  CheckSummary summary;
  summary.state = std::string(ArtifactStateName(state));
  summary.artifact = reading.slot;
  const double now_seconds = ToUnixSeconds(now);
  std::string value;
  const auto append = [&value](const std::string& part) {
    value += (value.empty() ? "" : "; ") + part;
  };
  const std::optional<double>& modified = reading.modified_unix;
  const std::optional<double>& deadline = reading.deadline_unix;
  const std::optional<double>& missed = reading.missed_slots;
  const auto age_of = [now_seconds](double time) { return std::max(0.0, now_seconds - time); };
  if (state == ArtifactState::kProbeFailed) {
    append("probe failed");  // the error itself is shown next to the value
  } else if (state == ArtifactState::kPaused) {
    append(expected.paused_until ? "paused until " + FormatRfc3339(*expected.paused_until)
                                 : "paused");
  } else {
    if (modified) {
      append("age " + FormatAge(age_of(*modified)));
    } else if (state == ArtifactState::kMissing) {
      append("nothing there");
    }
    if (deadline) {
      const double delta = *deadline - now_seconds;
      append(delta >= 0 ? "deadline in " + FormatAge(delta) : "overdue " + FormatAge(-delta));
    }
    if (missed && *missed > 0) append(std::to_string(static_cast<long long>(*missed)) + " missed");
    if (state == ArtifactState::kUnknown && value.empty()) append("no slot due yet");
  }
  if (observation.failure && observation.failure->reason == ErrorReason::kConfig) {
    append("calendar past valid_through");
  }
  if (spec().mode == "observe") append("observe mode");
  summary.value = value;

  summary.paused = state == ArtifactState::kPaused;
  if (Contains(expected.error_on, state)) {
    summary.level = Level::kCritical;
  } else if (Contains(expected.warn_on, state)) {
    summary.level = Level::kWarning;
  }
  // The reason: the state, where, and how the deadline stands.
  std::string reason = summary.state;
  const std::string detail =
      observation.detail.empty() ? DescribeArtifactLocation(summary.artifact) : observation.detail;
  if (state == ArtifactState::kPaused) {
    reason = detail;
  } else if (state == ArtifactState::kProbeFailed) {
    reason += ": " + detail;
  } else {
    reason += ": " + detail;
    if (state == ArtifactState::kFresh && modified) {
      reason += ", modified " + FormatAge(age_of(*modified)) + " ago";
    } else if (deadline) {
      const double delta = *deadline - now_seconds;
      if (state == ArtifactState::kUnknown) {
        reason += ", next deadline in " + FormatAge(std::max(0.0, delta));
      } else if (delta >= 0) {
        reason += ", deadline in " + FormatAge(delta);
      } else {
        reason += ", deadline passed " + FormatAge(-delta) + " ago";
      }
    }
    if (missed && *missed > 1) {
      reason += "; " + std::to_string(static_cast<long long>(*missed)) + " slots missed";
    }
  }
  summary.reason = reason;
  return summary;
}

std::vector<Sample> ArtifactCheck::ConfigSamples() const {
  std::vector<Sample> samples;
  for (ArtifactState state : artifact().warn_on) {
    samples.push_back(
        Sample{metric::kArtifactStateSeverity,
               {{"state", std::string(ArtifactStateName(state))}, {"severity", "warning"}},
               1,
               {}});
  }
  for (ArtifactState state : artifact().error_on) {
    samples.push_back(
        Sample{metric::kArtifactStateSeverity,
               {{"state", std::string(ArtifactStateName(state))}, {"severity", "critical"}},
               1,
               {}});
  }
  return samples;
}

nlohmann::json ArtifactCheck::ThresholdsJson() const {
  nlohmann::json warn = nlohmann::json::array();
  nlohmann::json error = nlohmann::json::array();
  for (ArtifactState state : artifact().warn_on) warn.push_back(ArtifactStateName(state));
  for (ArtifactState state : artifact().error_on) error.push_back(ArtifactStateName(state));
  nlohmann::json out = {{"warn_on", warn}, {"error_on", error}};
  if (artifact().max_age) {
    out["max_age"] = std::chrono::duration<double>(*artifact().max_age).count();
  } else if (artifact().schedule) {
    out["grace"] = std::chrono::duration<double>(artifact().schedule->grace()).count();
  }
  return out;
}

std::shared_ptr<Check> MakeArtifactCheck(CheckSpec spec, MappingReader& reader,
                                         const ConfigData& config) {
  ArtifactConfig read = ReadArtifactConfig(spec, reader, config);
  std::shared_ptr<const ObjectProber> prober = MakeArtifactProber(read.spec, read.probe);
  return std::make_shared<ArtifactCheck>(std::move(spec), std::move(read.spec), std::move(prober));
}

FRESHNESS_REGISTER_CHECK_KIND((CheckKind{
    CheckKindSyntax{
        "artifact",
        {"source", "any_of", "expect", "calendar", "grace", "paused_until", "missed_slots_lookback",
         "s3", "warn_on", "error_on"},
        false,
        "warn_on/error_on",
        "for an artifact check use warn_on (warning) and error_on (critical)",
        "not allowed on artifact checks: the deadline already includes grace; lengthen grace "
        "instead"},
    MakeArtifactCheck, 50}))

}  // namespace freshness
