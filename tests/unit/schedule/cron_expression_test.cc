#include "schedule/cron_expression.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace freshness {
namespace {

TEST(CronExpressionTest, WeekdayMorningFiresOnlyOnWeekdays) {
  const CronExpression cron("0 6 * * mon-fri");
  EXPECT_EQ(cron.MinutesOfDay(), std::vector<int>{360});
  EXPECT_TRUE(cron.MatchesDay(7, 6, 1));    // Monday
  EXPECT_TRUE(cron.MatchesDay(7, 10, 5));   // Friday
  EXPECT_FALSE(cron.MatchesDay(7, 11, 6));  // Saturday
  EXPECT_FALSE(cron.MatchesDay(7, 12, 0));  // Sunday
}

TEST(CronExpressionTest, ListsRangesStepsAndNames) {
  const CronExpression cron("0,30 9-10 * jan,jul */2");
  EXPECT_EQ(cron.MinutesOfDay(), (std::vector<int>{540, 570, 600, 630}));
  EXPECT_TRUE(cron.MatchesDay(1, 4, 0));
  EXPECT_TRUE(cron.MatchesDay(7, 4, 2));
  EXPECT_FALSE(cron.MatchesDay(7, 4, 3));
  EXPECT_FALSE(cron.MatchesDay(2, 4, 2));
  const CronExpression stepped("5/20 * * * *");
  EXPECT_EQ(stepped.MinutesOfDay().size(), 24u * 3u);
  EXPECT_EQ(stepped.MinutesOfDay()[0], 5);
  EXPECT_EQ(stepped.MinutesOfDay()[1], 25);
}

TEST(CronExpressionTest, SevenIsSunday) {
  const CronExpression cron("0 0 * * 7");
  EXPECT_TRUE(cron.MatchesDay(3, 8, 0));
  EXPECT_FALSE(cron.MatchesDay(3, 9, 1));
}

TEST(CronExpressionTest, BothDayFieldsRestrictedMatchEither) {
  const CronExpression cron("0 0 1 * mon");
  EXPECT_TRUE(cron.MatchesDay(7, 1, 3));   // the 1st, a Wednesday
  EXPECT_TRUE(cron.MatchesDay(7, 6, 1));   // a Monday
  EXPECT_FALSE(cron.MatchesDay(7, 7, 2));  // neither
  const CronExpression only_day("0 0 1 * *");
  EXPECT_FALSE(only_day.MatchesDay(7, 6, 1));
}

TEST(CronExpressionTest, RejectsMalformedExpressions) {
  for (const char* text : {"", "0 6 * *", "0 6 * * * *", "60 6 * * *", "0 24 * * *", "0 6 0 * *",
                           "0 6 * 13 *", "0 6 * * 8", "0 6 * * fri-mon", "x 6 * * *",
                           "0 6 * * mon-", "*/0 * * * *", "1,,2 * * * *", "0 6 * * funday"}) {
    EXPECT_THROW(CronExpression{text}, std::invalid_argument) << text;
  }
}

TEST(CronExpressionTest, ErrorNamesTheField) {
  try {
    CronExpression cron("0 25 * * *");
    FAIL() << "accepted hour 25";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("hour field \"25\""), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace freshness
