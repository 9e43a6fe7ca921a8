#pragma once

#include <map>
#include <string>
#include <vector>

namespace freshness {

// What the config reader must know about a check kind to validate a file: its name, its own
// keys and what it refuses. The kinds themselves register this with their factory in
// checks/check_registry.h; the reader gets the list from there and never names a kind.
struct CheckKindSyntax {
  std::string name;
  // The kind's own keys, besides the common ones (name, kind, interval, timeout, mode, active,
  // maintenance, slo) and `target` (added when reads_database).
  std::vector<std::string> keys;
  bool reads_database = true;
  // The tier keys replacing `severity`, as listed in the message for a check without a kind
  // ("warn_after/error_after"); empty to leave the kind out of that list.
  std::string tier_keys;
  // The message for `severity` on this kind, after "\"severity\" was replaced by tiered
  // thresholds: ".
  std::string severity_hint;
  // When not empty, `for` is refused on this kind with this message.
  std::string refuses_for;
};

// The keys every check has, whatever its kind (besides `target`).
const std::vector<std::string>& CommonCheckKeys();

// Every key a check of `kind` may have (its own and the common ones); with `in_defaults`, the
// keys defaults.<kind> may set (not name or kind). An empty kind gives the keys of all kinds.
std::vector<std::string> CheckKeys(const std::vector<CheckKindSyntax>& kinds,
                                   const std::string& kind, bool in_defaults = false);
// Keys that are known but not allowed on `kind`, with the message that says why and what to use
// instead (`severity` everywhere, `for` on the kinds that refuse it).
std::map<std::string, std::string> RefusedCheckKeys(const std::vector<CheckKindSyntax>& kinds,
                                                    const std::string& kind);

}  // namespace freshness
