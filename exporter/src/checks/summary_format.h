#pragma once

#include <string>

namespace freshness {

// "12.3s", "4m05s", "2h10m", "3d4h", "+Inf" — short ages for the status page and --once.
std::string FormatAge(double seconds);

}  // namespace freshness
