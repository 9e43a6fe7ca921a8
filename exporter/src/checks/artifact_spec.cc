#include "checks/artifact_spec.h"

#include "probes/scheme_router.h"

namespace freshness {

std::string_view ArtifactStateName(ArtifactState state) {
  switch (state) {
    case ArtifactState::kFresh:
      return "fresh";
    case ArtifactState::kLate:
      return "late";
    case ArtifactState::kStale:
      return "stale";
    case ArtifactState::kMissing:
      return "missing";
    case ArtifactState::kProbeFailed:
      return "probe_failed";
    case ArtifactState::kPaused:
      return "paused";
    case ArtifactState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<ArtifactState> ParseArtifactState(std::string_view name) {
  for (ArtifactState state : kAllArtifactStates) {
    if (ArtifactStateName(state) == name) return state;
  }
  return std::nullopt;
}

std::string FormatPartitionDay(date::sys_days day) { return date::format("%F", day); }

std::optional<ArtifactLocation> ArtifactLocationFor(const ArtifactSpec& spec,
                                                    date::sys_days partition) {
  const PathTemplate& primary = spec.sources.front();
  const std::optional<std::string> location = primary.Expand(partition);
  if (!location) return std::nullopt;
  return ArtifactLocation{DisplayLocation(*location),
                          primary.dated() ? FormatPartitionDay(partition) : std::string()};
}

date::sys_days MaxAgePartition(const ArtifactSpec& spec, TimePoint now) {
  const date::sys_days today = date::sys_days(
      date::floor<date::days>(spec.zone->to_local(date::floor<std::chrono::seconds>(now)))
          .time_since_epoch());
  return spec.partition_date == PartitionDate::kSameDay
             ? today
             : PreviousBusinessDay(spec.calendar.get(), today);
}

std::optional<ArtifactLocation> ArtifactSlotLocation(const ArtifactSpec& spec,
                                                     const SlotPosition& position) {
  const std::optional<Slot>& slot =
      position.in_force ? position.in_force : (position.pending ? position.pending : position.next);
  if (!slot || spec.sources.empty()) return std::nullopt;
  return ArtifactLocationFor(spec, slot->partition);
}

std::optional<ArtifactLocation> ArtifactSlotLocation(const ArtifactSpec& spec, TimePoint now) {
  if (spec.sources.empty()) return std::nullopt;
  if (spec.max_age) return ArtifactLocationFor(spec, MaxAgePartition(spec, now));
  if (!spec.schedule) return std::nullopt;
  return ArtifactSlotLocation(spec, spec.schedule->Locate(now));
}

std::string DescribeArtifactLocation(const std::optional<ArtifactLocation>& location) {
  if (!location) return "the expected location";
  if (location->partition.empty()) return location->location;
  return location->location + " (partition " + location->partition + ")";
}

}  // namespace freshness
