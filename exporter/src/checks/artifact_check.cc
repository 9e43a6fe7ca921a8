#include "checks/artifact_check.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "checks/check_registry.h"
#include "checks/summary_format.h"
#include "config/time_zones.h"
#include "metrics/metric_names.h"
#include "probes/file_prober.h"
#include "probes/http_prober.h"
#include "probes/s3_prober.h"
#include "probes/scheme_router.h"
#include "schedule/rfc3339.h"
#include "util/check_error.h"
#include "util/suggest.h"

namespace freshness {
namespace {

constexpr const char* kStateLabel = "state";

std::string FormatDay(date::sys_days day) { return date::format("%F", day); }

// Probes each location at most once per evaluation, within one budget for all probes.
class ProbeSession {
 public:
  ProbeSession(const ObjectProber& prober, Duration budget, TimePoint not_after)
      : prober_(prober),
        budget_(budget),
        deadline_(std::chrono::steady_clock::now() + budget),
        not_after_(not_after) {}

  const ObjectInfo& Probe(const std::string& location) {
    if (const auto found = cache_.find(location); found != cache_.end()) return found->second;
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline_ - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) {
      throw CheckError(ErrorReason::kProbe, "timeout: probe budget of " + FormatDuration(budget_) +
                                                " used up before " + DisplayLocation(location));
    }
    ObjectInfo info = prober_.Probe(location, remaining, not_after_);
    return cache_.emplace(location, std::move(info)).first->second;
  }

 private:
  const ObjectProber& prober_;
  Duration budget_;
  std::chrono::steady_clock::time_point deadline_;
  TimePoint not_after_;
  std::map<std::string, ObjectInfo> cache_;
};

// How the sources of a check stand for one slot (or for "now" under max_age).
struct SourceFindings {
  std::optional<ObjectInfo> satisfying;  // newest object that satisfies
  std::optional<ObjectInfo> too_old;     // newest undated object modified before the previous slot
  bool saw_empty = false;
  // Modified after `now`: did not exist yet at the evaluated instant.
  std::optional<TimePoint> future_modified;
};

// The primary source expanded for a partition, safe to show; nullopt when it cannot expand.
std::optional<ArtifactLocation> LocationFor(const ArtifactSpec& spec, date::sys_days partition) {
  const PathTemplate& primary = spec.sources.front();
  const std::optional<std::string> location = primary.Expand(partition);
  if (!location) return std::nullopt;
  return ArtifactLocation{DisplayLocation(*location),
                          primary.dated() ? FormatDay(partition) : std::string()};
}

date::sys_days MaxAgePartition(const ArtifactSpec& spec, TimePoint now) {
  const date::sys_days today = date::sys_days(
      date::floor<date::days>(spec.zone->to_local(date::floor<std::chrono::seconds>(now)))
          .time_since_epoch());
  return spec.partition_date == PartitionDate::kSameDay
             ? today
             : PreviousBusinessDay(spec.calendar.get(), today);
}

// The slot freshness_artifact_slot_info describes: the slot in force, else the pending one,
// else the next one (max_age: now's partition).
std::optional<ArtifactLocation> SlotLocation(const ArtifactSpec& spec,
                                             const SlotPosition& position) {
  const std::optional<Slot>& slot =
      position.in_force ? position.in_force : (position.pending ? position.pending : position.next);
  if (!slot || spec.sources.empty()) return std::nullopt;
  return LocationFor(spec, slot->partition);
}

std::optional<ArtifactLocation> SlotLocation(const ArtifactSpec& spec, TimePoint now) {
  if (spec.sources.empty()) return std::nullopt;
  if (spec.max_age) return LocationFor(spec, MaxAgePartition(spec, now));
  if (!spec.schedule) return std::nullopt;
  return SlotLocation(spec, spec.schedule->Locate(now));
}

// "/data/x.csv (partition 2026-07-07)", or the bare location for undated sources.
std::string Where(const std::optional<ArtifactLocation>& location) {
  if (!location) return "the expected location";
  if (location->partition.empty()) return location->location;
  return location->location + " (partition " + location->partition + ")";
}

class Evaluator {
 public:
  Evaluator(const ArtifactSpec& spec, const ObjectProber& prober, TimePoint now, Duration budget,
            std::optional<MissedSlotsMemo>& memo)
      : spec_(spec),
        session_(prober, budget, now + ArtifactCheck::kClockSkewTolerance),
        now_(now),
        memo_(memo) {}

  ArtifactEvaluation Run() {
    if (spec_.max_age) return RunMaxAge();
    return RunSchedule();
  }

 private:
  std::string Expand(const PathTemplate& source, date::sys_days partition) const {
    std::optional<std::string> location = source.Expand(partition);
    if (!location) {
      throw CheckError(ErrorReason::kProbe,
                       "template \"" + DisplayLocation(source.text()) + "\" cannot expand for " +
                           FormatDay(partition) + " (longer than " +
                           std::to_string(PathTemplate::kMaxExpandedLength) + " characters)");
    }
    return *location;
  }

  // `previous_due`: due time of the slot before, which undated objects must be newer than.
  SourceFindings Inspect(date::sys_days partition, std::optional<TimePoint> previous_due) {
    SourceFindings findings;
    for (const PathTemplate& source : spec_.sources) {
      const ObjectInfo& info = session_.Probe(Expand(source, partition));
      if (!info.exists) continue;
      if (info.modified > now_ + ArtifactCheck::kClockSkewTolerance) {
        if (!findings.future_modified || info.modified > *findings.future_modified) {
          findings.future_modified = info.modified;
        }
        continue;
      }
      if (info.size && *info.size == 0) {
        findings.saw_empty = true;
        continue;
      }
      const bool recent_enough = source.dated() || !previous_due || info.modified > *previous_due;
      std::optional<ObjectInfo>& slot = recent_enough ? findings.satisfying : findings.too_old;
      if (!slot || info.modified > slot->modified) slot = info;
    }
    return findings;
  }

  std::optional<TimePoint> PreviousDue(const Slot& slot) const {
    const std::optional<Slot> previous = spec_.schedule->LatestBefore(slot.due, false);
    if (!previous) return std::nullopt;
    return previous->due;
  }

  SourceFindings InspectSlot(const Slot& slot) {
    return Inspect(slot.partition, PreviousDue(slot));
  }

  // Why a slot is not satisfied when nothing usable was found ("" when simply absent).
  static std::string NothingThere(const SourceFindings& findings) {
    if (findings.saw_empty) return ", only empty objects";
    if (findings.future_modified) {
      return ", not yet at this instant (modified " + FormatRfc3339(*findings.future_modified) +
             ")";
    }
    return "";
  }

  std::string WhereFor(date::sys_days partition) const {
    return Where(LocationFor(spec_, partition));
  }

  ArtifactEvaluation RunMaxAge() {
    ArtifactEvaluation result;
    const date::sys_days partition = MaxAgePartition(spec_, now_);
    result.slot = LocationFor(spec_, partition);
    const SourceFindings findings = Inspect(partition, std::nullopt);
    if (!findings.satisfying) {
      result.state = ArtifactState::kMissing;
      result.detail = WhereFor(partition) + NothingThere(findings);
      return result;
    }
    result.modified = findings.satisfying->modified;
    result.deadline = *result.modified + *spec_.max_age;
    result.state = now_ <= *result.deadline ? ArtifactState::kFresh : ArtifactState::kStale;
    result.detail = WhereFor(partition) +
                    (result.state == ArtifactState::kFresh ? " within" : " older than") +
                    " max_age " + FormatDuration(*spec_.max_age);
    return result;
  }

  ArtifactEvaluation RunSchedule() {
    ArtifactEvaluation result;
    const ScheduleEvaluator& schedule = *spec_.schedule;
    const SlotPosition position = schedule.Locate(now_);
    result.slot = SlotLocation(spec_, position);
    const auto next_deadline = [&]() -> std::optional<TimePoint> {
      if (position.next) return position.next->deadline;
      return std::nullopt;
    };
    // A pending slot that is already satisfied makes the artifact fresh, whatever the slot in
    // force: the producer has caught up (docs/artifacts.md, "Semantics").
    std::optional<SourceFindings> pending;
    if (position.pending) {
      pending = InspectSlot(*position.pending);
      if (pending->satisfying) {
        result.state = ArtifactState::kFresh;
        result.modified = pending->satisfying->modified;
        result.deadline = next_deadline();
        result.missed_slots = 0;
        result.detail = WhereFor(position.pending->partition) + " delivered";
        return result;
      }
    }
    if (!position.in_force) {
      result.missed_slots = 0;
      if (position.pending) {
        result.state = ArtifactState::kLate;
        result.deadline = position.pending->deadline;
        result.detail = WhereFor(position.pending->partition) + NothingThere(*pending);
      } else {
        result.state = ArtifactState::kUnknown;
        result.deadline = next_deadline();
        result.detail = "no slot due yet";
      }
      return result;
    }
    const Slot& in_force = *position.in_force;
    const SourceFindings current = InspectSlot(in_force);
    if (current.satisfying) {
      result.modified = current.satisfying->modified;
      result.missed_slots = 0;
      if (position.pending) {
        result.state = ArtifactState::kLate;
        result.deadline = position.pending->deadline;
        result.detail = WhereFor(position.pending->partition) + NothingThere(*pending);
      } else {
        result.state = ArtifactState::kFresh;
        result.deadline = next_deadline();
        result.detail = WhereFor(in_force.partition) + " delivered";
      }
      return result;
    }
    result.deadline = in_force.deadline;
    if (current.too_old) {
      result.state = ArtifactState::kStale;
      result.modified = current.too_old->modified;
      result.detail = WhereFor(in_force.partition) + " not updated since the previous slot";
    } else {
      result.state = ArtifactState::kMissing;
      result.detail = WhereFor(in_force.partition) + NothingThere(current);
    }
    // Count the due slots missed since the last satisfied one, looking back a bounded number.
    // Older slots are walked once per slot in force; later collections reuse the count.
    if (memo_ && memo_->in_force_due == in_force.due) {
      result.missed_slots = memo_->missed_slots;
      if (!result.modified) result.modified = memo_->earlier_modified;
      return result;
    }
    std::optional<TimePoint> earlier_modified;
    int missed = 1;
    Slot cursor = in_force;
    while (missed < spec_.missed_slots_lookback) {
      const std::optional<Slot> previous = schedule.LatestBefore(cursor.due, false);
      if (!previous) break;
      const SourceFindings earlier = InspectSlot(*previous);
      if (earlier.satisfying) {
        earlier_modified = earlier.satisfying->modified;
        break;
      }
      ++missed;
      cursor = *previous;
    }
    if (!result.modified) result.modified = earlier_modified;
    result.missed_slots = missed;
    memo_ = MissedSlotsMemo{in_force.due, missed, earlier_modified};
    return result;
  }

  const ArtifactSpec& spec_;
  ProbeSession session_;
  TimePoint now_;
  std::optional<MissedSlotsMemo>& memo_;
};

// The state whose one-hot sample is 1, if any.
std::optional<std::string> StateOf(const Observation& observation) {
  for (const Sample& sample : observation.samples) {
    if (sample.metric == metric::kArtifactState && sample.value == 1) {
      const auto found = sample.labels.find(kStateLabel);
      if (found != sample.labels.end()) return found->second;
    }
  }
  return std::nullopt;
}

std::optional<double> ValueOf(const Observation& observation, const char* name) {
  for (const Sample& sample : observation.samples) {
    if (sample.metric == name) return sample.value;
  }
  return std::nullopt;
}

std::optional<ArtifactLocation> SlotOf(const Observation& observation) {
  for (const Sample& sample : observation.samples) {
    if (sample.metric != metric::kArtifactSlotInfo) continue;
    ArtifactLocation slot;
    if (const auto found = sample.labels.find("location"); found != sample.labels.end()) {
      slot.location = found->second;
    }
    if (const auto found = sample.labels.find("partition"); found != sample.labels.end()) {
      slot.partition = found->second;
    }
    return slot;
  }
  return std::nullopt;
}

bool Contains(const std::vector<ArtifactState>& states, std::string_view name) {
  for (ArtifactState state : states) {
    if (ArtifactStateName(state) == name) return true;
  }
  return false;
}

}  // namespace

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

ArtifactCheck::ArtifactCheck(CheckSpec spec, ArtifactSpec artifact,
                             std::shared_ptr<const ObjectProber> prober)
    : Check(std::move(spec)), artifact_(std::move(artifact)), prober_(std::move(prober)) {}

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

ArtifactEvaluation ArtifactCheck::Evaluate(TimePoint now, Duration budget) const {
  if (artifact_.paused_until && now < *artifact_.paused_until) {
    ArtifactEvaluation paused;
    paused.state = ArtifactState::kPaused;
    paused.detail = "paused until " + FormatRfc3339(*artifact_.paused_until);
    paused.slot = SlotLocation(artifact_, now);
    return paused;
  }
  ArtifactEvaluation result;
  try {
    std::lock_guard<std::mutex> lock(memo_mutex_);
    result = Evaluator(artifact_, *prober_, now, budget, memo_).Run();
  } catch (const CheckError& error) {
    result = ArtifactEvaluation{};
    result.state = ArtifactState::kProbeFailed;
    result.detail = error.what();
    result.failure = Observation::Failure{ErrorReason::kProbe, error.what()};
    result.slot = SlotLocation(artifact_, now);
    return result;
  } catch (const std::exception& error) {
    result = ArtifactEvaluation{};
    result.state = ArtifactState::kProbeFailed;
    result.detail = std::string("probe error: ") + error.what();
    result.failure = Observation::Failure{ErrorReason::kProbe, result.detail};
    result.slot = SlotLocation(artifact_, now);
    return result;
  }
  if (const Calendar* calendar = artifact_.calendar.get()) {
    const date::sys_days today = calendar->LocalDay(now);
    if (calendar->IsPastValidThrough(today)) {
      result.failure = Observation::Failure{
          ErrorReason::kConfig, "calendar \"" + calendar->name() + "\" is valid through " +
                                    FormatDay(*calendar->valid_through()) + " but evaluated on " +
                                    FormatDay(today) + "; extend its holidays and valid_through"};
    }
  }
  return result;
}

Observation ArtifactCheck::Collect(const CollectContext& context) {
  const TimePoint now = context.clock != nullptr ? context.clock->Now() : SystemClock().Now();
  const ArtifactEvaluation evaluation = Evaluate(now, context.budget);
  Observation observation;
  for (ArtifactState state : kAllArtifactStates) {
    observation.samples.push_back(Sample{metric::kArtifactState,
                                         {{kStateLabel, std::string(ArtifactStateName(state))}},
                                         state == evaluation.state ? 1.0 : 0.0,
                                         {}});
  }
  if (evaluation.modified) {
    const double modified = ToUnixSeconds(*evaluation.modified);
    // Modified inside the clock-skew tolerance after now: 0 seconds old, never negative.
    observation.samples.push_back(Sample{metric::kArtifactAge, {}, 0, modified, true});
    observation.samples.push_back(Sample{metric::kArtifactModified, {}, modified, {}});
  }
  if (evaluation.deadline) {
    observation.samples.push_back(
        Sample{metric::kArtifactDeadline, {}, ToUnixSeconds(*evaluation.deadline), {}});
  }
  if (evaluation.missed_slots) {
    observation.samples.push_back(Sample{
        metric::kArtifactMissedSlots, {}, static_cast<double>(*evaluation.missed_slots), {}});
  }
  if (evaluation.slot) {
    observation.samples.push_back(
        Sample{metric::kArtifactSlotInfo,
               {{"location", evaluation.slot->location}, {"partition", evaluation.slot->partition}},
               1,
               {}});
  }
  observation.failure = evaluation.failure;
  observation.detail = evaluation.detail;
  return observation;
}

CheckSummary ArtifactCheck::Summarize(const Observation& observation, TimePoint now) const {
  CheckSummary summary;
  summary.state = StateOf(observation).value_or("unknown");
  summary.artifact = SlotOf(observation);
  const double now_seconds = ToUnixSeconds(now);
  std::string value;
  const auto append = [&value](const std::string& part) {
    value += (value.empty() ? "" : "; ") + part;
  };
  const std::optional<double> modified = ValueOf(observation, metric::kArtifactModified);
  const std::optional<double> deadline = ValueOf(observation, metric::kArtifactDeadline);
  const std::optional<double> missed = ValueOf(observation, metric::kArtifactMissedSlots);
  const auto age_of = [now_seconds](double time) { return std::max(0.0, now_seconds - time); };
  if (summary.state == "probe_failed") {
    append("probe failed");  // the error itself is shown next to the value
  } else if (summary.state == "paused") {
    append(artifact_.paused_until ? "paused until " + FormatRfc3339(*artifact_.paused_until)
                                  : "paused");
  } else {
    if (modified) {
      append("age " + FormatAge(age_of(*modified)));
    } else if (summary.state == "missing") {
      append("nothing there");
    }
    if (deadline) {
      const double delta = *deadline - now_seconds;
      append(delta >= 0 ? "deadline in " + FormatAge(delta) : "overdue " + FormatAge(-delta));
    }
    if (missed && *missed > 0) append(std::to_string(static_cast<long long>(*missed)) + " missed");
    if (summary.state == "unknown" && value.empty()) append("no slot due yet");
  }
  if (observation.failure && observation.failure->reason == ErrorReason::kConfig) {
    append("calendar past valid_through");
  }
  if (spec().mode == "observe") append("observe mode");
  summary.value = value;

  summary.paused = summary.state == "paused";
  if (Contains(artifact_.error_on, summary.state)) {
    summary.level = Level::kCritical;
  } else if (Contains(artifact_.warn_on, summary.state)) {
    summary.level = Level::kWarning;
  }
  // The reason: the state, where, and how the deadline stands.
  std::string reason = summary.state;
  const std::string detail =
      observation.detail.empty() ? Where(summary.artifact) : observation.detail;
  if (summary.state == "paused") {
    reason = detail;
  } else if (summary.state == "probe_failed") {
    reason += ": " + detail;
  } else {
    reason += ": " + detail;
    if (summary.state == "fresh" && modified) {
      reason += ", modified " + FormatAge(age_of(*modified)) + " ago";
    } else if (deadline) {
      const double delta = *deadline - now_seconds;
      if (summary.state == "unknown") {
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
  for (ArtifactState state : artifact_.warn_on) {
    samples.push_back(
        Sample{metric::kArtifactStateSeverity,
               {{"state", std::string(ArtifactStateName(state))}, {"severity", "warning"}},
               1,
               {}});
  }
  for (ArtifactState state : artifact_.error_on) {
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
  for (ArtifactState state : artifact_.warn_on) warn.push_back(ArtifactStateName(state));
  for (ArtifactState state : artifact_.error_on) error.push_back(ArtifactStateName(state));
  nlohmann::json out = {{"warn_on", warn}, {"error_on", error}};
  if (artifact_.max_age) {
    out["max_age"] = std::chrono::duration<double>(*artifact_.max_age).count();
  } else if (artifact_.schedule) {
    out["grace"] = std::chrono::duration<double>(artifact_.schedule->grace()).count();
  }
  return out;
}

namespace {

PathTemplate ReadTemplate(MappingReader& reader, const YAML::Node& node, const std::string& key,
                          const std::string& text, const ConfigData& config) {
  std::string location = text;
  const std::size_t scheme_end = location.find("://");
  if (scheme_end != std::string::npos) {
    const std::string scheme = location.substr(0, scheme_end);
    if (scheme != "file" && scheme != "http" && scheme != "https" && scheme != "s3") {
      reader.FailAt(
          node, key,
          "unsupported scheme \"" + scheme + "\" (use a path, file://, http(s):// or s3://)");
    }
    const std::string rest = location.substr(scheme_end + 3);
    if (scheme == "s3") {
      const std::size_t slash = rest.find('/');
      if (slash == 0 || slash == std::string::npos || slash + 1 == rest.size()) {
        reader.FailAt(node, key, "expected s3://bucket/key");
      }
    }
    if (scheme == "http" || scheme == "https") {
      const std::string authority = rest.substr(0, rest.find_first_of("/?#"));
      if (authority.empty()) reader.FailAt(node, key, "URL has no host");
      if (authority.find('@') != std::string::npos) {
        reader.FailAt(node, key, "credentials in the URL are not allowed");
      }
    }
  }
  if (SchemeOf(location) == SourceScheme::kFile) {
    // Relative paths are relative to the config file, like holidays_file.
    const std::string path = FilePathOf(location);
    if (path.empty()) reader.FailAt(node, key, "empty path");
    if (!std::filesystem::path(path).is_absolute()) {
      location =
          (std::filesystem::path(config.file).parent_path() / path).lexically_normal().string();
    } else {
      location = path;
    }
  }
  try {
    return PathTemplate(location);
  } catch (const std::invalid_argument& error) {
    reader.FailAt(node, key, std::string("invalid template: ") + error.what());
  }
}

S3Options ReadS3Options(MappingReader& reader, const ConfigData& config) {
  S3Options options;
  std::optional<MappingReader> s3 = reader.OptionalMapping("s3");
  if (!s3) return options;
  s3->ExpectKeys({"endpoint", "region", "path_style", "profile", "credentials_file"});
  options.endpoint = s3->String("endpoint", "");
  if (!options.endpoint.empty() && options.endpoint.rfind("http://", 0) != 0 &&
      options.endpoint.rfind("https://", 0) != 0) {
    s3->FailAt(s3->Raw("endpoint"), "endpoint", "expected an http:// or https:// URL");
  }
  options.region = s3->String("region", "");
  if (s3->Has("path_style")) options.path_style = s3->Bool("path_style", false);
  s3->Raw("path_style");
  options.profile = s3->String("profile", "");
  options.credentials_file = s3->String("credentials_file", "");
  if (!options.credentials_file.empty() &&
      !std::filesystem::path(options.credentials_file).is_absolute()) {
    options.credentials_file =
        (std::filesystem::path(config.file).parent_path() / options.credentials_file)
            .lexically_normal()
            .string();
  }
  s3->RejectUnknownKeys();
  return options;
}

// warn_on / error_on: lists of late, stale, missing (or `off`), disjoint.
std::vector<ArtifactState> ReadStates(MappingReader& reader, const std::string& key) {
  const YAML::Node node = reader.Raw(key);
  std::vector<ArtifactState> states;
  if (node.IsScalar() && node.Scalar() == "off") return states;
  const std::vector<std::string> names = reader.StringList(key, true);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const YAML::Node item = node.IsSequence() ? node[i] : node;
    const std::string& name = names[i];
    if (name == "probe_failed") {
      reader.FailAt(item, key,
                    "\"probe_failed\" cannot be a tier: probe failures are reported by "
                    "FreshnessCheckFailing");
    }
    if (name == "paused" || name == "unknown") {
      reader.FailAt(item, key,
                    "\"" + name + "\" cannot be a tier: a paused or unknown artifact is not late");
    }
    if (name == "fresh") {
      reader.FailAt(item, key, "\"fresh\" cannot be a tier: it is the state the check expects");
    }
    const std::vector<std::string> allowed = {"late", "stale", "missing"};
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      reader.FailAt(item, key,
                    "unknown state \"" + name + "\" (allowed: late, stale, missing)" +
                        DidYouMean(name, allowed));
    }
    const ArtifactState state = *ParseArtifactState(name);
    if (std::find(states.begin(), states.end(), state) == states.end()) states.push_back(state);
  }
  return states;
}

void ReadAlertStates(MappingReader& reader, ArtifactSpec& artifact) {
  const bool warn_set = reader.Has("warn_on");
  const bool error_set = reader.Has("error_on");
  if (warn_set) artifact.warn_on = ReadStates(reader, "warn_on");
  reader.Raw("warn_on");
  if (error_set) artifact.error_on = ReadStates(reader, "error_on");
  reader.Raw("error_on");
  for (ArtifactState state : artifact.error_on) {
    const auto found = std::find(artifact.warn_on.begin(), artifact.warn_on.end(), state);
    if (found == artifact.warn_on.end()) continue;
    // The default warn_on gives way to states the config puts in error_on.
    if (!warn_set) {
      artifact.warn_on.erase(found);
      continue;
    }
    reader.Fail("error_on", "\"" + std::string(ArtifactStateName(state)) +
                                "\" is in both warn_on and error_on; a state alerts with one "
                                "severity, so keep it in one list");
  }
}

std::string WeekdayName(unsigned weekday) {
  static const char* const kNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  return kNames[weekday % 7];
}

// A schedule with no due slot in the next 366 days of its calendar can never alert: an error
// that says why (no such date, the calendar's weekend, its holidays) and what to change.
void RejectScheduleWithoutSlots(MappingReader& expect, const std::string& check_name,
                                const ScheduleEvaluator& schedule, TimePoint from) {
  constexpr int kDays = 366;
  const TimePoint limit = from + date::days(kDays);
  const std::optional<Slot> next = schedule.EarliestAfter(from);
  if (next && next->due <= limit) return;
  const std::string text = schedule.cron().text();
  const Calendar* calendar = schedule.calendar();
  std::set<unsigned> firing_weekdays;
  const date::sys_days first = schedule.LocalDay(from);
  for (int offset = 0; offset <= kDays; ++offset) {
    const date::sys_days day = first + date::days(offset);
    const date::year_month_day ymd(day);
    const unsigned weekday = date::weekday(day).c_encoding();
    if (schedule.cron().MatchesDay(static_cast<unsigned>(ymd.month()),
                                   static_cast<unsigned>(ymd.day()), weekday)) {
      firing_weekdays.insert(weekday);
    }
  }
  std::string message =
      "schedule \"" + text + "\" has no due slot in the next " + std::to_string(kDays) + " days";
  if (calendar == nullptr || firing_weekdays.empty()) {
    message += (calendar != nullptr ? " of calendar \"" + calendar->name() + "\"" : "") +
               ": it matches no date; fix its day-of-month, month or day-of-week fields";
  } else {
    message += " of calendar \"" + calendar->name() + "\": ";
    std::string weekend_days;
    bool all_weekend = true;
    for (unsigned weekday : firing_weekdays) {
      if (calendar->weekend_days().count(weekday) == 0) {
        all_weekend = false;
        break;
      }
      weekend_days += (weekend_days.empty() ? "" : ", ") + WeekdayName(weekday);
    }
    if (all_weekend) {
      message +=
          "the calendar's weekend includes every day this schedule fires; fire on a business "
          "day, or remove " +
          weekend_days + " from the calendar's weekend";
    } else {
      message +=
          "every day this schedule fires is a weekend day or holiday of the calendar; fire on "
          "a business day, or check the calendar's holidays";
    }
  }
  const YAML::Node schedule_node = expect.Raw("schedule");
  throw ConfigError(
      schedule_node.Mark().is_null() ? expect.MarkOf("schedule")
                                     : ToSourceMark(expect.file(), schedule_node.Mark()),
      expect.path().substr(0, expect.path().rfind('.')) + " (" + check_name + ")", message);
}

}  // namespace

std::shared_ptr<Check> MakeArtifactCheck(CheckSpec spec, MappingReader& reader,
                                         const ConfigData& config) {
  ArtifactSpec artifact;
  const std::string source = reader.RequiredString("source");
  artifact.sources.push_back(ReadTemplate(reader, reader.Raw("source"), "source", source, config));
  const std::vector<std::string> any_of = reader.StringList("any_of", true);
  const YAML::Node any_of_node = reader.Raw("any_of");
  for (std::size_t i = 0; i < any_of.size(); ++i) {
    const YAML::Node item = any_of_node.IsSequence() ? any_of_node[i] : any_of_node;
    artifact.sources.push_back(
        ReadTemplate(reader, item, "any_of[" + std::to_string(i) + "]", any_of[i], config));
  }

  if (auto calendar = CalendarKey(reader, config)) artifact.calendar = std::move(calendar);
  const Duration grace = reader.DurationValue("grace", Duration(0));
  if (const std::optional<std::string> text = reader.OptionalString("paused_until")) {
    artifact.paused_until = ParseRfc3339(*text);
    if (!artifact.paused_until) {
      reader.FailAt(reader.Raw("paused_until"), "paused_until",
                    "invalid timestamp \"" + *text + "\" (RFC 3339, e.g. 2026-07-10T00:00:00Z)");
    }
  }
  artifact.missed_slots_lookback =
      static_cast<int>(reader.Integer("missed_slots_lookback", 31, 1, 1000));

  ReadAlertStates(reader, artifact);
  if (artifact.warn_on.empty() && artifact.error_on.empty()) {
    RejectAllTiersOff(reader, spec.name, spec.mode, {"warn_on", "error_on"});
  }
  if (!reader.Has("expect")) reader.Fail("expect", "is required (schedule or max_age)");
  MappingReader expect = reader.Mapping("expect");
  expect.ExpectKeys({"schedule", "max_age", "as_of", "timezone"});
  const std::optional<std::string> schedule_text = expect.OptionalString("schedule");
  artifact.max_age = expect.OptionalDuration("max_age");
  if (schedule_text.has_value() == artifact.max_age.has_value()) {
    expect.Fail("", "exactly one of schedule or max_age is required");
  }
  if (artifact.max_age && artifact.max_age->count() <= 0)
    expect.Fail("max_age", "must be positive");
  const std::string as_of = expect.Enum("as_of", {"same_day", "previous_business_day"}, "same_day");
  artifact.partition_date =
      as_of == "same_day" ? PartitionDate::kSameDay : PartitionDate::kPreviousBusinessDay;
  std::string zone_name = config.global.timezone;
  if (artifact.calendar) zone_name = artifact.calendar->zone()->name();
  if (expect.Has("timezone")) zone_name = expect.String("timezone", zone_name);
  expect.Raw("timezone");
  artifact.zone = LocateZoneOrFail(expect, "timezone", zone_name);
  if (schedule_text) {
    try {
      artifact.schedule.emplace(CronExpression(*schedule_text), artifact.zone, artifact.calendar,
                                grace, artifact.partition_date);
    } catch (const std::invalid_argument& error) {
      expect.FailAt(expect.Raw("schedule"), "schedule",
                    "invalid cron expression \"" + *schedule_text + "\": " + error.what());
    }
  }
  expect.RejectUnknownKeys();
  if (artifact.schedule) {
    RejectScheduleWithoutSlots(expect, spec.name, *artifact.schedule, config.loaded_at);
  }

  bool uses_http = false;
  bool uses_s3 = false;
  for (const PathTemplate& path : artifact.sources) {
    uses_http = uses_http || SchemeOf(path.text()) == SourceScheme::kHttp;
    uses_s3 = uses_s3 || SchemeOf(path.text()) == SourceScheme::kS3;
  }
  const S3Options s3_options = ReadS3Options(reader, config);
  auto prober = std::make_shared<SchemeRouter>(
      std::make_shared<FileProber>(), uses_http ? std::make_shared<HttpProber>() : nullptr,
      uses_s3 ? std::make_shared<S3Prober>(s3_options) : nullptr);
  return std::make_shared<ArtifactCheck>(std::move(spec), std::move(artifact), std::move(prober));
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
