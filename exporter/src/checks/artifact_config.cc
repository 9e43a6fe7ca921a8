#include "checks/artifact_config.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "checks/thresholds.h"
#include "config/time_zones.h"
#include "probes/scheme_router.h"
#include "schedule/rfc3339.h"
#include "util/suggest.h"

namespace freshness {
namespace {

PathTemplate ReadTemplate(MappingReader& reader, const YAML::Node& node, const std::string& key,
                          const std::string& text, const ConfigData& config) {
  std::string location = text;
  const ProbeScheme* scheme = FindProbeScheme(location);
  if (scheme == nullptr) {
    reader.FailAt(node, key,
                  "unsupported scheme \"" + UrlSchemeOf(location).value_or("") + "\" (use " +
                      ProbeSchemeChoices() + ")");
  }
  if (const std::optional<std::string> error = scheme->validate(location)) {
    reader.FailAt(node, key, *error);
  }
  if (scheme->resolve) {
    location = scheme->resolve(location, std::filesystem::path(config.file).parent_path().string());
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

ArtifactConfig ReadArtifactConfig(const CheckSpec& check, MappingReader& reader,
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
    RejectAllTiersOff(reader, check.name, check.mode, {"warn_on", "error_on"});
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
    RejectScheduleWithoutSlots(expect, check.name, *artifact.schedule, config.loaded_at);
  }
  return ArtifactConfig{std::move(artifact), ProbeOptions{ReadS3Options(reader, config)}};
}

std::shared_ptr<const ObjectProber> MakeArtifactProber(const ArtifactSpec& spec,
                                                       const ProbeOptions& options) {
  std::map<const ProbeScheme*, std::shared_ptr<const ObjectProber>> probers;
  for (const PathTemplate& path : spec.sources) {
    const ProbeScheme* scheme = FindProbeScheme(path.text());
    if (scheme != nullptr && probers.count(scheme) == 0) {
      probers.emplace(scheme, scheme->factory(options));
    }
  }
  return std::make_shared<SchemeRouter>(std::move(probers));
}

}  // namespace freshness
