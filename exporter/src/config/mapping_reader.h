#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config_error.h"
#include "util/duration.h"

namespace freshness {

// Reads one YAML mapping of a config file and remembers which keys were read, so that every
// key nobody asked for can be rejected with its position (RejectUnknownKeys). All failures are
// ConfigError with file, line, column and the dotted key path ("checks[2].window").
class MappingReader {
 public:
  // `path` is the key path of this mapping ("" for the document, "checks[2]" for a check).
  // `defaults` (defaults.<kind> for a check) answers keys the mapping itself lacks; its keys
  // keep their own positions in errors.
  MappingReader(YAML::Node node, std::string file, std::string path,
                YAML::Node defaults = YAML::Node(YAML::NodeType::Undefined));

  bool Has(const std::string& key) const;
  YAML::Node Raw(const std::string& key);  // marks the key as read; Null node if absent

  std::string RequiredString(const std::string& key);
  std::optional<std::string> OptionalString(const std::string& key);
  std::string String(const std::string& key, const std::string& fallback);
  // A one-of string: an error lists the allowed values.
  std::string Enum(const std::string& key, const std::vector<std::string>& allowed,
                   const std::string& fallback);
  Duration DurationValue(const std::string& key, Duration fallback);
  std::optional<Duration> OptionalDuration(const std::string& key);
  long long Integer(const std::string& key, long long fallback, long long min, long long max);
  bool Bool(const std::string& key, bool fallback);
  // A list of strings; a single scalar is accepted as a one-element list when allow_scalar.
  std::vector<std::string> StringList(const std::string& key, bool allow_scalar = false);
  std::map<std::string, std::string> StringMap(const std::string& key);
  // A number (integer or decimal, finite); nullopt when absent.
  std::optional<double> Number(const std::string& key);
  // A duration tier: a positive duration or `off` (nullopt). Absent gives `fallback`. "0s" is
  // rejected: a tier that never waits is written `off` when it is meant to be disabled.
  std::optional<Duration> DurationTier(const std::string& key, std::optional<Duration> fallback);
  // A count tier: an integer >= 0 or `off` (nullopt). Absent gives `fallback`.
  std::optional<long long> CountTier(const std::string& key, std::optional<long long> fallback);
  // A nested mapping; absent keys give an empty mapping reader.
  MappingReader Mapping(const std::string& key);
  std::optional<MappingReader> OptionalMapping(const std::string& key);

  // Throws for the first key present in the mapping that was never read.
  void RejectUnknownKeys() const;
  // Throws for the first key (in document order) that is not in `known`, with a suggestion
  // when a known key is close ("unknown key (did you mean \"column\"?)"); a key in `removed`
  // fails with its own message instead. Called before anything is read, so a misspelt key is
  // reported before the "is required" of the key it was meant to be.
  void ExpectKeys(const std::vector<std::string>& known,
                  const std::map<std::string, std::string>& removed = {}) const;

  [[noreturn]] void Fail(const std::string& key, const std::string& message) const;
  [[noreturn]] void FailAt(const YAML::Node& node, const std::string& key,
                           const std::string& message) const;

  SourceMark MarkOf(const std::string& key) const;
  SourceMark Mark() const;
  std::string KeyPath(const std::string& key) const;
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }

 private:
  YAML::Node Lookup(const std::string& key) const;
  std::string ScalarOf(const YAML::Node& value, const std::string& key) const;

  // Searches one mapping for `key`; Undefined if absent.
  static YAML::Node Find(const YAML::Node& mapping, const std::string& key);

  YAML::Node node_;
  YAML::Node defaults_;
  std::string file_;
  std::string path_;
  mutable std::set<std::string> read_;
};

// Converts a yaml-cpp mark (0-based) to a SourceMark (1-based).
SourceMark ToSourceMark(const std::string& file, const YAML::Mark& mark);

}  // namespace freshness
