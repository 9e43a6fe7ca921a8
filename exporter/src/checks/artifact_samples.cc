#include "checks/artifact_samples.h"

#include "metrics/metric_names.h"

namespace freshness {
namespace {

constexpr const char* kStateLabel = "state";

}  // namespace

std::vector<Sample> ArtifactSamples(const ArtifactEvaluation& evaluation) {
  std::vector<Sample> samples;
  for (ArtifactState state : kAllArtifactStates) {
    samples.push_back(Sample{metric::kArtifactState,
                             {{kStateLabel, std::string(ArtifactStateName(state))}},
                             state == evaluation.state ? 1.0 : 0.0,
                             {}});
  }
  if (evaluation.modified) {
    const double modified = ToUnixSeconds(*evaluation.modified);
    // Modified inside the clock-skew tolerance after now: 0 seconds old, never negative.
    samples.push_back(Sample{metric::kArtifactAge, {}, 0, modified, true});
    samples.push_back(Sample{metric::kArtifactModified, {}, modified, {}});
  }
  if (evaluation.deadline) {
    samples.push_back(
        Sample{metric::kArtifactDeadline, {}, ToUnixSeconds(*evaluation.deadline), {}});
  }
  if (evaluation.missed_slots) {
    samples.push_back(Sample{
        metric::kArtifactMissedSlots, {}, static_cast<double>(*evaluation.missed_slots), {}});
  }
  if (evaluation.slot) {
    samples.push_back(
        Sample{metric::kArtifactSlotInfo,
               {{"location", evaluation.slot->location}, {"partition", evaluation.slot->partition}},
               1,
               {}});
  }
  return samples;
}

ArtifactReading ReadArtifactSamples(const Observation& observation) {
  ArtifactReading reading;
  bool state_found = false;
  const auto first = [](std::optional<double>& field, double value) {
    if (!field) field = value;
  };
  for (const Sample& sample : observation.samples) {
    if (sample.metric == metric::kArtifactState) {
      // The first hot state counts; a label that names no state reads as unknown.
      if (state_found || sample.value != 1) continue;
      const auto label = sample.labels.find(kStateLabel);
      if (label == sample.labels.end()) continue;
      state_found = true;
      reading.state = ParseArtifactState(label->second).value_or(ArtifactState::kUnknown);
    } else if (sample.metric == metric::kArtifactModified) {
      first(reading.modified_unix, sample.value);
    } else if (sample.metric == metric::kArtifactDeadline) {
      first(reading.deadline_unix, sample.value);
    } else if (sample.metric == metric::kArtifactMissedSlots) {
      first(reading.missed_slots, sample.value);
    } else if (sample.metric == metric::kArtifactSlotInfo && !reading.slot) {
      ArtifactLocation slot;
      if (const auto found = sample.labels.find("location"); found != sample.labels.end()) {
        slot.location = found->second;
      }
      if (const auto found = sample.labels.find("partition"); found != sample.labels.end()) {
        slot.partition = found->second;
      }
      reading.slot = slot;
    }
  }
  return reading;
}

}  // namespace freshness
