#include "probes/http_prober.h"

#include "probes/http_head.h"
#include "probes/scheme_router.h"

namespace freshness {

ObjectInfo HttpProber::Probe(const std::string& location, std::chrono::milliseconds timeout,
                             TimePoint) const {
  const std::string shown = DisplayLocation(location);
  return HeadObject(location, {}, std::nullopt, timeout, shown, true);
}

}  // namespace freshness
