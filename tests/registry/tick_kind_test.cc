// A check kind that lives only in this test: it registers itself with one line, is named in
// YAML, gets its keys validated and its defaults merged, and is built and collected, without
// any file of exporter/src knowing it.

#include <gtest/gtest.h>

#include <stdexcept>

#include "checks/check_registry.h"
#include "config/config_reader.h"
#include "loader/config_loader.h"

namespace freshness {
namespace {

// Exports `value` as tick_value; no database.
class TickCheck : public Check {
 public:
  TickCheck(CheckSpec spec, double value) : Check(std::move(spec)), value_(value) {}

  std::vector<MetricDescriptor> Descriptors() const override {
    return {{"tick_value", "The configured value.", prometheus::MetricType::Gauge}};
  }
  Observation Collect(const CollectContext&) override {
    Observation observation;
    observation.samples.emplace_back("tick_value", Labels{}, value_);
    return observation;
  }
  CheckSummary Summarize(const Observation&, TimePoint) const override {
    CheckSummary summary;
    summary.state = "ok";
    return summary;
  }
  double value() const { return value_; }

 private:
  double value_;
};

std::shared_ptr<Check> MakeTickCheck(CheckSpec spec, MappingReader& reader, const ConfigData&) {
  const std::optional<double> value = reader.Number("value");
  if (!value) reader.Fail("value", "is required");
  return std::make_shared<TickCheck>(std::move(spec), *value);
}

FRESHNESS_REGISTER_CHECK_KIND((CheckKind{
    CheckKindSyntax{"tick", {"value"}, false, "", "", "not allowed on tick checks: a test kind"},
    MakeTickCheck, 1000}))

TEST(CheckRegistryTest, ATestKindLoadsFromYamlWithItsDefaults) {
  const Config config = LoadConfigString(R"(
defaults:
  tick: {value: 7}
checks:
  - {name: a, kind: tick}
  - {name: b, kind: tick, value: 2.5, interval: 1m}
)",
                                         "t.yml");
  ASSERT_EQ(config.checks.size(), 2u);
  const auto& a = dynamic_cast<const TickCheck&>(*config.checks[0]);
  EXPECT_EQ(a.value(), 7);
  EXPECT_EQ(a.spec().kind, "tick");
  EXPECT_EQ(a.spec().target, "");  // reads no database: no target key
  const auto& b = dynamic_cast<const TickCheck&>(*config.checks[1]);
  EXPECT_EQ(b.value(), 2.5);
  EXPECT_EQ(b.spec().interval, Duration(60'000));
  const Observation observation = config.checks[1]->Collect(CollectContext{});
  ASSERT_EQ(observation.samples.size(), 1u);
  EXPECT_EQ(observation.samples[0].value, 2.5);
}

TEST(CheckRegistryTest, ATestKindsKeysAreValidatedWithPositions) {
  const auto error = [](const std::string& text) {
    try {
      LoadConfigString(text, "t.yml");
    } catch (const ConfigError& caught) {
      return std::string(caught.what());
    }
    return std::string("loaded");
  };
  EXPECT_EQ(error("checks:\n  - {name: a, kind: tick, valeu: 1}\n"),
            "t.yml:2:27: checks[0].valeu: unknown key (did you mean \"value\"?)");
  EXPECT_EQ(error("checks:\n  - {name: a, kind: tick}\n"),
            "t.yml:2:5: checks[0].value: is required");
  EXPECT_EQ(error("checks:\n  - {name: a, kind: tick, value: 1, for: 5m}\n"),
            "t.yml:2:37: checks[0].for: not allowed on tick checks: a test kind");
  EXPECT_EQ(error("checks:\n  - {name: a, kind: tick, value: 1, target: ops}\n"),
            "t.yml:2:37: checks[0].target: unknown key");
  // Listed after the built-in kinds, by its position.
  EXPECT_EQ(error("checks:\n  - {name: a, kind: tock}\n"),
            "t.yml:2:21: checks[0].kind: invalid value \"tock\" (allowed: lag, runs, duplicates, "
            "query, artifact, volume, tick) (did you mean \"tick\"?)");
}

TEST(CheckRegistryTest, ChecksAreBuiltFromPlainConfigData) {
  const ConfigData data = ReadConfigString("checks:\n  - {name: a, kind: tick, value: 3}\n",
                                           "t.yml", CheckKindSyntaxes());
  ASSERT_EQ(data.definitions.size(), 1u);
  EXPECT_EQ(data.definitions[0].spec.name, "a");
  const std::vector<std::shared_ptr<Check>> checks = BuildChecks(data);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(dynamic_cast<const TickCheck&>(*checks[0]).value(), 3);
}

TEST(CheckRegistryTest, AKindNameIsRegisteredOnce) {
  EXPECT_THROW(RegisterCheckKind(
                   CheckKind{CheckKindSyntax{"tick", {}, false, "", "", ""}, MakeTickCheck, 1}),
               std::logic_error);
  EXPECT_EQ(KnownCheckKinds().back(), "tick");
  EXPECT_FALSE(KindReadsDatabase("tick"));
  EXPECT_TRUE(KindReadsDatabase("lag"));
}

}  // namespace
}  // namespace freshness
