#include "schedule/path_template.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace freshness {
namespace {

constexpr date::sys_days kJuly6 = date::sys_days(date::year{2026} / 7 / 6);

TEST(PathTemplateTest, ExpandsDateFormats) {
  const PathTemplate path("s3://b/{as_of:%Y-%m-%d}/x_{as_of:%Y%m%d}.json");
  EXPECT_TRUE(path.dated());
  EXPECT_EQ(path.Expand(kJuly6), "s3://b/2026-07-06/x_20260706.json");
  EXPECT_EQ(PathTemplate("/d/{as_of:%a %b %j}").Expand(kJuly6), "/d/Mon Jul 187");
}

TEST(PathTemplateTest, UndatedPathsExpandToThemselves) {
  const PathTemplate path("/data/latest.csv");
  EXPECT_FALSE(path.dated());
  EXPECT_EQ(path.Expand(kJuly6), "/data/latest.csv");
}

TEST(PathTemplateTest, RejectsBadTemplates) {
  for (const char* text : {"/d/{date:%Y}", "/d/{as_of:%Y", "/d/as_of:%Y}", "/d/{as_of:}",
                           "/d/{as_of:%H}", "/d/{as_of:%Y%}", "/d/{}"}) {
    EXPECT_THROW(PathTemplate{text}, std::invalid_argument) << text;
  }
}

TEST(PathTemplateTest, TooLongExpansionFailsInsteadOfTruncating) {
  std::string text = "/d/";
  for (int i = 0; i < 500; ++i) text += "{as_of:%B}";  // 4,500 characters for September
  const PathTemplate path(text);
  EXPECT_FALSE(path.Expand(date::sys_days(date::year{2026} / 9 / 1)).has_value());
  EXPECT_TRUE(path.Expand(date::sys_days(date::year{2026} / 5 / 1)).has_value());  // "May"
}

}  // namespace
}  // namespace freshness
