#pragma once

#include <iosfwd>
#include <string>

#include "db/database.h"
#include "loader/config_loader.h"

namespace freshness {

// --config.check --check.connect: connects to every target of a valid config and, per database
// check, verifies what the config cannot tell on its own: the DSN is set and the server answers,
// the table and columns exist with usable types (timestamp, timestamptz or date for time
// columns), the role may read them, and the statement the check runs is planned with an index
// for its time bound. One line per check on `out`, for example:
//   OK   check lag_x: index ops.t_ts (Index Only Scan)
//   SKIP check vol_x: kind volume: not checked by this version's preflight
//   WARN check lag_x (f.yml:12:5, key column): no index: ...; fix: CREATE INDEX ON ops.t (ts)
//   FAIL check lag_x (f.yml:12:5, key column): column "tstamp" does not exist in ops.t; fix: ...
// Exit codes (README "Flags"): 0 nothing failed (warnings allowed), 2 a target's DSN is missing
// or the target cannot be reached or refuses the login, 3 a check's table, column, type,
// privilege or statement is wrong (2 wins when both happen).
inline constexpr int kPreflightOk = 0;
inline constexpr int kPreflightTargetFailed = 2;
inline constexpr int kPreflightCheckFailed = 3;

// `yaml_text` is the config file's text, re-read for the positions of the keys.
int RunPreflight(const Config& config, const std::string& yaml_text, std::ostream& out);

}  // namespace freshness
