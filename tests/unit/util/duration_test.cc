#include "util/duration.h"

#include <gtest/gtest.h>

namespace freshness {
namespace {

TEST(ParseDurationTest, AcceptsPrometheusUnits) {
  EXPECT_EQ(ParseDuration("15s"), Duration(15'000));
  EXPECT_EQ(ParseDuration("250ms"), Duration(250));
  EXPECT_EQ(ParseDuration("1m30s"), Duration(90'000));
  EXPECT_EQ(ParseDuration("26h"), Duration(26 * 3'600'000LL));
  EXPECT_EQ(ParseDuration("2d"), Duration(2 * 86'400'000LL));
  EXPECT_EQ(ParseDuration("1w"), Duration(604'800'000LL));
  EXPECT_EQ(ParseDuration("0"), Duration(0));
}

TEST(ParseDurationTest, RejectsMalformedText) {
  for (const char* text :
       {"", "s", "10", "10x", "-5s", "1.5s", "5 s", "s5", "99999999999999999999s"}) {
    EXPECT_FALSE(ParseDuration(text).has_value()) << text;
  }
}

TEST(FormatDurationTest, WritesLargestUnitsFirst) {
  EXPECT_EQ(FormatDuration(Duration(90'000)), "1m30s");
  EXPECT_EQ(FormatDuration(Duration(250)), "250ms");
  EXPECT_EQ(FormatDuration(Duration(0)), "0s");
  EXPECT_EQ(FormatDuration(Duration(93'600'000)), "1d2h");
}

}  // namespace
}  // namespace freshness
