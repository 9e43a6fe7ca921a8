#include "checks/check.h"

#include <algorithm>

#include "metrics/metric_names.h"

namespace freshness {

double ValueAt(const Sample& sample, double now_unix) {
  if (!sample.since_unix_seconds) return sample.value;
  const double age = now_unix - *sample.since_unix_seconds;
  return sample.non_negative ? std::max(0.0, age) : age;
}

std::vector<Sample> TierSamples(const TierPair& tiers, const std::string& metric) {
  std::vector<Sample> samples;
  if (tiers.warning) {
    samples.push_back(Sample{
        metric::kCheckThreshold, {{"metric", metric}, {"severity", "warning"}}, *tiers.warning});
  }
  if (tiers.critical) {
    samples.push_back(Sample{
        metric::kCheckThreshold, {{"metric", metric}, {"severity", "critical"}}, *tiers.critical});
  }
  return samples;
}

Sample ForSample(Duration for_duration) {
  return Sample{metric::kCheckFor, {}, std::chrono::duration<double>(for_duration).count()};
}

std::vector<MetricDescriptor> ThresholdDescriptors() {
  return {
      {metric::kCheckThreshold,
       "A threshold tier declared in the check: the compared series (metric) and its value in "
       "that series' unit, one series per tier that is not off."},
      {metric::kCheckFor, "How long a breach must last before it alerts (the check's for)."},
  };
}

nlohmann::json TiersJson(const TierPair& tiers) {
  nlohmann::json out = nlohmann::json::object();
  if (tiers.warning) out[tiers.warning_key] = *tiers.warning;
  if (tiers.critical) out[tiers.critical_key] = *tiers.critical;
  return out;
}

}  // namespace freshness
