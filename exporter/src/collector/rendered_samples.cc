#include "collector/rendered_samples.h"

#include <algorithm>

#include "metrics/text_format.h"

namespace freshness {

double RenderedSamples::Line::ValueAt(double now_unix) const {
  if (!since_unix_seconds) return value;
  const double age = now_unix - *since_unix_seconds;
  return non_negative ? std::max(0.0, age) : age;
}

std::shared_ptr<const RenderedSamples> RenderSamples(
    const std::vector<Sample>& samples, const std::vector<MetricDescriptor>& descriptors,
    const std::string& check_name, const Labels& global) {
  auto rendered = std::make_shared<RenderedSamples>();
  const std::vector<std::pair<std::string, std::string>> by_check = {{"check", check_name}};
  for (const Sample& sample : samples) {
    auto family = std::find_if(rendered->families.begin(), rendered->families.end(),
                               [&](const auto& each) { return each.name == sample.metric; });
    if (family == rendered->families.end()) {
      RenderedSamples::Family added;
      added.name = sample.metric;
      added.help = sample.metric;
      for (const MetricDescriptor& descriptor : descriptors) {
        if (descriptor.name == sample.metric) {
          added.help = descriptor.help;
          added.type = descriptor.type;
          break;
        }
      }
      rendered->families.push_back(std::move(added));
      family = rendered->families.end() - 1;
    }
    family->lines.push_back(
        RenderedSamples::Line{sample.metric + LabelBlock(by_check, sample.labels, global),
                              sample.value, sample.since_unix_seconds, sample.non_negative});
  }
  return rendered;
}

}  // namespace freshness
