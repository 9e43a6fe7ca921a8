#pragma once

#include <memory>

#include "checks/artifact_spec.h"
#include "checks/check.h"
#include "config/config.h"
#include "config/mapping_reader.h"
#include "probes/object_prober.h"
#include "probes/scheme_router.h"

namespace freshness {

// The keys of one artifact check (docs/artifacts.md), validated with their file positions:
// what it expects, and the options of its sources' schemes (the `s3:` keys).
struct ArtifactConfig {
  ArtifactSpec spec;
  ProbeOptions probe;
};

ArtifactConfig ReadArtifactConfig(const CheckSpec& check, MappingReader& reader,
                                  const ConfigData& config);

// The prober for a check's sources: a prober of each registered scheme a source uses.
std::shared_ptr<const ObjectProber> MakeArtifactProber(const ArtifactSpec& spec,
                                                       const ProbeOptions& options);

}  // namespace freshness
