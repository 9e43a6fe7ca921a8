#pragma once

#include <optional>
#include <string>

#include "util/clock.h"

namespace freshness {

// Parses an HTTP date (RFC 9110 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"; the obsolete
// RFC 850 and asctime forms too). nullopt when malformed.
std::optional<TimePoint> ParseHttpDate(const std::string& text);

// Formats an instant as an IMF-fixdate.
std::string FormatHttpDate(TimePoint time);

}  // namespace freshness
