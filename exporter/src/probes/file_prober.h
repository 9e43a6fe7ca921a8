#pragma once

#include "probes/object_prober.h"

namespace freshness {

// Local files: a path, a file:// URL or a glob (* ? [...]); a glob reports its newest
// non-empty match (or the newest match when all are empty).
class FileProber final : public ObjectProber {
 public:
  ObjectInfo Probe(const std::string& location, std::chrono::milliseconds timeout,
                   TimePoint not_after) const override;
};

// Strips a file:// prefix; other locations are returned as they are.
std::string FilePathOf(const std::string& location);

}  // namespace freshness
