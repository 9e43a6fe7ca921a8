#include "probes/http_date.h"

#include <date/date.h>
#include <gtest/gtest.h>

namespace freshness {
namespace {

TEST(HttpDateTest, ParsesTheThreeHttpDateForms) {
  const TimePoint expected = date::sys_days(date::year{1994} / 11 / 6) + std::chrono::hours(8) +
                             std::chrono::minutes(49) + std::chrono::seconds(37);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), expected);
  EXPECT_EQ(FormatHttpDate(expected), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(HttpDateTest, RejectsMalformedDates) {
  for (const char* text : {"", "yesterday", "Sun, 06 Nov 1994 08:49:37", "1994-11-06T08:49:37Z",
                           "Sun, 32 Nov 1994 08:49:37 GMT"}) {
    EXPECT_FALSE(ParseHttpDate(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace freshness

namespace freshness {
namespace {

// Found by fuzz_values: date::parse had undefined behaviour on "…08:49:$3\"…".
TEST(HttpDateTest, GarbageInTheTimeOrYearsOutOfRangeAreRejected) {
  EXPECT_FALSE(ParseHttpDate("Sun, 03 Nov 1994 08:49:$3\"\x11\x11\x11\x11").has_value());
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 9999 08:49:37 GMT").has_value());
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 24:00:00 GMT").has_value());
  EXPECT_TRUE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT \r\n").has_value());
}

}  // namespace
}  // namespace freshness
