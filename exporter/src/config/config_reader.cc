#include "config/config_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "config/label_names.h"
#include "config/mapping_reader.h"
#include "config/time_zones.h"
#include "schedule/rfc3339.h"
#include "util/check_error.h"
#include "util/suggest.h"

namespace freshness {
namespace {

const std::regex kCheckName("^[A-Za-z0-9_.:-]+$");
// How far ahead an `active` window must open at least once.
constexpr int kActiveLookaheadDays = 14;

std::filesystem::path BaseDir(const std::string& file) {
  return std::filesystem::path(file).parent_path();
}

std::string ResolveRelative(const std::string& file, const std::string& path) {
  const std::filesystem::path candidate(path);
  if (candidate.is_absolute()) return path;
  return (BaseDir(file) / candidate).lexically_normal().string();
}

YAML::Node ParseYaml(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& error) {
    throw ConfigError(ToSourceMark(file, error.mark), "", "invalid YAML: " + error.msg);
  }
}

template <typename Map>
std::vector<std::string> KeysOf(const Map& map) {
  std::vector<std::string> keys;
  for (const auto& entry : map) keys.push_back(entry.first);
  return keys;
}

std::string FormatDay(date::sys_days day) { return date::format("%F", day); }

std::vector<std::string> KindNames(const std::vector<CheckKindSyntax>& kinds) {
  std::vector<std::string> names;
  for (const CheckKindSyntax& kind : kinds) names.push_back(kind.name);
  return names;
}

// The kind must be one of `kinds` (the reader checked it with Enum).
const CheckKindSyntax& KindOf(const std::vector<CheckKindSyntax>& kinds, const std::string& kind) {
  return *std::find_if(kinds.begin(), kinds.end(),
                       [&kind](const CheckKindSyntax& each) { return each.name == kind; });
}

void ReadGlobal(MappingReader reader, GlobalConfig& global) {
  reader.ExpectKeys({"interval", "timeout", "timezone", "labels"});
  global.interval = reader.DurationValue("interval", global.interval);
  if (global.interval.count() <= 0) reader.Fail("interval", "must be positive");
  global.timeout = reader.DurationValue("timeout", global.timeout);
  if (global.timeout.count() <= 0) reader.Fail("timeout", "must be positive");
  global.timezone = reader.String("timezone", global.timezone);
  LocateZoneOrFail(reader, "timezone", global.timezone);
  global.labels = reader.StringMap("labels");
  MappingReader labels = reader.Mapping("labels");
  for (const auto& [name, value] : global.labels) {
    if (const std::optional<std::string> problem = LabelNameProblem(name)) {
      labels.Fail(name, "cannot be a label name: " + *problem);
    }
  }
  reader.RejectUnknownKeys();
}

// `maintenance:` of a check or a target: one-off {start, end} and recurring
// {weekdays, hours, timezone} windows.
std::vector<std::shared_ptr<const MaintenanceWindow>> ReadMaintenance(MappingReader& parent,
                                                                      const ConfigData& config,
                                                                      const std::string& origin,
                                                                      const std::string& whose) {
  std::vector<std::shared_ptr<const MaintenanceWindow>> windows;
  const YAML::Node list = parent.Raw("maintenance");
  if (!list.IsDefined() || list.IsNull()) return windows;
  if (!list.IsSequence()) parent.FailAt(list, "maintenance", "expected a list");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string key = "maintenance[" + std::to_string(i) + "]";
    if (!list[i].IsMap()) parent.FailAt(list[i], key, "expected a mapping");
    MappingReader item(list[i], parent.file(), parent.KeyPath(key));
    item.ExpectKeys({"start", "end", "weekdays", "hours", "timezone"});
    const bool one_off = item.Has("start") || item.Has("end");
    const bool recurring = item.Has("weekdays") || item.Has("hours") || item.Has("timezone");
    if (one_off == recurring) {
      item.Fail("", one_off ? "either {start, end} (one-off) or {weekdays, hours, timezone} "
                              "(recurring), not both"
                            : "expected {start, end} (one-off) or {weekdays, hours, timezone} "
                              "(recurring)");
    }
    if (one_off) {
      const auto instant = [&item](const std::string& name) {
        const std::string text = item.RequiredString(name);
        const std::optional<TimePoint> parsed = ParseRfc3339(text);
        if (!parsed) {
          item.FailAt(item.Raw(name), name,
                      "invalid timestamp \"" + text + "\" (RFC 3339, e.g. 2026-07-10T02:00:00Z)");
        }
        return *parsed;
      };
      const TimePoint start = instant("start");
      const TimePoint end = instant("end");
      if (end <= start) item.FailAt(item.Raw("end"), "end", "must be after start");
      windows.push_back(
          std::make_shared<const MaintenanceWindow>(MaintenanceWindow::OneOff(start, end, origin)));
      continue;
    }
    std::set<unsigned> weekdays;
    if (item.Has("weekdays")) {
      const std::vector<std::string> names = item.StringList("weekdays", true);
      for (std::size_t j = 0; j < names.size(); ++j) {
        const std::optional<unsigned> weekday = ParseWeekday(names[j]);
        if (!weekday) {
          const YAML::Node node = item.Raw("weekdays");
          item.FailAt(node.IsSequence() ? node[j] : node, "weekdays",
                      "invalid weekday \"" + names[j] + "\" (sun, mon, tue, wed, thu, fri, sat)");
        }
        weekdays.insert(*weekday);
      }
      if (weekdays.empty()) item.Fail("weekdays", "must not be empty");
    } else {
      item.Raw("weekdays");
      weekdays = {0, 1, 2, 3, 4, 5, 6};
    }
    const std::string hours_text = item.String("hours", "00:00-24:00");
    DailyHours hours;
    try {
      hours = DailyHours::Parse(hours_text);
    } catch (const std::invalid_argument& error) {
      item.FailAt(item.Raw("hours"), "hours", error.what());
    }
    if (hours.empty()) item.FailAt(item.Raw("hours"), "hours", "must not be empty");
    const std::string zone_name = item.String("timezone", config.global.timezone);
    const date::time_zone* zone = LocateZoneOrFail(item, "timezone", zone_name);
    item.RejectUnknownKeys();
    auto window = std::make_shared<const MaintenanceWindow>(
        MaintenanceWindow::Recurring(std::move(weekdays), std::move(hours), zone, origin));
    if (window->CoversAllTime()) {
      item.Fail("", "covers all time (every weekday, 00:00-24:00), so " + whose +
                        " would always be in maintenance; narrow its weekdays or hours");
    }
    windows.push_back(std::move(window));
  }
  return windows;
}

void ReadTargets(MappingReader reader, ConfigData& config) {
  if (!reader.node().IsDefined() || reader.node().IsNull()) return;
  for (const auto& entry : reader.node()) {
    const std::string name = entry.first.Scalar();
    MappingReader target_reader = reader.Mapping(name);
    target_reader.ExpectKeys({"dsn_env", "dsn_file", "max_connections", "maintenance"});
    TargetConfig target;
    target.name = name;
    target.mark = reader.MarkOf(name);
    target.dsn_env = target_reader.String("dsn_env", "");
    target.dsn_file = target_reader.String("dsn_file", "");
    if (target.dsn_env.empty() == target.dsn_file.empty()) {
      target_reader.Fail("", "exactly one of dsn_env or dsn_file is required");
    }
    if (!target.dsn_file.empty()) target.dsn_file = ResolveRelative(config.file, target.dsn_file);
    target.max_connections =
        static_cast<int>(target_reader.Integer("max_connections", target.max_connections, 1, 64));
    target.maintenance =
        ReadMaintenance(target_reader, config, "target " + name, "every check of target " + name);
    target_reader.RejectUnknownKeys();
    config.targets.emplace(name, std::move(target));
  }
}

std::map<date::sys_days, std::string> ReadHolidayMap(MappingReader& reader, const YAML::Node& node,
                                                     const std::string& key) {
  std::map<date::sys_days, std::string> holidays;
  if (!node.IsDefined() || node.IsNull()) return holidays;
  if (!node.IsMap()) reader.FailAt(node, key, "expected a mapping of YYYY-MM-DD: name");
  for (const auto& entry : node) {
    const std::string day_text = entry.first.Scalar();
    const std::optional<date::sys_days> day = ParseIsoDate(day_text);
    if (!day) reader.FailAt(entry.first, key, "invalid date \"" + day_text + "\"");
    holidays[*day] = entry.second.IsScalar() ? entry.second.Scalar() : "";
  }
  return holidays;
}

std::optional<date::sys_days> ReadIsoDate(MappingReader& reader, const std::string& key) {
  const std::optional<std::string> text = reader.OptionalString(key);
  if (!text) return std::nullopt;
  const std::optional<date::sys_days> day = ParseIsoDate(*text);
  if (!day) reader.FailAt(reader.Raw(key), key, "invalid date \"" + *text + "\"");
  return day;
}

// A holidays_file holds either the mapping YYYY-MM-DD: name itself, or
// {holidays: {YYYY-MM-DD: name}, valid_through: YYYY-MM-DD}.
struct HolidayFile {
  std::map<date::sys_days, std::string> holidays;
  std::optional<date::sys_days> valid_through;
};

HolidayFile ReadHolidayFile(const std::string& path) {
  std::ifstream input(path);
  std::stringstream buffer;
  buffer << input.rdbuf();
  const YAML::Node document = ParseYaml(buffer.str(), path);
  HolidayFile file;
  if (document.IsMap() && document["holidays"].IsDefined()) {
    MappingReader reader(document, path, "");
    reader.ExpectKeys({"holidays", "valid_through"});
    file.holidays = ReadHolidayMap(reader, reader.Raw("holidays"), "holidays");
    file.valid_through = ReadIsoDate(reader, "valid_through");
    return file;
  }
  MappingReader reader(document, path, "");
  file.holidays = ReadHolidayMap(reader, reader.node(), "holidays");
  return file;
}

void ReadCalendars(MappingReader reader, ConfigData& config) {
  if (!reader.node().IsDefined() || reader.node().IsNull()) return;
  for (const auto& entry : reader.node()) {
    const std::string name = entry.first.Scalar();
    MappingReader calendar_reader = reader.Mapping(name);
    calendar_reader.ExpectKeys(
        {"timezone", "weekend", "holidays", "holidays_file", "valid_through"});
    const std::string zone_name = calendar_reader.String("timezone", config.global.timezone);
    LocateZoneOrFail(calendar_reader, "timezone", zone_name);
    std::set<unsigned> weekend;
    if (calendar_reader.Has("weekend")) {
      for (const std::string& day : calendar_reader.StringList("weekend")) {
        const std::optional<unsigned> weekday = ParseWeekday(day);
        if (!weekday) calendar_reader.Fail("weekend", "invalid weekday \"" + day + "\"");
        weekend.insert(*weekday);
      }
    } else {
      calendar_reader.Raw("weekend");
      weekend = {0, 6};
    }
    std::map<date::sys_days, std::string> holidays =
        ReadHolidayMap(calendar_reader, calendar_reader.Raw("holidays"), "holidays");
    std::optional<date::sys_days> file_valid_through;
    if (const std::optional<std::string> file = calendar_reader.OptionalString("holidays_file")) {
      const std::string path = ResolveRelative(config.file, *file);
      if (!std::ifstream(path)) {
        calendar_reader.Fail("holidays_file", "cannot read \"" + path + "\"");
      }
      HolidayFile more = ReadHolidayFile(path);
      holidays.insert(more.holidays.begin(), more.holidays.end());
      file_valid_through = more.valid_through;
    }
    // The calendar's own valid_through wins over the one in its holidays_file.
    std::optional<date::sys_days> valid_through = ReadIsoDate(calendar_reader, "valid_through");
    if (!valid_through) valid_through = file_valid_through;
    calendar_reader.RejectUnknownKeys();
    try {
      config.calendars[name] = std::make_shared<const Calendar>(name, zone_name, std::move(weekend),
                                                                std::move(holidays), valid_through);
    } catch (const std::invalid_argument& error) {
      calendar_reader.Fail("timezone", error.what());
    }
  }
}

std::shared_ptr<const ActiveWindow> ReadActive(MappingReader& check_reader,
                                               const ConfigData& config,
                                               const std::string& check_name) {
  std::optional<MappingReader> active = check_reader.OptionalMapping("active");
  if (!active) return nullptr;
  active->ExpectKeys({"calendar", "hours", "timezone"});
  const std::shared_ptr<const Calendar> calendar = CalendarKey(*active, config);
  const std::string zone_name = active->String("timezone", config.global.timezone);
  const date::time_zone* zone = LocateZoneOrFail(*active, "timezone", zone_name);
  const std::string hours = active->String("hours", "00:00-24:00");
  active->RejectUnknownKeys();
  std::shared_ptr<const ActiveWindow> window;
  try {
    window = std::make_shared<const ActiveWindow>(calendar, zone, hours);
  } catch (const std::invalid_argument& error) {
    active->FailAt(active->Raw("hours"), "hours", error.what());
  }
  if (window->NeverOpenWithin(config.loaded_at, kActiveLookaheadDays)) {
    std::string why;
    std::string fix;
    if (window->hours().empty()) {
      why = "hours is empty";
      fix = "give it hours such as \"09:30-16:00\"";
    } else {
      const date::sys_days first = ToLocalMinute(window->zone(), config.loaded_at).day;
      why = "calendar \"" + calendar->name() + "\" has no business day from " + FormatDay(first) +
            " to " + FormatDay(first + date::days(kActiveLookaheadDays - 1));
      fix = "remove days from the calendar's weekend or holidays";
    }
    throw ConfigError(active->Has("hours") && window->hours().empty()
                          ? active->MarkOf("hours")
                          : check_reader.MarkOf("active"),
                      check_reader.path() + " (" + check_name + ")",
                      "active is never open in the next " + std::to_string(kActiveLookaheadDays) +
                          " days (" + why + "), so this check can never alert; " + fix);
  }
  return window;
}

// defaults.<kind>: a known kind, a mapping, and only keys a check of that kind may have.
std::map<std::string, YAML::Node> ReadDefaults(MappingReader& defaults_reader,
                                               const std::vector<CheckKindSyntax>& syntax) {
  std::map<std::string, YAML::Node> defaults;
  if (!defaults_reader.node().IsMap()) return defaults;
  const std::vector<std::string> kinds = KindNames(syntax);
  for (const auto& entry : defaults_reader.node()) {
    const std::string kind = entry.first.Scalar();
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
      defaults_reader.FailAt(entry.first, kind, "unknown check kind" + DidYouMean(kind, kinds));
    }
    if (!entry.second.IsMap()) defaults_reader.FailAt(entry.second, kind, "expected a mapping");
    MappingReader kind_reader(entry.second, defaults_reader.file(), defaults_reader.KeyPath(kind));
    kind_reader.ExpectKeys(CheckKeys(syntax, kind, true), RefusedCheckKeys(syntax, kind));
    defaults[kind] = entry.second;
    defaults_reader.Raw(kind);
  }
  return defaults;
}

// `slo: {objective: 99.5%, window: 28d}`. The window is one the rules compute (docs/slo.md).
std::optional<CheckSpec::Slo> ReadSlo(MappingReader& check_reader) {
  std::optional<MappingReader> slo = check_reader.OptionalMapping("slo");
  if (!slo) return std::nullopt;
  slo->ExpectKeys({"objective", "window"});
  CheckSpec::Slo result;
  const YAML::Node objective = slo->Raw("objective");
  if (!objective.IsDefined() || objective.IsNull()) slo->Fail("objective", "is required");
  if (!objective.IsScalar()) slo->FailAt(objective, "objective", "expected a percentage");
  std::string text = objective.Scalar();
  const bool percent = !text.empty() && text.back() == '%';
  if (percent) text.pop_back();
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) {
    slo->FailAt(objective, "objective",
                "invalid objective \"" + objective.Scalar() + "\" (e.g. 99.5% or 0.995)");
  }
  result.objective = percent || value >= 1 ? value / 100 : value;
  if (!(result.objective > 0 && result.objective < 1)) {
    slo->FailAt(objective, "objective",
                "must be above 0% and below 100% (100% leaves no error budget to alert on)");
  }
  result.window = slo->DurationValue("window", Duration(28LL * 86'400'000));
  static const std::vector<std::pair<long long, std::string>> kWindows = {
      {7, "7d"}, {14, "14d"}, {28, "28d"}, {30, "30d"}};
  bool known = false;
  for (const auto& [days, name] : kWindows)
    known = known || result.window == Duration(days * 86'400'000);
  if (!known) {
    slo->FailAt(slo->Raw("window"), "window",
                "must be one of 7d, 14d, 28d or 30d (the windows the SLO rules compute)");
  }
  slo->RejectUnknownKeys();
  return result;
}

void ReadChecks(const YAML::Node& checks_node, MappingReader& defaults_reader, ConfigData& config,
                MappingReader& root, const std::vector<CheckKindSyntax>& syntax,
                const CheckVisitor& visit) {
  std::map<std::string, SourceMark> seen;
  std::map<std::string, YAML::Node> defaults = ReadDefaults(defaults_reader, syntax);
  if (!checks_node.IsDefined() || checks_node.IsNull()) return;
  if (!checks_node.IsSequence()) root.FailAt(checks_node, "checks", "expected a list");
  for (std::size_t index = 0; index < checks_node.size(); ++index) {
    const YAML::Node raw = checks_node[index];
    const std::string path = "checks[" + std::to_string(index) + "]";
    if (!raw.IsMap()) {
      throw ConfigError(ToSourceMark(config.file, raw.Mark()), path, "expected a mapping");
    }
    // Kind first, to merge its defaults before anything else is read; a misspelt key is
    // reported before a missing one.
    MappingReader probe(raw, config.file, path);
    if (!probe.Has("kind")) {
      probe.ExpectKeys(CheckKeys(syntax, ""), RefusedCheckKeys(syntax, ""));
      probe.Fail("kind", "is required");
    }
    const std::string kind = probe.Enum("kind", KindNames(syntax), "");
    // A check's own keys win over defaults.<kind>, which keep their own positions in errors.
    MappingReader reader(raw, config.file, path, defaults[kind]);
    reader.ExpectKeys(CheckKeys(syntax, kind), RefusedCheckKeys(syntax, kind));
    reader.Raw("kind");

    CheckSpec spec;
    spec.kind = kind;
    spec.name = reader.RequiredString("name");
    spec.mark = reader.Mark();
    if (!std::regex_match(spec.name, kCheckName)) {
      reader.FailAt(reader.Raw("name"), "name",
                    "invalid check name \"" + spec.name + "\" (use letters, digits, _ . : -)");
    }
    if (const auto previous = seen.find(spec.name); previous != seen.end()) {
      reader.FailAt(reader.Raw("name"), "name",
                    "duplicate check name \"" + spec.name + "\" (first defined at line " +
                        std::to_string(previous->second.line) + ")");
    }
    seen[spec.name] = reader.MarkOf("name");
    const TargetConfig* target = nullptr;
    if (KindOf(syntax, kind).reads_database) {
      spec.target = reader.RequiredString("target");
      const auto found = config.targets.find(spec.target);
      if (found == config.targets.end()) {
        reader.FailAt(reader.Raw("target"), "target",
                      "unknown target \"" + spec.target + "\"" +
                          DidYouMean(spec.target, KeysOf(config.targets)));
      }
      target = &found->second;
    }
    spec.interval = reader.DurationValue("interval", config.global.interval);
    if (spec.interval.count() <= 0) reader.Fail("interval", "must be positive");
    spec.timeout = reader.DurationValue("timeout", config.global.timeout);
    if (spec.timeout.count() <= 0) reader.Fail("timeout", "must be positive");
    spec.mode = reader.Enum("mode", {"enforce", "observe"}, "enforce");
    spec.active = ReadActive(reader, config, spec.name);
    spec.maintenance = ReadMaintenance(reader, config, "check", "check \"" + spec.name + "\"");
    spec.slo = ReadSlo(reader);
    if (target != nullptr) {
      spec.maintenance.insert(spec.maintenance.end(), target->maintenance.begin(),
                              target->maintenance.end());
    }
    CheckDefinition definition{std::move(spec), raw, defaults[kind], path};
    if (visit) {
      visit(definition, reader, config);
      reader.RejectUnknownKeys();
    }
    config.definitions.push_back(std::move(definition));
  }
}

}  // namespace

std::string ResolveDsn(const TargetConfig& target) {
  if (!target.dsn_env.empty()) {
    const char* value = std::getenv(target.dsn_env.c_str());
    if (value == nullptr || *value == '\0') {
      throw CheckError(
          ErrorReason::kConfig,
          "target \"" + target.name + "\": environment variable " + target.dsn_env + " is not set");
    }
    return value;
  }
  std::ifstream input(target.dsn_file);
  if (!input) {
    throw CheckError(ErrorReason::kConfig,
                     "target \"" + target.name + "\": cannot read dsn_file " + target.dsn_file);
  }
  std::stringstream buffer;
  buffer << input.rdbuf();
  std::string dsn = buffer.str();
  while (!dsn.empty() && (dsn.back() == '\n' || dsn.back() == '\r' || dsn.back() == ' ')) {
    dsn.pop_back();
  }
  return dsn;
}

ConfigData ReadConfigString(const std::string& text, const std::string& file_name,
                            const std::vector<CheckKindSyntax>& kinds, std::optional<TimePoint> now,
                            const CheckVisitor& visit) {
  ConfigData config;
  config.file = file_name;
  config.loaded_at = now.value_or(std::chrono::system_clock::now());
  const YAML::Node document = ParseYaml(text, file_name);
  if (!document.IsDefined() || document.IsNull()) {
    throw ConfigError(file_name, "empty configuration");
  }
  MappingReader root(document, file_name, "");
  root.ExpectKeys({"global", "targets", "calendars", "defaults", "checks"});
  ReadGlobal(root.Mapping("global"), config.global);
  ReadTargets(root.Mapping("targets"), config);
  ReadCalendars(root.Mapping("calendars"), config);
  MappingReader defaults = root.Mapping("defaults");
  ReadChecks(root.Raw("checks"), defaults, config, root, kinds, visit);
  defaults.RejectUnknownKeys();
  root.RejectUnknownKeys();
  return config;
}

ConfigData ReadConfigFile(const std::string& path, const std::vector<CheckKindSyntax>& kinds,
                          std::optional<TimePoint> now, const CheckVisitor& visit) {
  std::ifstream input(path);
  if (!input) throw ConfigError(path, "cannot read file");
  std::stringstream buffer;
  buffer << input.rdbuf();
  return ReadConfigString(buffer.str(), path, kinds, now, visit);
}

std::vector<std::string> ConfigWarnings(const ConfigData& config) {
  std::vector<std::string> warnings;
  for (const auto& [name, target] : config.targets) {
    const std::string where = target.mark.file + ":" + std::to_string(target.mark.line) + ":" +
                              std::to_string(target.mark.column) + ": targets." + name + ": ";
    if (!target.dsn_env.empty()) {
      const char* value = std::getenv(target.dsn_env.c_str());
      if (value == nullptr) {
        warnings.push_back(where + "environment variable " + target.dsn_env + " is not set");
      } else if (*value == '\0') {
        warnings.push_back(where + "environment variable " + target.dsn_env + " is empty");
      }
    } else {
      std::error_code error;
      if (!std::filesystem::exists(target.dsn_file, error)) {
        warnings.push_back(where + "dsn_file " + target.dsn_file + " does not exist");
      }
    }
  }
  return warnings;
}

std::shared_ptr<const Calendar> CalendarKey(MappingReader& reader, const ConfigData& config) {
  const std::optional<std::string> name = reader.OptionalString("calendar");
  if (!name) return nullptr;
  const auto found = config.calendars.find(*name);
  if (found == config.calendars.end()) {
    reader.FailAt(
        reader.Raw("calendar"), "calendar",
        "unknown calendar \"" + *name + "\"" + DidYouMean(*name, KeysOf(config.calendars)));
  }
  return found->second;
}

}  // namespace freshness
