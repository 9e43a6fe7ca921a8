#pragma once

#include <date/date.h>
#include <date/tz.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check.h"
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

// YYYY-MM-DD.
std::string FormatPartitionDay(date::sys_days day);

// The primary source expanded for a partition, safe to show; nullopt when it cannot expand.
std::optional<ArtifactLocation> ArtifactLocationFor(const ArtifactSpec& spec,
                                                    date::sys_days partition);

// The partition a max_age source is expected under at `now`.
date::sys_days MaxAgePartition(const ArtifactSpec& spec, TimePoint now);

// The slot freshness_artifact_slot_info describes: the slot in force, else the pending one,
// else the next one (max_age: now's partition).
std::optional<ArtifactLocation> ArtifactSlotLocation(const ArtifactSpec& spec,
                                                     const SlotPosition& position);
std::optional<ArtifactLocation> ArtifactSlotLocation(const ArtifactSpec& spec, TimePoint now);

// "/data/x.csv (partition 2026-07-07)", or the bare location for undated sources.
std::string DescribeArtifactLocation(const std::optional<ArtifactLocation>& location);

}  // namespace freshness
