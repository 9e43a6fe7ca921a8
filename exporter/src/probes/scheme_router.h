#pragma once

#include <memory>

#include "probes/object_prober.h"

namespace freshness {

// Sends each location to the prober of its scheme: s3://, http(s)://, else a local file.
class SchemeRouter final : public ObjectProber {
 public:
  // Any prober may be null when no source of the check uses its scheme.
  SchemeRouter(std::shared_ptr<const ObjectProber> file, std::shared_ptr<const ObjectProber> http,
               std::shared_ptr<const ObjectProber> s3);
  ObjectInfo Probe(const std::string& location, std::chrono::milliseconds timeout,
                   TimePoint not_after) const override;

 private:
  std::shared_ptr<const ObjectProber> file_;
  std::shared_ptr<const ObjectProber> http_;
  std::shared_ptr<const ObjectProber> s3_;
};

enum class SourceScheme { kFile, kHttp, kS3 };
SourceScheme SchemeOf(const std::string& location);

// A location safe to show in errors and logs: no user info, query string or fragment.
std::string DisplayLocation(const std::string& location);

}  // namespace freshness
