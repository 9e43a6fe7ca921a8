#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "checks/check.h"
#include "collector/rendered_samples.h"
#include "util/check_error.h"

namespace freshness {

// What the exporter knows about one check between collections. Scrapes render this; they
// never run a check.
struct CheckState {
  // The last published observation: the last good one, or one a failing check chose to
  // publish (Observation::failure). Errors are never stored as values.
  std::shared_ptr<const Observation> observation;
  // The observation's samples as exposition text, written when it was stored.
  std::shared_ptr<const RenderedSamples> rendered;
  bool collected = false;  // at least one run finished
  bool success = false;    // the last run succeeded
  double duration_seconds = 0;
  std::optional<double> last_success_unix;
  std::optional<double> last_run_unix;
  std::uint64_t collections = 0;  // finished runs, successful or not
  std::array<std::uint64_t, std::size(kAllErrorReasons)> errors_by_reason{};
  std::optional<ErrorReason> last_error_reason;
  std::string last_error;  // redacted
};

}  // namespace freshness
