#pragma once

#include <string>

namespace freshness::testing {

// Absolute paths baked in at build time, so tests run from any working directory.
std::string SourceDir();
std::string TestdataDir();
std::string ExporterBinary();

}  // namespace freshness::testing
