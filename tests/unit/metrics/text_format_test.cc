#include "metrics/text_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "collector/rendered_samples.h"

namespace freshness {
namespace {

TEST(TextFormatTest, LabelBlockOrdersFirstOwnThenGlobalAndEscapes) {
  EXPECT_EQ(LabelBlock({{"check", "a\"b"}}, {{"lane", "x\\y\nz"}}, {{"env", "prod"}}),
            R"({check="a\"b",lane="x\\y\nz",env="prod"})");
  // A global label the series has itself is not repeated.
  EXPECT_EQ(LabelBlock({}, {{"env", "own"}}, {{"env", "prod"}}), R"({env="own"})");
  EXPECT_EQ(LabelBlock({}, {}, {}), "");
}

TEST(TextFormatTest, ValuesReadBackExactly) {
  const auto text = [](double value) {
    std::string out;
    AppendValue(out, value);
    return out;
  };
  EXPECT_EQ(text(180), "180");
  EXPECT_EQ(text(0.995), "0.995");
  EXPECT_EQ(text(1733150000.5), "1733150000.5");
  EXPECT_EQ(text(-62500), "-62500");
  EXPECT_EQ(text(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(text(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(text(std::nan("")), "NaN");
  EXPECT_EQ(std::stod(text(0.1 + 0.2)), 0.1 + 0.2);
}

TEST(TextFormatTest, FamilyHeaderEscapesHelp) {
  std::string out;
  AppendFamilyHeader(out, "m", "a\\b\nc", prometheus::MetricType::Counter);
  EXPECT_EQ(out, "# HELP m a\\\\b\\nc\n# TYPE m counter\n");
}

TEST(RenderedSamplesTest, GroupsByMetricAndComputesAgesAtTheInstant) {
  const std::vector<Sample> samples = {
      Sample{"freshness_lag_seconds", {{"lane", "fx"}}, 0, 100.0},
      Sample{"freshness_last_event_timestamp_seconds", {{"lane", "fx"}}, 100},
      Sample{"freshness_lag_seconds", {{"lane", "eq"}}, 0, 190.0, true},
  };
  const auto rendered =
      RenderSamples(samples, {{"freshness_lag_seconds", "Seconds since the newest event."}},
                    "trades", {{"env", "prod"}});
  ASSERT_EQ(rendered->families.size(), 2u);
  const auto& lag = rendered->families[0];
  EXPECT_EQ(lag.name, "freshness_lag_seconds");
  EXPECT_EQ(lag.help, "Seconds since the newest event.");
  ASSERT_EQ(lag.lines.size(), 2u);
  EXPECT_EQ(lag.lines[0].series, R"(freshness_lag_seconds{check="trades",lane="fx",env="prod"})");
  EXPECT_DOUBLE_EQ(lag.lines[0].ValueAt(160), 60);
  EXPECT_DOUBLE_EQ(lag.lines[1].ValueAt(160), 0);  // never below 0
  // A metric without a descriptor is its own help.
  EXPECT_EQ(rendered->families[1].help, "freshness_last_event_timestamp_seconds");
  EXPECT_DOUBLE_EQ(rendered->families[1].lines[0].ValueAt(160), 100);
}

}  // namespace
}  // namespace freshness
