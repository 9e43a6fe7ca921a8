#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "checks/artifact_evaluator.h"
#include "checks/artifact_spec.h"
#include "checks/check.h"
#include "config/mapping_reader.h"
#include "probes/object_prober.h"

namespace freshness {

// kind: artifact — schedule-aware freshness of files, HTTP and S3 objects (see
// docs/artifacts.md). Its parts: the keys (artifact_config), the evaluation at one instant
// (artifact_evaluator), the samples it publishes and reads back (artifact_samples). A probe error
// makes this artifact probe_failed; nothing escapes Collect.
class ArtifactCheck final : public Check {
 public:
  static constexpr std::chrono::seconds kClockSkewTolerance =
      ArtifactEvaluator::kClockSkewTolerance;

  ArtifactCheck(CheckSpec spec, ArtifactSpec artifact, std::shared_ptr<const ObjectProber> prober);

  std::vector<MetricDescriptor> Descriptors() const override;
  Observation Collect(const CollectContext& context) override;
  CheckSummary Summarize(const Observation& observation, TimePoint now) const override;
  bool IsPaused(TimePoint now) const override {
    return artifact().paused_until && now < *artifact().paused_until;
  }
  std::vector<Sample> ConfigSamples() const override;
  nlohmann::json ThresholdsJson() const override;

  // The evaluation behind Collect, for tests and replays.
  ArtifactEvaluation Evaluate(TimePoint now, Duration budget) const {
    return evaluator_.Evaluate(now, budget);
  }
  const ArtifactSpec& artifact() const { return evaluator_.spec(); }

 private:
  ArtifactEvaluator evaluator_;
};

// The factory the kind registers (end of artifact_check.cc): reads the keys (ReadArtifactConfig)
// and wires the prober its sources need (MakeArtifactProber).
std::shared_ptr<Check> MakeArtifactCheck(CheckSpec spec, MappingReader& reader,
                                         const ConfigData& config);

}  // namespace freshness
