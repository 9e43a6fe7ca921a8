#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "checks/artifact_spec.h"
#include "checks/check.h"
#include "probes/object_prober.h"
#include "util/clock.h"
#include "util/duration.h"

namespace freshness {

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

// Where an artifact stands at one instant (docs/artifacts.md, "Semantics"). Pure: the instant
// comes in as an argument, elapsed time (the probe budget) from the MonotonicClock it is given,
// and the only input from outside is through the ObjectProber. A probe error makes the artifact
// probe_failed; nothing escapes Evaluate.
class ArtifactEvaluator {
 public:
  // Objects modified up to this far after `now` still count (clock skew to an object store);
  // later ones did not exist yet at `now` (what --at replays rely on).
  static constexpr std::chrono::seconds kClockSkewTolerance{60};

  ArtifactEvaluator(ArtifactSpec spec, std::shared_ptr<const ObjectProber> prober);

  // All probes of one evaluation share `budget`, measured on `elapsed`. Safe to call from
  // several threads (one evaluation at a time: they share the missed-slot memo).
  ArtifactEvaluation Evaluate(TimePoint now, Duration budget,
                              const MonotonicClock& elapsed = RealMonotonicClock()) const;

  const ArtifactSpec& spec() const { return spec_; }

 private:
  ArtifactSpec spec_;
  std::shared_ptr<const ObjectProber> prober_;
  mutable std::mutex memo_mutex_;
  mutable std::optional<MissedSlotsMemo> memo_;
};

}  // namespace freshness
