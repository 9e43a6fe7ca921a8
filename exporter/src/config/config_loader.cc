#include "config/config_loader.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "checks/check.h"
#include "checks/check_factory.h"
#include "config/mapping_reader.h"
#include "util/check_error.h"

namespace freshness {
namespace {

const std::regex kLabelName("^[a-zA-Z_][a-zA-Z0-9_]*$");
const std::regex kCheckName("^[A-Za-z0-9_.:-]+$");
const std::set<std::string> kReservedLabels = {"check", "job",      "instance", "target", "kind",
                                               "mode",  "severity", "state",    "reason", "le"};

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

void ReadGlobal(MappingReader reader, GlobalConfig& global) {
  global.interval = reader.DurationValue("interval", global.interval);
  if (global.interval.count() <= 0) reader.Fail("interval", "must be positive");
  global.timeout = reader.DurationValue("timeout", global.timeout);
  if (global.timeout.count() <= 0) reader.Fail("timeout", "must be positive");
  global.timezone = reader.String("timezone", global.timezone);
  try {
    date::locate_zone(global.timezone);
  } catch (const std::exception&) {
    reader.FailAt(reader.Raw("timezone"), "timezone",
                  "unknown time zone \"" + global.timezone + "\"");
  }
  global.labels = reader.StringMap("labels");
  MappingReader labels = reader.Mapping("labels");
  for (const auto& [name, value] : global.labels) {
    if (!std::regex_match(name, kLabelName) || name.rfind("__", 0) == 0) {
      labels.Fail(name, "invalid label name");
    }
    if (kReservedLabels.count(name) != 0) labels.Fail(name, "label name is reserved");
  }
  reader.RejectUnknownKeys();
}

void ReadTargets(MappingReader reader, Config& config) {
  if (!reader.node().IsDefined() || reader.node().IsNull()) return;
  for (const auto& entry : reader.node()) {
    const std::string name = entry.first.Scalar();
    MappingReader target_reader = reader.Mapping(name);
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

void ReadCalendars(MappingReader reader, Config& config) {
  if (!reader.node().IsDefined() || reader.node().IsNull()) return;
  for (const auto& entry : reader.node()) {
    const std::string name = entry.first.Scalar();
    MappingReader calendar_reader = reader.Mapping(name);
    const std::string zone_name = calendar_reader.String("timezone", config.global.timezone);
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
    if (const std::optional<std::string> file = calendar_reader.OptionalString("holidays_file")) {
      const std::string path = ResolveRelative(config.file, *file);
      std::ifstream input(path);
      if (!input) calendar_reader.Fail("holidays_file", "cannot read \"" + path + "\"");
      std::stringstream buffer;
      buffer << input.rdbuf();
      MappingReader file_reader(ParseYaml(buffer.str(), path), path, "");
      auto more = ReadHolidayMap(file_reader, file_reader.node(), "holidays");
      holidays.insert(more.begin(), more.end());
    }
    std::optional<date::sys_days> valid_through;
    if (const std::optional<std::string> text = calendar_reader.OptionalString("valid_through")) {
      valid_through = ParseIsoDate(*text);
      if (!valid_through) {
        calendar_reader.FailAt(calendar_reader.Raw("valid_through"), "valid_through",
                               "invalid date \"" + *text + "\"");
      }
    }
    calendar_reader.RejectUnknownKeys();
    try {
      config.calendars[name] = std::make_shared<const Calendar>(name, zone_name, std::move(weekend),
                                                                std::move(holidays), valid_through);
    } catch (const std::invalid_argument& error) {
      calendar_reader.Fail("timezone", error.what());
    }
  }
}

std::shared_ptr<const ActiveWindow> ReadActive(MappingReader& check_reader, const Config& config) {
  std::optional<MappingReader> active = check_reader.OptionalMapping("active");
  if (!active) return nullptr;
  std::shared_ptr<const Calendar> calendar;
  if (const std::optional<std::string> name = active->OptionalString("calendar")) {
    const auto found = config.calendars.find(*name);
    if (found == config.calendars.end()) {
      active->FailAt(active->Raw("calendar"), "calendar", "unknown calendar \"" + *name + "\"");
    }
    calendar = found->second;
  }
  const std::string zone_name = active->String("timezone", config.global.timezone);
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(zone_name);
  } catch (const std::exception&) {
    active->FailAt(active->Raw("timezone"), "timezone", "unknown time zone \"" + zone_name + "\"");
  }
  const std::string hours = active->String("hours", "00:00-24:00");
  active->RejectUnknownKeys();
  try {
    return std::make_shared<const ActiveWindow>(calendar, zone, hours);
  } catch (const std::invalid_argument& error) {
    active->FailAt(active->Raw("hours"), "hours", error.what());
  }
}

void ReadChecks(const YAML::Node& checks_node, MappingReader& defaults_reader, Config& config,
                MappingReader& root) {
  std::map<std::string, SourceMark> seen;
  std::map<std::string, YAML::Node> defaults;
  if (defaults_reader.node().IsMap()) {
    for (const auto& entry : defaults_reader.node()) {
      const std::string kind = entry.first.Scalar();
      const auto& kinds = KnownCheckKinds();
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
        defaults_reader.FailAt(entry.first, kind, "unknown check kind");
      }
      if (!entry.second.IsMap()) defaults_reader.FailAt(entry.second, kind, "expected a mapping");
      defaults[kind] = entry.second;
      defaults_reader.Raw(kind);
    }
  }
  if (!checks_node.IsDefined() || checks_node.IsNull()) return;
  if (!checks_node.IsSequence()) root.FailAt(checks_node, "checks", "expected a list");
  for (std::size_t index = 0; index < checks_node.size(); ++index) {
    const YAML::Node raw = checks_node[index];
    const std::string path = "checks[" + std::to_string(index) + "]";
    if (!raw.IsMap()) {
      throw ConfigError(ToSourceMark(config.file, raw.Mark()), path, "expected a mapping");
    }
    // Kind first, to merge its defaults before anything else is read.
    MappingReader probe(raw, config.file, path);
    const std::string kind = probe.Enum("kind", KnownCheckKinds(), "");
    if (kind.empty()) probe.Fail("kind", "is required");
    // A check's own keys win over defaults.<kind>, which keep their own positions in errors.
    MappingReader reader(raw, config.file, path, defaults[kind]);
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
    if (KindReadsDatabase(kind)) {
      spec.target = reader.RequiredString("target");
      if (config.targets.count(spec.target) == 0) {
        reader.FailAt(reader.Raw("target"), "target", "unknown target \"" + spec.target + "\"");
      }
    }
    spec.interval = reader.DurationValue("interval", config.global.interval);
    if (spec.interval.count() <= 0) reader.Fail("interval", "must be positive");
    spec.timeout = reader.DurationValue("timeout", config.global.timeout);
    if (spec.timeout.count() <= 0) reader.Fail("timeout", "must be positive");
    spec.mode = reader.Enum("mode", {"enforce", "observe"}, "enforce");
    spec.severity = reader.Enum("severity", {"critical", "warning", "info"}, "warning");
    spec.active = ReadActive(reader, config);
    std::shared_ptr<Check> check = MakeCheck(std::move(spec), reader, config);
    reader.RejectUnknownKeys();
    config.checks.push_back(std::move(check));
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

Config LoadConfigString(const std::string& text, const std::string& file_name) {
  Config config;
  config.file = file_name;
  const YAML::Node document = ParseYaml(text, file_name);
  if (!document.IsDefined() || document.IsNull()) {
    throw ConfigError(file_name, "empty configuration");
  }
  MappingReader root(document, file_name, "");
  ReadGlobal(root.Mapping("global"), config.global);
  ReadTargets(root.Mapping("targets"), config);
  ReadCalendars(root.Mapping("calendars"), config);
  MappingReader defaults = root.Mapping("defaults");
  ReadChecks(root.Raw("checks"), defaults, config, root);
  defaults.RejectUnknownKeys();
  root.RejectUnknownKeys();
  return config;
}

Config LoadConfigFile(const std::string& path) {
  std::ifstream input(path);
  if (!input) throw ConfigError(path, "cannot read file");
  std::stringstream buffer;
  buffer << input.rdbuf();
  return LoadConfigString(buffer.str(), path);
}

}  // namespace freshness
