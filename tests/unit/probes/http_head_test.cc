#include "probes/http_head.h"

#include <date/date.h>
#include <gtest/gtest.h>

#include "probes/http_prober.h"
#include "util/check_error.h"

namespace freshness {
namespace {

TEST(LastModifiedTest, ParsesTheThreeHttpDateForms) {
  const TimePoint expected = date::sys_days(date::year{1994} / 11 / 6) + std::chrono::hours(8) +
                             std::chrono::minutes(49) + std::chrono::seconds(37);
  EXPECT_EQ(ParseLastModified("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  EXPECT_EQ(ParseLastModified("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  EXPECT_EQ(ParseLastModified("Sun Nov  6 08:49:37 1994"), expected);
  EXPECT_EQ(ParseLastModified("Sun, 06 Nov 1994 08:49:37 GMT \r\n"), expected);
}

TEST(LastModifiedTest, RejectsMalformedDates) {
  for (const char* text :
       {"", "yesterday", "last tuesday", "1994-11-06T08:49:37Z", "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 03 Nov 1994 08:49:$3\"\x11\x11\x11\x11"}) {
    EXPECT_FALSE(ParseLastModified(text).has_value()) << text;
  }
}

TEST(LastModifiedTest, YearsPastTheClockRangeAreRejected) {
  EXPECT_FALSE(ParseLastModified("Sun, 06 Nov 9999 08:49:37 GMT").has_value());
  EXPECT_TRUE(ParseLastModified("Mon, 06 Jul 2026 09:50:00 GMT").has_value());
}

TEST(HttpUrlTest, FormatsWhatItParsed) {
  EXPECT_EQ(FormatHttpUrl(ParseHttpUrl("http://127.0.0.1:9000/a/b?c")),
            "http://127.0.0.1:9000/a/b?c");
  EXPECT_EQ(FormatHttpUrl(ParseHttpUrl("https://s3.us-east-1.amazonaws.com")),
            "https://s3.us-east-1.amazonaws.com/");
  EXPECT_EQ(FormatHttpUrl(ParseHttpUrl("http://[::1]:8080/x")), "http://[::1]:8080/x");
}

}  // namespace
}  // namespace freshness

namespace freshness {
namespace {

TEST(HttpProberTest, UserInfoIsRejectedAndNeverShown) {
  try {
    HttpProber().Probe("http://reader:s3cr3t@127.0.0.1:1/x.csv", std::chrono::milliseconds(100),
                       TimePoint{});
    FAIL() << "no error";
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kProbe);
    const std::string message = error.what();
    EXPECT_NE(message.find("user info"), std::string::npos) << message;
    EXPECT_EQ(message.find("s3cr3t"), std::string::npos) << message;
    EXPECT_EQ(message.find("reader"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace freshness
