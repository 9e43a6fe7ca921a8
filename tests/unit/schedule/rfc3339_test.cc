#include "schedule/rfc3339.h"

#include <date/date.h>
#include <gtest/gtest.h>

namespace freshness {
namespace {

TEST(Rfc3339Test, ParsesOffsetsAndUtc) {
  const TimePoint expected = date::sys_days(date::year{2026} / 7 / 6) + std::chrono::hours(14);
  EXPECT_EQ(ParseRfc3339("2026-07-06T10:00:00-04:00"), expected);
  EXPECT_EQ(ParseRfc3339("2026-07-06T14:00:00Z"), expected);
  EXPECT_EQ(ParseRfc3339("2026-07-06T14:00:00.500Z"), expected + std::chrono::milliseconds(500));
  EXPECT_EQ(FormatRfc3339(expected), "2026-07-06T14:00:00Z");
}

TEST(Rfc3339Test, RejectsMalformedTimestamps) {
  for (const char* text : {"", "2026-07-06", "2026-07-06T10:00:00", "2026-07-06 10:00:00Z",
                           "2026-13-06T10:00:00Z", "2026-07-06T10:00:00+04:00x"}) {
    EXPECT_FALSE(ParseRfc3339(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace freshness

namespace freshness {
namespace {

// Found by fuzz_values: date::parse read this malformed offset into an out-of-range duration.
TEST(Rfc3339Test, MalformedOffsetsAreRejected) {
  EXPECT_FALSE(ParseRfc3339("2026-07-06T10:00:00-:~0:2").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-07-06T10:00:00+4:00").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-07-06 10:00:00+04:00x").has_value());
  EXPECT_TRUE(ParseRfc3339("2026-07-06t10:00:00z").has_value());
}

}  // namespace
}  // namespace freshness
