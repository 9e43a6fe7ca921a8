#include "config/check_kinds.h"

#include <algorithm>

namespace freshness {

const std::vector<std::string>& CommonCheckKeys() {
  static const std::vector<std::string> keys = {"name", "kind",   "interval",    "timeout",
                                                "mode", "active", "maintenance", "slo"};
  return keys;
}

std::vector<std::string> CheckKeys(const std::vector<CheckKindSyntax>& kinds,
                                   const std::string& kind, bool in_defaults) {
  std::vector<std::string> keys;
  for (const std::string& key : CommonCheckKeys()) {
    if (!in_defaults || (key != "name" && key != "kind")) keys.push_back(key);
  }
  const auto add = [&keys](const std::string& name) {
    if (std::find(keys.begin(), keys.end(), name) == keys.end()) keys.push_back(name);
  };
  // The order of the suggestions follows the kind names, as it did when the keys were a map.
  std::vector<const CheckKindSyntax*> sorted;
  for (const CheckKindSyntax& each : kinds) sorted.push_back(&each);
  std::sort(sorted.begin(), sorted.end(),
            [](const CheckKindSyntax* a, const CheckKindSyntax* b) { return a->name < b->name; });
  for (const CheckKindSyntax* each : sorted) {
    if (!kind.empty() && each->name != kind) continue;
    if (each->reads_database) add("target");
    for (const std::string& key : each->keys) add(key);
  }
  return keys;
}

std::map<std::string, std::string> RefusedCheckKeys(const std::vector<CheckKindSyntax>& kinds,
                                                    const std::string& kind) {
  std::map<std::string, std::string> refused;
  const std::string prefix = "\"severity\" was replaced by tiered thresholds: ";
  const auto found = std::find_if(kinds.begin(), kinds.end(), [&kind](const CheckKindSyntax& each) {
    return each.name == kind;
  });
  if (found != kinds.end() && !found->severity_hint.empty()) {
    refused["severity"] = prefix + found->severity_hint;
  } else {
    std::string list;
    for (const CheckKindSyntax& each : kinds) {
      if (each.tier_keys.empty()) continue;
      list += (list.empty() ? "" : ", ") + each.tier_keys + " (" + each.name + ")";
    }
    refused["severity"] = prefix + list;
  }
  if (found != kinds.end() && !found->refuses_for.empty()) refused["for"] = found->refuses_for;
  return refused;
}

}  // namespace freshness
