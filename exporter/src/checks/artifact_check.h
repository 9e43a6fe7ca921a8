#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check.h"
#include "config/mapping_reader.h"
#include "probes/object_prober.h"
#include "schedule/path_template.h"
#include "schedule/schedule_evaluator.h"

namespace freshness {

// The states of freshness_artifact_state, exported one-hot.
enum class ArtifactState { kFresh, kLate, kStale, kMissing, kProbeFailed, kPaused, kUnknown };

inline constexpr ArtifactState kAllArtifactStates[] = {
    ArtifactState::kFresh,   ArtifactState::kLate,        ArtifactState::kStale,
    ArtifactState::kMissing, ArtifactState::kProbeFailed, ArtifactState::kPaused,
    ArtifactState::kUnknown};

std::string_view ArtifactStateName(ArtifactState state);
std::optional<ArtifactState> ParseArtifactState(std::string_view name);

// What an artifact check expects, already validated.
struct ArtifactSpec {
  std::vector<PathTemplate> sources;  // `source` first, then `any_of`
  // Exactly one of schedule and max_age is set.
  std::optional<ScheduleEvaluator> schedule;
  std::optional<Duration> max_age;
  // For max_age sources with {as_of:}: the partition date is derived from now's local day.
  const date::time_zone* zone = nullptr;
  std::shared_ptr<const Calendar> calendar;
  PartitionDate partition_date = PartitionDate::kSameDay;
  std::optional<TimePoint> paused_until;
  int missed_slots_lookback = 31;
  // States that are a warning and states that are critical (late, stale or missing; disjoint).
  std::vector<ArtifactState> warn_on = {ArtifactState::kMissing, ArtifactState::kStale};
  std::vector<ArtifactState> error_on;
};

// The result of evaluating an artifact at one instant.
struct ArtifactEvaluation {
  ArtifactState state = ArtifactState::kUnknown;
  std::optional<TimePoint> modified;  // of the satisfying object, else the newest one seen
  std::optional<TimePoint> deadline;  // of the overdue slot, else of the pending or next one
  std::optional<int> missed_slots;    // schedules only
  // What was found where, for reasons: "/data/2026-07-07/done.csv (partition 2026-07-07)",
  // "..., not yet at this instant (modified 2026-07-07T16:00:00Z)".
  std::string detail;
  // The primary source expanded for the slot in force (else the pending, else the next one).
  std::optional<ArtifactLocation> slot;
  std::optional<Observation::Failure> failure;
};

// The missed-slot count of one slot in force, so that older slots are probed once per slot
// rather than at every collection (a backfilled older partition counts from the next slot on).
struct MissedSlotsMemo {
  TimePoint in_force_due;
  int missed_slots = 0;
  std::optional<TimePoint> earlier_modified;  // of the last satisfied slot found
};

// kind: artifact — schedule-aware freshness of files, HTTP and S3 objects (see
// docs/artifacts.md). A probe error makes this artifact probe_failed; nothing escapes Collect.
class ArtifactCheck final : public Check {
 public:
  // Objects modified up to this far after `now` still count (clock skew to an object store);
  // later ones did not exist yet at `now` (what --at replays rely on).
  static constexpr std::chrono::seconds kClockSkewTolerance{60};

  ArtifactCheck(CheckSpec spec, ArtifactSpec artifact, std::shared_ptr<const ObjectProber> prober);

  std::vector<MetricDescriptor> Descriptors() const override;
  Observation Collect(const CollectContext& context) override;
  CheckSummary Summarize(const Observation& observation, TimePoint now) const override;
  bool IsPaused(TimePoint now) const override {
    return artifact_.paused_until && now < *artifact_.paused_until;
  }
  std::vector<Sample> ConfigSamples() const override;
  nlohmann::json ThresholdsJson() const override;

  // The evaluation behind Collect, for tests and replays.
  ArtifactEvaluation Evaluate(TimePoint now, Duration budget) const;
  const ArtifactSpec& artifact() const { return artifact_; }

 private:
  ArtifactSpec artifact_;
  std::shared_ptr<const ObjectProber> prober_;
  mutable std::mutex memo_mutex_;
  mutable std::optional<MissedSlotsMemo> memo_;
};

std::shared_ptr<Check> MakeArtifactCheck(CheckSpec spec, MappingReader& reader,
                                         const ConfigData& config);

}  // namespace freshness
