#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "probes/object_prober.h"
#include "util/check_error.h"

namespace freshness::testing {

// An object store in memory: locations map to objects or to a probe error.
class FakeObjectProber final : public ObjectProber {
 public:
  void Put(const std::string& location, TimePoint modified, std::uint64_t size = 100) {
    std::lock_guard<std::mutex> lock(mutex_);
    objects_[location] = ObjectInfo{true, modified, size, location};
  }
  void FailOn(const std::string& location, const std::string& message) {
    std::lock_guard<std::mutex> lock(mutex_);
    errors_[location] = message;
  }
  std::vector<std::string> probed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return probed_;
  }

  ObjectInfo Probe(const std::string& location, std::chrono::milliseconds,
                   TimePoint) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    probed_.push_back(location);
    if (const auto error = errors_.find(location); error != errors_.end()) {
      throw CheckError(ErrorReason::kProbe, error->second);
    }
    if (const auto found = objects_.find(location); found != objects_.end()) return found->second;
    return ObjectInfo{false, {}, std::nullopt, location};
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, ObjectInfo> objects_;
  std::map<std::string, std::string> errors_;
  mutable std::vector<std::string> probed_;
};

}  // namespace freshness::testing
