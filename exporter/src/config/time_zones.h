#pragma once

#include <date/tz.h>

#include <string>
#include <vector>

#include "config/mapping_reader.h"

namespace freshness {

// The IANA names closest to `name` (case-insensitive, within two edits, or with the same last
// component: "new_york" -> "America/New_York"), at most three.
std::vector<std::string> SuggestTimeZones(const std::string& name);

// Looks up a time zone; an unknown name fails at `key` of `reader` with suggestions:
// unknown time zone "America/New_Yrok" (did you mean "America/New_York"?)
const date::time_zone* LocateZoneOrFail(MappingReader& reader, const std::string& key,
                                        const std::string& name);

}  // namespace freshness
