#include "checks/summary_format.h"

#include <cmath>
#include <cstdio>

namespace freshness {

std::string FormatAge(double seconds) {
  if (std::isinf(seconds)) return seconds > 0 ? "+Inf" : "-Inf";
  if (std::isnan(seconds)) return "NaN";
  char buffer[64];
  const double magnitude = std::fabs(seconds);
  const char* sign = seconds < 0 ? "-" : "";
  if (magnitude < 60) {
    std::snprintf(buffer, sizeof buffer, "%s%.1fs", sign, magnitude);
  } else if (magnitude < 3600) {
    const long total = std::lround(magnitude);
    std::snprintf(buffer, sizeof buffer, "%s%ldm%02lds", sign, total / 60, total % 60);
  } else if (magnitude < 86400) {
    const long total = std::lround(magnitude / 60);
    std::snprintf(buffer, sizeof buffer, "%s%ldh%02ldm", sign, total / 60, total % 60);
  } else {
    const long total = std::lround(magnitude / 3600);
    std::snprintf(buffer, sizeof buffer, "%s%ldd%ldh", sign, total / 24, total % 24);
  }
  return buffer;
}

}  // namespace freshness
