#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace freshness {

// Why a collection failed; exported as the `reason` label of freshness_check_errors_total.
enum class ErrorReason { kTimeout, kConnection, kQuery, kProbe, kConfig };

inline constexpr ErrorReason kAllErrorReasons[] = {ErrorReason::kTimeout, ErrorReason::kConnection,
                                                   ErrorReason::kQuery, ErrorReason::kProbe,
                                                   ErrorReason::kConfig};

constexpr std::string_view ReasonName(ErrorReason reason) {
  switch (reason) {
    case ErrorReason::kTimeout:
      return "timeout";
    case ErrorReason::kConnection:
      return "connection";
    case ErrorReason::kQuery:
      return "query";
    case ErrorReason::kProbe:
      return "probe";
    case ErrorReason::kConfig:
      return "config";
  }
  return "query";
}

// Thrown by a check's collection; caught once per run by the collector.
// Messages must never contain secrets (DSN passwords, keys).
class CheckError : public std::runtime_error {
 public:
  CheckError(ErrorReason reason, const std::string& message)
      : std::runtime_error(message), reason_(reason) {}
  ErrorReason reason() const noexcept { return reason_; }

 private:
  ErrorReason reason_;
};

}  // namespace freshness
