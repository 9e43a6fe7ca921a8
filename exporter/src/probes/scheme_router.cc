#include "probes/scheme_router.h"

#include "util/check_error.h"

namespace freshness {

SourceScheme SchemeOf(const std::string& location) {
  if (location.rfind("s3://", 0) == 0) return SourceScheme::kS3;
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) {
    return SourceScheme::kHttp;
  }
  return SourceScheme::kFile;
}

std::string DisplayLocation(const std::string& location) {
  std::string shown = location.substr(0, location.find_first_of("?#"));
  const std::size_t scheme_end = shown.find("://");
  if (scheme_end != std::string::npos) {
    const std::size_t host_start = scheme_end + 3;
    const std::size_t path_start = shown.find('/', host_start);
    const std::size_t at = shown.find('@', host_start);
    if (at != std::string::npos && (path_start == std::string::npos || at < path_start)) {
      shown.erase(host_start, at + 1 - host_start);
    }
  }
  return shown;
}

SchemeRouter::SchemeRouter(std::shared_ptr<const ObjectProber> file,
                           std::shared_ptr<const ObjectProber> http,
                           std::shared_ptr<const ObjectProber> s3)
    : file_(std::move(file)), http_(std::move(http)), s3_(std::move(s3)) {}

ObjectInfo SchemeRouter::Probe(const std::string& location, std::chrono::milliseconds timeout,
                               TimePoint not_after) const {
  const ObjectProber* prober = nullptr;
  switch (SchemeOf(location)) {
    case SourceScheme::kFile:
      prober = file_.get();
      break;
    case SourceScheme::kHttp:
      prober = http_.get();
      break;
    case SourceScheme::kS3:
      prober = s3_.get();
      break;
  }
  if (prober == nullptr)
    throw CheckError(ErrorReason::kProbe, "no prober for " + DisplayLocation(location));
  return prober->Probe(location, timeout, not_after);
}

}  // namespace freshness
