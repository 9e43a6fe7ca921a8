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

namespace {

std::optional<std::string> ValidateHttpLocation(const std::string& location) {
  const std::string rest = location.substr(location.find("://") + 3);
  const std::string authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty()) return "URL has no host";
  if (authority.find('@') != std::string::npos) return "credentials in the URL are not allowed";
  return std::nullopt;
}

}  // namespace

FRESHNESS_REGISTER_PROBE_SCHEME((ProbeScheme{
    {"http", "https"}, false, "http(s)://", 20, ValidateHttpLocation, [](const ProbeOptions&) {
      return std::make_shared<HttpProber>();
    }}))

}  // namespace freshness
