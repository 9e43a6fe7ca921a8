#pragma once

#include <optional>
#include <vector>

#include "checks/artifact_evaluator.h"
#include "checks/artifact_spec.h"
#include "checks/check.h"

namespace freshness {

// The freshness_artifact_* samples of one evaluation: the state one-hot, the modification age
// and time, the deadline, the missed slots and the slot's location.
std::vector<Sample> ArtifactSamples(const ArtifactEvaluation& evaluation);

// What ArtifactSamples wrote, read back from a stored observation (a summary is built from the
// last observation, which may come from an earlier run or a previous config).
struct ArtifactReading {
  ArtifactState state = ArtifactState::kUnknown;  // unknown when no state is hot
  std::optional<double> modified_unix;
  std::optional<double> deadline_unix;
  std::optional<double> missed_slots;
  std::optional<ArtifactLocation> slot;
};

ArtifactReading ReadArtifactSamples(const Observation& observation);

}  // namespace freshness
