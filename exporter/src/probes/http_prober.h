#pragma once

#include "probes/object_prober.h"

namespace freshness {

// http:// and https:// URLs: a HEAD request; Last-Modified is the modification time and
// Content-Length the size. 404 and 410 mean missing; any other non-2xx status, a missing or
// malformed Last-Modified, a DNS failure or a timeout is a probe error. Redirects are followed.
class HttpProber final : public ObjectProber {
 public:
  ObjectInfo Probe(const std::string& location, std::chrono::milliseconds timeout,
                   TimePoint not_after) const override;
};

}  // namespace freshness
