#include "checks/check_factory.h"

#include <algorithm>

#include "checks/artifact_check.h"
#include "checks/duplicates_check.h"
#include "checks/lag_check.h"
#include "checks/query_check.h"
#include "checks/runs_check.h"
#include "checks/volume_check.h"

namespace freshness {
namespace {

const std::map<std::string, std::vector<std::string>>& KindKeys() {
  static const std::map<std::string, std::vector<std::string>> keys = {
      {"lag",
       {"table", "column", "where", "group_by", "max_series", "sql", "warn_after", "error_after",
        "for", "forget_after"}},
      {"runs",
       {"table", "started_column", "finished_column", "window", "where", "warn_duration",
        "max_duration", "for", "failed_when", "warn_after_failures", "error_after_failures",
        "max_success_age"}},
      {"duplicates",
       {"table", "key", "time_column", "window", "where", "warn_above", "error_above"}},
      {"query", {"sql", "metrics", "max_series"}},
      {"volume",
       {"table", "time_column", "where", "period", "expect", "calendar", "warn_below",
        "error_below"}},
      {"artifact",
       {"source", "any_of", "expect", "calendar", "grace", "paused_until", "missed_slots_lookback",
        "s3", "warn_on", "error_on"}},
  };
  return keys;
}

const std::map<std::string, std::string>& SeverityHints() {
  static const std::map<std::string, std::string> hints = {
      {"lag", "for a lag check use warn_after (warning) and error_after (critical)"},
      {"runs", "for a runs check use warn_duration (warning) and max_duration (critical)"},
      {"duplicates", "for a duplicates check use warn_above (warning) and error_above (critical)"},
      {"artifact", "for an artifact check use warn_on (warning) and error_on (critical)"},
      {"volume", "for a volume check use warn_below (warning) and error_below (critical)"},
      {"query",
       "for a query check use warn_above/error_above/warn_below/error_below on each metric"},
  };
  return hints;
}

}  // namespace

const std::vector<std::string>& KnownCheckKinds() {
  static const std::vector<std::string> kinds = {"lag",   "runs",     "duplicates",
                                                 "query", "artifact", "volume"};
  return kinds;
}

bool KindReadsDatabase(const std::string& kind) { return kind != "artifact"; }

std::vector<std::string> CheckKeys(const std::string& kind, bool in_defaults) {
  std::vector<std::string> keys;
  if (!in_defaults) keys = {"name", "kind"};
  for (const char* key : {"interval", "timeout", "mode", "active", "maintenance", "slo"}) {
    keys.push_back(key);
  }
  const auto add = [&keys](const std::string& name) {
    if (std::find(keys.begin(), keys.end(), name) == keys.end()) keys.push_back(name);
  };
  for (const auto& [each, own] : KindKeys()) {
    if (!kind.empty() && each != kind) continue;
    if (KindReadsDatabase(each)) add("target");
    for (const std::string& key : own) add(key);
  }
  return keys;
}

std::map<std::string, std::string> RefusedCheckKeys(const std::string& kind) {
  std::map<std::string, std::string> refused;
  const std::string prefix = "\"severity\" was replaced by tiered thresholds: ";
  if (const auto hint = SeverityHints().find(kind); hint != SeverityHints().end()) {
    refused["severity"] = prefix + hint->second;
  } else {
    refused["severity"] = prefix +
                          "warn_after/error_after (lag), warn_duration/max_duration (runs), "
                          "warn_above/error_above (duplicates), warn_on/error_on (artifact), "
                          "warn_below/error_below (volume)";
  }
  if (kind == "artifact") {
    refused["for"] =
        "not allowed on artifact checks: the deadline already includes grace; lengthen grace "
        "instead";
  } else if (kind == "duplicates") {
    refused["for"] =
        "not allowed on duplicates checks: a duplicate execution is a fact, not a trend: it "
        "alerts at once; raise error_above";
  } else if (kind == "query") {
    refused["for"] = "for is not supported on query checks";
  } else if (kind == "volume") {
    refused["for"] =
        "not allowed on volume checks: the period already smooths the count; lengthen period "
        "instead";
  }
  return refused;
}

std::shared_ptr<Check> MakeCheck(CheckSpec spec, MappingReader& reader, const Config& config) {
  const std::string kind = spec.kind;
  if (kind == "lag") return MakeLagCheck(std::move(spec), reader, config);
  if (kind == "runs") return MakeRunsCheck(std::move(spec), reader, config);
  if (kind == "duplicates") return MakeDuplicatesCheck(std::move(spec), reader, config);
  if (kind == "query") return MakeQueryCheck(std::move(spec), reader, config);
  if (kind == "artifact") return MakeArtifactCheck(std::move(spec), reader, config);
  if (kind == "volume") return MakeVolumeCheck(std::move(spec), reader, config);
  reader.Fail("kind", "unknown check kind \"" + kind + "\"");
}

}  // namespace freshness
