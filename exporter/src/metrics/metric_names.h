#pragma once

// Metric names shared by the exporter, the rules and the dashboards (see the metrics table in
// README.md).
namespace freshness::metric {

inline constexpr const char* kLagSeconds = "freshness_lag_seconds";
inline constexpr const char* kLastEventTimestamp = "freshness_last_event_timestamp_seconds";
inline constexpr const char* kUnfinishedRuns = "freshness_unfinished_runs";
inline constexpr const char* kOldestUnfinishedRunAge =
    "freshness_oldest_unfinished_run_age_seconds";
inline constexpr const char* kFailedRuns = "freshness_failed_runs";
inline constexpr const char* kConsecutiveFailedRuns = "freshness_consecutive_failed_runs";
inline constexpr const char* kLastSuccessfulRunTimestamp =
    "freshness_last_successful_run_timestamp_seconds";
inline constexpr const char* kLastSuccessfulRunAge = "freshness_last_successful_run_age_seconds";
inline constexpr const char* kVolumeObservedRows = "freshness_volume_observed_rows";
inline constexpr const char* kVolumeExpectedRows = "freshness_volume_expected_rows";
inline constexpr const char* kVolumeRatio = "freshness_volume_ratio";
inline constexpr const char* kDuplicateExecutions = "freshness_duplicate_executions";
inline constexpr const char* kArtifactAge = "freshness_artifact_age_seconds";
inline constexpr const char* kArtifactModified = "freshness_artifact_modified_timestamp_seconds";
inline constexpr const char* kArtifactState = "freshness_artifact_state";
inline constexpr const char* kArtifactDeadline = "freshness_artifact_deadline_timestamp_seconds";
inline constexpr const char* kArtifactMissedSlots = "freshness_artifact_missed_slots";
inline constexpr const char* kArtifactSlotInfo = "freshness_artifact_slot_info";
inline constexpr const char* kArtifactStateSeverity = "freshness_artifact_state_severity";
inline constexpr const char* kCheckThreshold = "freshness_check_threshold";
inline constexpr const char* kCheckFor = "freshness_check_for_seconds";
inline constexpr const char* kQueryThreshold = "freshness_query_threshold";
inline constexpr const char* kCheckInfo = "freshness_check_info";
inline constexpr const char* kCheckActive = "freshness_check_active";
inline constexpr const char* kCheckActiveFor = "freshness_check_active_for_seconds";
inline constexpr const char* kCheckMaintenance = "freshness_check_maintenance";
inline constexpr const char* kCheckCollections = "freshness_check_collections_total";
inline constexpr const char* kCheckInterval = "freshness_check_interval_seconds";
inline constexpr const char* kSloObjective = "freshness_slo_objective";
inline constexpr const char* kSloWindow = "freshness_slo_window_seconds";
inline constexpr const char* kSloCounting = "freshness_slo_counting";
inline constexpr const char* kCheckSuccess = "freshness_check_success";
inline constexpr const char* kCheckDuration = "freshness_check_duration_seconds";
inline constexpr const char* kCheckLastSuccess = "freshness_check_last_success_timestamp_seconds";
inline constexpr const char* kCheckErrors = "freshness_check_errors_total";
inline constexpr const char* kTargetUp = "freshness_target_up";
inline constexpr const char* kLastCollection = "freshness_last_collection_timestamp_seconds";
inline constexpr const char* kCalendarValidThrough =
    "freshness_calendar_valid_through_timestamp_seconds";
inline constexpr const char* kConfigReloadSuccessful = "freshness_config_last_reload_successful";
inline constexpr const char* kConfigReloadSuccessTimestamp =
    "freshness_config_last_reload_success_timestamp_seconds";
inline constexpr const char* kBuildInfo = "freshness_exporter_build_info";

}  // namespace freshness::metric
