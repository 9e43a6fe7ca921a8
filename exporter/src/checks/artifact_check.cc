#include "checks/artifact_check.h"

namespace freshness {

// Not built yet (issue 3): rejected with a clear config error rather than silently ignored.
std::shared_ptr<Check> MakeArtifactCheck(CheckSpec, MappingReader& reader, const Config&) {
  reader.Fail("kind", "the artifact kind is not available in this build yet");
}

}  // namespace freshness
