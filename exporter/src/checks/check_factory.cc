#include "checks/check_factory.h"

#include <algorithm>

#include "checks/artifact_check.h"
#include "checks/duplicates_check.h"
#include "checks/lag_check.h"
#include "checks/query_check.h"
#include "checks/runs_check.h"

namespace freshness {

const std::vector<std::string>& KnownCheckKinds() {
  static const std::vector<std::string> kinds = {"lag", "runs", "duplicates", "query", "artifact"};
  return kinds;
}

bool KindReadsDatabase(const std::string& kind) { return kind != "artifact"; }

std::shared_ptr<Check> MakeCheck(CheckSpec spec, MappingReader& reader, const Config& config) {
  const std::string kind = spec.kind;
  if (kind == "lag") return MakeLagCheck(std::move(spec), reader, config);
  if (kind == "runs") return MakeRunsCheck(std::move(spec), reader, config);
  if (kind == "duplicates") return MakeDuplicatesCheck(std::move(spec), reader, config);
  if (kind == "query") return MakeQueryCheck(std::move(spec), reader, config);
  if (kind == "artifact") return MakeArtifactCheck(std::move(spec), reader, config);
  reader.Fail("kind", "unknown check kind \"" + kind + "\"");
}

}  // namespace freshness
