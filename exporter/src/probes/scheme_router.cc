#include "probes/scheme_router.h"

#include <algorithm>
#include <stdexcept>

#include "util/check_error.h"

namespace freshness {
namespace {

// Filled while the program starts (by static initializers), read-only afterwards: the router
// keys its probers by the schemes' addresses.
std::vector<ProbeScheme>& Registry() {
  static std::vector<ProbeScheme> schemes;
  return schemes;
}

}  // namespace

bool RegisterProbeScheme(ProbeScheme scheme) {
  std::vector<ProbeScheme>& schemes = Registry();
  for (const ProbeScheme& each : schemes) {
    if (scheme.bare_paths && each.bare_paths) {
      throw std::logic_error("two probe schemes take bare paths");
    }
    for (const std::string& name : scheme.names) {
      if (std::find(each.names.begin(), each.names.end(), name) != each.names.end()) {
        throw std::logic_error("probe scheme \"" + name + "\" is registered twice");
      }
    }
  }
  const auto after = std::upper_bound(
      schemes.begin(), schemes.end(), scheme.position,
      [](int position, const ProbeScheme& each) { return position < each.position; });
  schemes.insert(after, std::move(scheme));
  return true;
}

const std::vector<ProbeScheme>& ProbeSchemes() { return Registry(); }

std::optional<std::string> UrlSchemeOf(const std::string& location) {
  const std::size_t scheme_end = location.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  return location.substr(0, scheme_end);
}

const ProbeScheme* FindProbeScheme(const std::string& location) {
  const std::optional<std::string> name = UrlSchemeOf(location);
  for (const ProbeScheme& scheme : Registry()) {
    if (name ? std::find(scheme.names.begin(), scheme.names.end(), *name) != scheme.names.end()
             : scheme.bare_paths) {
      return &scheme;
    }
  }
  return nullptr;
}

std::string ProbeSchemeChoices() {
  const std::vector<ProbeScheme>& schemes = Registry();
  std::string text;
  for (std::size_t i = 0; i < schemes.size(); ++i) {
    if (i > 0) text += i + 1 == schemes.size() ? " or " : ", ";
    text += schemes[i].display;
  }
  return text;
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

SchemeRouter::SchemeRouter(
    std::map<const ProbeScheme*, std::shared_ptr<const ObjectProber>> probers)
    : probers_(std::move(probers)) {}

ObjectInfo SchemeRouter::Probe(const std::string& location, std::chrono::milliseconds timeout,
                               TimePoint not_after) const {
  const auto found = probers_.find(FindProbeScheme(location));
  if (found == probers_.end() || found->second == nullptr)
    throw CheckError(ErrorReason::kProbe, "no prober for " + DisplayLocation(location));
  return found->second->Probe(location, timeout, not_after);
}

}  // namespace freshness
