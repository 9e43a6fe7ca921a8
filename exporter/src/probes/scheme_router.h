#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "probes/object_prober.h"
#include "probes/s3_prober.h"

namespace freshness {

// The per-check options of the schemes that have any, read from the check's keys by
// checks/artifact_config.cc (today only S3's `s3:` mapping).
struct ProbeOptions {
  S3Options s3;
};

// A source scheme: which locations are its own, how they are validated when the config is read,
// and how its prober is built. Each scheme registers itself next to its prober with
// FRESHNESS_REGISTER_PROBE_SCHEME.
struct ProbeScheme {
  using Validator = std::function<std::optional<std::string>(const std::string& location)>;
  using Factory = std::function<std::shared_ptr<const ObjectProber>(const ProbeOptions& options)>;
  using Resolver =
      std::function<std::string(const std::string& location, const std::string& config_dir)>;

  ProbeScheme(std::vector<std::string> scheme_names, bool scheme_bare_paths,
              std::string scheme_display, int scheme_position, Validator scheme_validate,
              Factory scheme_factory, Resolver scheme_resolve = nullptr)
      : names(std::move(scheme_names)),
        bare_paths(scheme_bare_paths),
        display(std::move(scheme_display)),
        position(scheme_position),
        validate(std::move(scheme_validate)),
        factory(std::move(scheme_factory)),
        resolve(std::move(scheme_resolve)) {}

  // The URL schemes of its locations ("http", "https" for http://... and https://...).
  std::vector<std::string> names;
  // Also locations without "://" (local paths); one scheme at most.
  bool bare_paths = false;
  // How the scheme is shown in "unsupported scheme" errors ("http(s)://").
  std::string display;
  // Where the scheme is listed among the others (errors): lower first.
  int position = 0;
  // The error of a location of this scheme as written in the config, or nothing.
  Validator validate;
  // Builds the prober for the locations of a check's sources of this scheme.
  Factory factory;
  // Null, or where a location of this scheme is read from when the config file is in
  // `config_dir` (local paths: relative to the config file).
  Resolver resolve;
};

// Adds a scheme; a URL scheme name registered twice, or a second scheme of bare paths, is a
// programming error (std::logic_error).
bool RegisterProbeScheme(ProbeScheme scheme);

// The registered schemes, in their positions' order.
const std::vector<ProbeScheme>& ProbeSchemes();

// The URL scheme of `location` (before "://"), or nothing for a bare path.
std::optional<std::string> UrlSchemeOf(const std::string& location);

// The scheme a location belongs to: the one registering its URL scheme, the bare-path scheme
// for a location without "://", or null.
const ProbeScheme* FindProbeScheme(const std::string& location);

// The registered schemes as a config may write them: "a path, file://, http(s):// or s3://".
std::string ProbeSchemeChoices();

// Sends each location to the prober of its scheme.
class SchemeRouter final : public ObjectProber {
 public:
  // The probers by scheme; a scheme no source of the check uses may be absent.
  explicit SchemeRouter(std::map<const ProbeScheme*, std::shared_ptr<const ObjectProber>> probers);
  ObjectInfo Probe(const std::string& location, std::chrono::milliseconds timeout,
                   TimePoint not_after) const override;

 private:
  std::map<const ProbeScheme*, std::shared_ptr<const ObjectProber>> probers_;
};

// A location safe to show in errors and logs: no user info, query string or fragment.
std::string DisplayLocation(const std::string& location);

}  // namespace freshness

#define FRESHNESS_PROBE_SCHEME_CONCAT_INNER(a, b) a##b
#define FRESHNESS_PROBE_SCHEME_CONCAT(a, b) FRESHNESS_PROBE_SCHEME_CONCAT_INNER(a, b)
// Registers a source scheme when the program starts:
//   FRESHNESS_REGISTER_PROBE_SCHEME((ProbeScheme{{"s3"}, false, "s3://", 30, Validate, Make}))
// The `probes` layer's library is linked whole, so a scheme's file needs no other reference to be
// part of the program.
#define FRESHNESS_REGISTER_PROBE_SCHEME(scheme)                                                   \
  namespace {                                                                                     \
  [[maybe_unused]] const bool FRESHNESS_PROBE_SCHEME_CONCAT(registered_probe_scheme_, __LINE__) = \
      ::freshness::RegisterProbeScheme(scheme);                                                   \
  }
