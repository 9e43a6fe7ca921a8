#include "support/test_paths.h"

namespace freshness::testing {

std::string SourceDir() { return FRESHNESS_SOURCE_DIR; }
std::string TestdataDir() { return FRESHNESS_TESTDATA_DIR; }
std::string ExporterBinary() { return FRESHNESS_EXPORTER_BINARY; }

}  // namespace freshness::testing
