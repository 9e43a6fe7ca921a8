#include "util/suggest.h"

#include <gtest/gtest.h>

namespace freshness {
namespace {

TEST(SuggestTest, EditDistanceCountsSwapsAsOneAndIgnoresCase) {
  EXPECT_EQ(EditDistance("column", "column"), 0);
  EXPECT_EQ(EditDistance("colum", "column"), 1);
  EXPECT_EQ(EditDistance("warn_afer", "warn_after"), 1);
  EXPECT_EQ(EditDistance("America/New_Yrok", "America/New_York"), 1);  // one swap
  EXPECT_EQ(EditDistance("america/new_york", "America/New_York"), 0);
  EXPECT_EQ(EditDistance("", "abc"), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
}

TEST(SuggestTest, ClosestMatchesWithinTwoEditsClosestFirst) {
  const std::vector<std::string> keys = {"table", "column", "where", "warn_after", "error_after"};
  EXPECT_EQ(ClosestMatches("colum", keys), std::vector<std::string>{"column"});
  EXPECT_EQ(ClosestMatches("windoww", keys), std::vector<std::string>{});
  EXPECT_EQ(ClosestMatches("tabel", keys), std::vector<std::string>{"table"});
  // The exact key is never suggested for itself.
  EXPECT_EQ(ClosestMatches("table", keys), std::vector<std::string>{});
  EXPECT_EQ(ClosestMatches("ab", {"abc", "abd", "ab_", "a"}, 1, 2),
            (std::vector<std::string>{"abc", "abd"}));
}

TEST(SuggestTest, DidYouMeanNamesOneOrSeveral) {
  EXPECT_EQ(DidYouMean("colum", {"column", "table"}), " (did you mean \"column\"?)");
  EXPECT_EQ(DidYouMean(std::vector<std::string>{"a", "b", "c"}),
            " (did you mean \"a\", \"b\" or \"c\"?)");
  EXPECT_EQ(DidYouMean("zzz", {"column"}), "");
}

}  // namespace
}  // namespace freshness
