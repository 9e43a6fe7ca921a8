#include "config/mapping_reader.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "util/suggest.h"

namespace freshness {

SourceMark ToSourceMark(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return SourceMark{file, 0, 0};
  return SourceMark{file, mark.line + 1, mark.column + 1};
}

MappingReader::MappingReader(YAML::Node node, std::string file, std::string path,
                             YAML::Node defaults)
    : node_(std::move(node)),
      defaults_(std::move(defaults)),
      file_(std::move(file)),
      path_(std::move(path)) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    throw ConfigError(Mark(), path_.empty() ? "document" : path_, "expected a mapping");
  }
  // YAML parsers keep the first of two equal keys; a silently ignored key is a trap.
  if (node_.IsMap()) {
    std::set<std::string> keys;
    for (const auto& entry : node_) {
      if (entry.first.IsScalar() && !keys.insert(entry.first.Scalar()).second) {
        throw ConfigError(ToSourceMark(file_, entry.first.Mark()), KeyPath(entry.first.Scalar()),
                          "duplicate key");
      }
    }
  }
}

std::string MappingReader::KeyPath(const std::string& key) const {
  if (path_.empty()) return key;
  if (key.empty()) return path_;
  return path_ + "." + key;
}

SourceMark MappingReader::Mark() const { return ToSourceMark(file_, node_.Mark()); }

SourceMark MappingReader::MarkOf(const std::string& key) const {
  for (const YAML::Node* mapping : {&node_, &defaults_}) {
    if (!mapping->IsMap()) continue;
    for (const auto& entry : *mapping) {
      if (entry.first.IsScalar() && entry.first.Scalar() == key) {
        return ToSourceMark(file_, entry.first.Mark());
      }
    }
  }
  return Mark();
}

void MappingReader::Fail(const std::string& key, const std::string& message) const {
  throw ConfigError(MarkOf(key), KeyPath(key), message);
}

void MappingReader::FailAt(const YAML::Node& node, const std::string& key,
                           const std::string& message) const {
  const SourceMark mark = node.Mark().is_null() ? MarkOf(key) : ToSourceMark(file_, node.Mark());
  throw ConfigError(mark, KeyPath(key), message);
}

YAML::Node MappingReader::Find(const YAML::Node& mapping, const std::string& key) {
  if (!mapping.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (const auto& entry : mapping) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) return entry.second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MappingReader::Lookup(const std::string& key) const {
  // The mapping's own keys win over defaults.
  YAML::Node own = Find(node_, key);
  if (own.IsDefined()) return own;
  return Find(defaults_, key);
}

bool MappingReader::Has(const std::string& key) const {
  const YAML::Node value = Lookup(key);
  return value.IsDefined() && !value.IsNull();
}

YAML::Node MappingReader::Raw(const std::string& key) {
  read_.insert(key);
  return Lookup(key);
}

std::string MappingReader::ScalarOf(const YAML::Node& value, const std::string& key) const {
  if (!value.IsScalar()) FailAt(value, key, "expected a string");
  return value.Scalar();
}

std::optional<std::string> MappingReader::OptionalString(const std::string& key) {
  const YAML::Node value = Raw(key);
  if (!value.IsDefined() || value.IsNull()) return std::nullopt;
  return ScalarOf(value, key);
}

std::string MappingReader::RequiredString(const std::string& key) {
  std::optional<std::string> value = OptionalString(key);
  if (!value) Fail(key, "is required");
  if (value->empty()) FailAt(Lookup(key), key, "must not be empty");
  return *value;
}

std::string MappingReader::String(const std::string& key, const std::string& fallback) {
  return OptionalString(key).value_or(fallback);
}

std::string MappingReader::Enum(const std::string& key, const std::vector<std::string>& allowed,
                                const std::string& fallback) {
  const std::optional<std::string> value = OptionalString(key);
  if (!value) return fallback;
  if (std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
    std::string list;
    for (const std::string& option : allowed) list += (list.empty() ? "" : ", ") + option;
    FailAt(
        Lookup(key), key,
        "invalid value \"" + *value + "\" (allowed: " + list + ")" + DidYouMean(*value, allowed));
  }
  return *value;
}

std::optional<Duration> MappingReader::OptionalDuration(const std::string& key) {
  const std::optional<std::string> text = OptionalString(key);
  if (!text) return std::nullopt;
  const std::optional<Duration> parsed = ParseDuration(*text);
  if (!parsed) FailAt(Lookup(key), key, "invalid duration \"" + *text + "\"");
  return parsed;
}

Duration MappingReader::DurationValue(const std::string& key, Duration fallback) {
  return OptionalDuration(key).value_or(fallback);
}

long long MappingReader::Integer(const std::string& key, long long fallback, long long min,
                                 long long max) {
  const std::optional<std::string> text = OptionalString(key);
  if (!text) return fallback;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || end == nullptr || *end != '\0' || errno != 0) {
    FailAt(Lookup(key), key, "expected an integer, got \"" + *text + "\"");
  }
  if (value < min || value > max) {
    FailAt(Lookup(key), key,
           "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return value;
}

std::optional<double> MappingReader::Number(const std::string& key) {
  const std::optional<std::string> text = OptionalString(key);
  if (!text) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text->c_str(), &end);
  if (text->empty() || end == nullptr || *end != '\0' || errno != 0 || !std::isfinite(value)) {
    FailAt(Lookup(key), key, "expected a number, got \"" + *text + "\"");
  }
  return value;
}

std::optional<Duration> MappingReader::DurationTier(const std::string& key,
                                                    std::optional<Duration> fallback) {
  const std::optional<std::string> text = OptionalString(key);
  if (!text) return fallback;
  if (*text == "off") return std::nullopt;
  const std::optional<Duration> parsed = ParseDuration(*text);
  if (!parsed) {
    FailAt(Lookup(key), key, "invalid duration \"" + *text + "\" (a duration such as 15m, or off)");
  }
  if (parsed->count() <= 0) {
    FailAt(Lookup(key), key, "must be positive; use off to disable this tier");
  }
  return parsed;
}

std::optional<long long> MappingReader::CountTier(const std::string& key,
                                                  std::optional<long long> fallback) {
  const std::optional<std::string> text = OptionalString(key);
  if (!text) return fallback;
  if (*text == "off") return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || end == nullptr || *end != '\0' || errno != 0) {
    FailAt(Lookup(key), key, "expected a count (an integer >= 0) or off, got \"" + *text + "\"");
  }
  if (value < 0) FailAt(Lookup(key), key, "must be >= 0; use off to disable this tier");
  return value;
}

bool MappingReader::Bool(const std::string& key, bool fallback) {
  const std::optional<std::string> text = OptionalString(key);
  if (!text) return fallback;
  if (*text == "true") return true;
  if (*text == "false") return false;
  FailAt(Lookup(key), key, "expected true or false, got \"" + *text + "\"");
}

std::vector<std::string> MappingReader::StringList(const std::string& key, bool allow_scalar) {
  const YAML::Node value = Raw(key);
  std::vector<std::string> out;
  if (!value.IsDefined() || value.IsNull()) return out;
  if (value.IsScalar() && allow_scalar) {
    out.push_back(value.Scalar());
    return out;
  }
  if (!value.IsSequence()) FailAt(value, key, "expected a list");
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node item = value[i];
    if (!item.IsScalar()) FailAt(item, key + "[" + std::to_string(i) + "]", "expected a string");
    if (item.Scalar().empty()) {
      FailAt(item, key + "[" + std::to_string(i) + "]", "must not be empty");
    }
    out.push_back(item.Scalar());
  }
  return out;
}

std::map<std::string, std::string> MappingReader::StringMap(const std::string& key) {
  const YAML::Node value = Raw(key);
  std::map<std::string, std::string> out;
  if (!value.IsDefined() || value.IsNull()) return out;
  if (!value.IsMap()) FailAt(value, key, "expected a mapping");
  for (const auto& entry : value) {
    const std::string name = entry.first.Scalar();
    if (!entry.second.IsScalar()) FailAt(entry.second, key + "." + name, "expected a string");
    out[name] = entry.second.Scalar();
  }
  return out;
}

MappingReader MappingReader::Mapping(const std::string& key) {
  const YAML::Node value = Raw(key);
  if (value.IsDefined() && !value.IsNull() && !value.IsMap()) {
    FailAt(value, key, "expected a mapping");
  }
  return MappingReader(value, file_, KeyPath(key));
}

std::optional<MappingReader> MappingReader::OptionalMapping(const std::string& key) {
  if (!Has(key)) {
    read_.insert(key);
    return std::nullopt;
  }
  return Mapping(key);
}

void MappingReader::RejectUnknownKeys() const {
  const std::vector<std::string> known(read_.begin(), read_.end());
  for (const YAML::Node* mapping : {&node_, &defaults_}) {
    if (!mapping->IsMap()) continue;
    for (const auto& entry : *mapping) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "?";
      if (read_.count(key) == 0) {
        throw ConfigError(ToSourceMark(file_, entry.first.Mark()), KeyPath(key),
                          "unknown key" + DidYouMean(key, known));
      }
    }
  }
}

void MappingReader::ExpectKeys(const std::vector<std::string>& known,
                               const std::map<std::string, std::string>& removed) const {
  for (const YAML::Node* mapping : {&node_, &defaults_}) {
    if (!mapping->IsMap()) continue;
    for (const auto& entry : *mapping) {
      if (!entry.first.IsScalar()) {
        throw ConfigError(ToSourceMark(file_, entry.first.Mark()), KeyPath("?"),
                          "expected a string key");
      }
      const std::string key = entry.first.Scalar();
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      const SourceMark mark = ToSourceMark(file_, entry.first.Mark());
      if (const auto found = removed.find(key); found != removed.end()) {
        throw ConfigError(mark, KeyPath(key), found->second);
      }
      throw ConfigError(mark, KeyPath(key), "unknown key" + DidYouMean(key, known));
    }
  }
}

}  // namespace freshness
