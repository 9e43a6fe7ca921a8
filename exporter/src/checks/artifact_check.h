#pragma once

#include <memory>

#include "checks/check.h"
#include "config/mapping_reader.h"

namespace freshness {

// kind: artifact — schedule-aware freshness of files, HTTP and S3 objects (see DESIGN.md).
std::shared_ptr<Check> MakeArtifactCheck(CheckSpec spec, MappingReader& reader,
                                         const Config& config);

}  // namespace freshness
