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
class ObjectProber {
 public:
  virtual ~ObjectProber() = default;
  virtual ObjectInfo Probe(const std::string& location,
                           std::chrono::milliseconds timeout) const = 0;
};

}  // namespace freshness
