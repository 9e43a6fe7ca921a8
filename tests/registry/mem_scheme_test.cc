// A source scheme that lives only in this test: mem://<name> reads objects from a map. It
// registers itself with one line, is validated when the config is read, and its prober is built
// for an artifact check loaded from YAML, without any file of exporter/src knowing it.

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <stdexcept>

#include "checks/artifact_check.h"
#include "loader/config_loader.h"
#include "metrics/metric_names.h"
#include "probes/scheme_router.h"
#include "support/fake_clock.h"

namespace freshness {
namespace {

std::mutex objects_mutex;
std::map<std::string, TimePoint> objects;  // by name; guarded by objects_mutex
int probers_built = 0;

class MemProber final : public ObjectProber {
 public:
  ObjectInfo Probe(const std::string& location, std::chrono::milliseconds,
                   TimePoint) const override {
    const std::string name = location.substr(std::string("mem://").size());
    std::lock_guard<std::mutex> lock(objects_mutex);
    const auto found = objects.find(name);
    if (found == objects.end()) return ObjectInfo{false, {}, std::nullopt, location};
    return ObjectInfo{true, found->second, 1, location};
  }
};

std::optional<std::string> ValidateMemLocation(const std::string& location) {
  if (location.size() == std::string("mem://").size()) return "expected mem://name";
  return std::nullopt;
}

FRESHNESS_REGISTER_PROBE_SCHEME((ProbeScheme{
    {"mem"}, false, "mem://", 1000, ValidateMemLocation, [](const ProbeOptions&) {
      ++probers_built;
      return std::make_shared<MemProber>();
    }}))

std::string LoadError(const std::string& text) {
  try {
    LoadConfigString(text, "t.yml");
  } catch (const ConfigError& caught) {
    return caught.what();
  }
  return "loaded";
}

std::optional<double> ValueOf(const Observation& observation, const std::string& name) {
  for (const auto& sample : observation.samples) {
    if (sample.metric == name) return sample.value;
  }
  return std::nullopt;
}

TEST(ProbeSchemeRegistryTest, ATestSchemeIsProbedByAnArtifactCheckFromYaml) {
  const TimePoint modified = TimePoint(std::chrono::seconds(1'780'000'000));
  {
    std::lock_guard<std::mutex> lock(objects_mutex);
    objects["daily.csv"] = modified;
  }
  const int built_before = probers_built;
  const Config config = LoadConfigString(R"(
checks:
  - name: daily
    kind: artifact
    source: mem://daily.csv
    expect: {max_age: 26h}
)",
                                         "t.yml");
  ASSERT_EQ(config.checks.size(), 1u);
  EXPECT_EQ(probers_built, built_before + 1);
  testing::FakeClock clock(modified + std::chrono::hours(1));
  CollectContext context;
  context.clock = &clock;
  const Observation observation = config.checks[0]->Collect(context);
  EXPECT_EQ(ValueOf(observation, metric::kArtifactModified), 1'780'000'000);
}

TEST(ProbeSchemeRegistryTest, ATestSchemesLocationsAreValidatedAndListed) {
  EXPECT_EQ(LoadError("checks:\n  - {name: a, kind: artifact, source: \"mem://\", "
                      "expect: {max_age: 1h}}\n"),
            "t.yml:2:39: checks[0].source: expected mem://name");
  // Listed after the built-in schemes, by its position.
  EXPECT_EQ(LoadError("checks:\n  - {name: a, kind: artifact, source: \"ftp://x/y\", "
                      "expect: {max_age: 1h}}\n"),
            "t.yml:2:39: checks[0].source: unsupported scheme \"ftp\" (use a path, file://, "
            "http(s)://, s3:// or mem://)");
  // The built-in schemes still check their own locations.
  EXPECT_EQ(LoadError("checks:\n  - {name: a, kind: artifact, source: \"s3://bucket\", "
                      "expect: {max_age: 1h}}\n"),
            "t.yml:2:39: checks[0].source: expected s3://bucket/key");
}

TEST(ProbeSchemeRegistryTest, ASchemeNameIsRegisteredOnce) {
  EXPECT_THROW(RegisterProbeScheme(
                   ProbeScheme{{"mem"},
                               false,
                               "mem://",
                               1,
                               ValidateMemLocation,
                               [](const ProbeOptions&) { return std::make_shared<MemProber>(); }}),
               std::logic_error);
  EXPECT_THROW(RegisterProbeScheme(
                   ProbeScheme{{"disk"},
                               true,
                               "disk",
                               1,
                               ValidateMemLocation,
                               [](const ProbeOptions&) { return std::make_shared<MemProber>(); }}),
               std::logic_error);
  ASSERT_NE(FindProbeScheme("mem://x"), nullptr);
  EXPECT_EQ(FindProbeScheme("mem://x")->display, "mem://");
  EXPECT_EQ(FindProbeScheme("/data/x.csv")->display, "a path, file://");
}

}  // namespace
}  // namespace freshness
