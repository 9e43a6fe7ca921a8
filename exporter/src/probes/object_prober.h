#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "util/clock.h"

namespace freshness {

// What a probe saw at one location (the newest match, for a glob).
struct ObjectInfo {
  bool exists = false;
  TimePoint modified{};
  std::optional<std::uint64_t> size;  // nullopt when the source does not say
  std::string location;               // what was looked at (the matched file for a glob)
};

// Looks up one object without reading it: a file's stat, an HTTP HEAD, an S3 HeadObject.
// A missing object is a normal answer (exists = false). A probe that cannot tell (permission
// denied, DNS failure, timeout, malformed response) throws CheckError with reason probe and a
// message that never contains credentials.
//
// `not_after` is the instant being evaluated (later than now only by the clock-skew tolerance;
// earlier when replaying with --at): where a location matches several objects (a glob), the
// newest modified by then is the one returned, since later ones did not exist yet. A single
// object is returned whatever its time; the caller judges it.
class ObjectProber {
 public:
  virtual ~ObjectProber() = default;
  virtual ObjectInfo Probe(const std::string& location, std::chrono::milliseconds timeout,
                           TimePoint not_after) const = 0;
};

}  // namespace freshness
