#include "probes/http_prober.h"

#include "probes/http_head.h"
#include "probes/scheme_router.h"
#include "util/check_error.h"

namespace freshness {

ObjectInfo HttpProber::Probe(const std::string& location, std::chrono::milliseconds timeout,
                             TimePoint) const {
  const std::string shown = DisplayLocation(location);
  // User info would be sent as credentials (and could end up in a message): rejected.
  const std::size_t scheme_end = location.find("://");
  const std::size_t host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const std::size_t authority_end = location.find_first_of("/?#", host_start);
  if (location.substr(host_start, authority_end - host_start).find('@') != std::string::npos) {
    throw CheckError(ErrorReason::kProbe, "HEAD " + shown + ": user info in URLs is rejected");
  }
  return HeadObject(location, {}, std::nullopt, timeout, shown, true);
}

}  // namespace freshness
