#include "checks/artifact_check.h"

#include <filesystem>
#include <map>

#include "checks/summary_format.h"
#include "metrics/metric_names.h"
#include "probes/file_prober.h"
#include "probes/http_prober.h"
#include "probes/s3_prober.h"
#include "probes/scheme_router.h"
#include "schedule/rfc3339.h"
#include "util/check_error.h"

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
  bool saw_future = false;  // modified after `now`: did not exist yet at the evaluated instant
};

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
        findings.saw_future = true;
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

  static std::string NothingThere(const SourceFindings& findings) {
    if (findings.saw_empty) return "only empty objects";
    if (findings.saw_future) return "nothing yet at this instant";
    return "nothing there";
  }

  ArtifactEvaluation RunMaxAge() {
    ArtifactEvaluation result;
    const date::sys_days today = date::sys_days(
        date::floor<date::days>(spec_.zone->to_local(date::floor<std::chrono::seconds>(now_)))
            .time_since_epoch());
    const date::sys_days partition = spec_.partition_date == PartitionDate::kSameDay
                                         ? today
                                         : PreviousBusinessDay(spec_.calendar.get(), today);
    const SourceFindings findings = Inspect(partition, std::nullopt);
    if (!findings.satisfying) {
      result.state = ArtifactState::kMissing;
      result.detail = NothingThere(findings);
      return result;
    }
    result.modified = findings.satisfying->modified;
    result.deadline = *result.modified + *spec_.max_age;
    result.state = now_ <= *result.deadline ? ArtifactState::kFresh : ArtifactState::kStale;
    result.detail = "max_age " + FormatDuration(*spec_.max_age);
    return result;
  }

  ArtifactEvaluation RunSchedule() {
    ArtifactEvaluation result;
    const ScheduleEvaluator& schedule = *spec_.schedule;
    const SlotPosition position = schedule.Locate(now_);
    const auto next_deadline = [&]() -> std::optional<TimePoint> {
      if (position.next) return position.next->deadline;
      return std::nullopt;
    };
    if (position.pending) {
      const SourceFindings pending = InspectSlot(*position.pending);
      if (pending.satisfying) {
        result.state = ArtifactState::kFresh;
        result.modified = pending.satisfying->modified;
        result.deadline = next_deadline();
        result.missed_slots = 0;
        result.detail = "slot " + FormatDay(position.pending->partition) + " delivered";
        return result;
      }
    }
    if (!position.in_force) {
      result.missed_slots = 0;
      if (position.pending) {
        result.state = ArtifactState::kLate;
        result.deadline = position.pending->deadline;
        result.detail = "due, inside its grace";
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
        result.detail = "due, inside its grace";
      } else {
        result.state = ArtifactState::kFresh;
        result.deadline = next_deadline();
        result.detail = "slot " + FormatDay(in_force.partition) + " delivered";
      }
      return result;
    }
    result.deadline = in_force.deadline;
    if (current.too_old) {
      result.state = ArtifactState::kStale;
      result.modified = current.too_old->modified;
      result.detail = "not updated since the previous slot";
    } else {
      result.state = ArtifactState::kMissing;
      result.detail = NothingThere(current) + " for slot " + FormatDay(in_force.partition);
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
  };
}

ArtifactEvaluation ArtifactCheck::Evaluate(TimePoint now, Duration budget) const {
  if (artifact_.paused_until && now < *artifact_.paused_until) {
    ArtifactEvaluation paused;
    paused.state = ArtifactState::kPaused;
    paused.detail = "paused until " + FormatRfc3339(*artifact_.paused_until);
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
    return result;
  } catch (const std::exception& error) {
    result = ArtifactEvaluation{};
    result.state = ArtifactState::kProbeFailed;
    result.detail = std::string("probe error: ") + error.what();
    result.failure = Observation::Failure{ErrorReason::kProbe, result.detail};
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
    observation.samples.push_back(Sample{metric::kArtifactAge, {}, 0, modified});
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
  observation.failure = evaluation.failure;
  return observation;
}

CheckSummary ArtifactCheck::Summarize(const Observation& observation, TimePoint now) const {
  CheckSummary summary;
  summary.state = StateOf(observation).value_or("unknown");
  const double now_seconds = ToUnixSeconds(now);
  std::string value;
  const auto append = [&value](const std::string& part) {
    value += (value.empty() ? "" : "; ") + part;
  };
  if (summary.state == "probe_failed") {
    append("probe failed");  // the error itself is shown next to the value
  } else if (summary.state == "paused") {
    append(artifact_.paused_until ? "paused until " + FormatRfc3339(*artifact_.paused_until)
                                  : "paused");
  } else {
    if (const std::optional<double> modified = ValueOf(observation, metric::kArtifactModified)) {
      append("age " + FormatAge(now_seconds - *modified));
    } else if (summary.state == "missing") {
      append("nothing there");
    }
    if (const std::optional<double> deadline = ValueOf(observation, metric::kArtifactDeadline)) {
      const double delta = *deadline - now_seconds;
      append(delta >= 0 ? "deadline in " + FormatAge(delta) : "overdue " + FormatAge(-delta));
    }
    if (const std::optional<double> missed = ValueOf(observation, metric::kArtifactMissedSlots)) {
      if (*missed > 0) append(std::to_string(static_cast<long long>(*missed)) + " missed");
    }
    if (summary.state == "unknown" && value.empty()) append("no slot due yet");
  }
  if (observation.failure && observation.failure->reason == ErrorReason::kConfig) {
    append("calendar past valid_through");
  }
  if (spec().mode == "observe") append("observe mode");
  summary.value = value;
  summary.healthy =
      summary.state != "stale" && summary.state != "missing" && summary.state != "probe_failed";
  return summary;
}

namespace {

PathTemplate ReadTemplate(MappingReader& reader, const YAML::Node& node, const std::string& key,
                          const std::string& text, const Config& config) {
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

const date::time_zone* LocateZone(MappingReader& reader, const std::string& key,
                                  const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    reader.FailAt(reader.Raw(key), key, "unknown time zone \"" + name + "\"");
  }
}

S3Options ReadS3Options(MappingReader& reader, const Config& config) {
  S3Options options;
  std::optional<MappingReader> s3 = reader.OptionalMapping("s3");
  if (!s3) return options;
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

}  // namespace

std::shared_ptr<Check> MakeArtifactCheck(CheckSpec spec, MappingReader& reader,
                                         const Config& config) {
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

  if (const std::optional<std::string> name = reader.OptionalString("calendar")) {
    const auto found = config.calendars.find(*name);
    if (found == config.calendars.end()) {
      reader.FailAt(reader.Raw("calendar"), "calendar", "unknown calendar \"" + *name + "\"");
    }
    artifact.calendar = found->second;
  }
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

  if (!reader.Has("expect")) reader.Fail("expect", "is required (schedule or max_age)");
  MappingReader expect = reader.Mapping("expect");
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
  artifact.zone = LocateZone(expect, "timezone", zone_name);
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

}  // namespace freshness
