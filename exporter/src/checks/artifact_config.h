#pragma once

#include <memory>

#include "checks/artifact_spec.h"
#include "checks/check.h"
#include "config/config.h"
#include "config/mapping_reader.h"
#include "probes/object_prober.h"
#include "probes/s3_prober.h"

namespace freshness {

// The keys of one artifact check (docs/artifacts.md), validated with their file positions:
// what it expects, and the S3 options its sources are read with.
struct ArtifactConfig {
  ArtifactSpec spec;
  S3Options s3;
};

ArtifactConfig ReadArtifactConfig(const CheckSpec& check, MappingReader& reader,
                                  const ConfigData& config);

// The prober for a check's sources: files always, HTTP and S3 only when a source uses them.
std::shared_ptr<const ObjectProber> MakeArtifactProber(const ArtifactSpec& spec,
                                                       const S3Options& s3);

}  // namespace freshness
