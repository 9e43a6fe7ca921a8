#include "config/label_names.h"

#include <gtest/gtest.h>

namespace freshness {
namespace {

TEST(LabelNamesTest, TheReservedListIsTheContractsList) {
  const std::vector<std::string> expected = {
      "check",     "job",       "instance",  "pod",        "target",   "kind",
      "mode",      "severity",  "state",     "reason",     "le",       "quantile",
      "metric",    "direction", "alertname", "alertstate", "calendar", "location",
      "partition", "signal",    "version",   "revision"};
  EXPECT_EQ(ReservedLabelNames(), expected);
  for (const std::string& name : expected) {
    const std::optional<std::string> problem = LabelNameProblem(name);
    ASSERT_TRUE(problem.has_value()) << name;
    EXPECT_EQ(problem->rfind("\"" + name + "\" is reserved (", 0), 0u) << *problem;
  }
}

TEST(LabelNamesTest, SyntaxDoubleUnderscoreAndGlobalLabels) {
  EXPECT_EQ(LabelNameProblem("lane"), std::nullopt);
  EXPECT_EQ(LabelNameProblem("_lane2"), std::nullopt);
  EXPECT_EQ(LabelNameProblem("target"), "\"target\" is reserved (the rules join on it)");
  EXPECT_EQ(LabelNameProblem("1env"),
            "\"1env\" is not a valid label name (letters, digits and _, not starting with a "
            "digit)");
  EXPECT_EQ(LabelNameProblem("lane-id").has_value(), true);
  EXPECT_EQ(LabelNameProblem("lane$").has_value(), true);
  EXPECT_EQ(LabelNameProblem(""),
            "\"\" is not a valid label name (letters, digits and _, not "
            "starting with a digit)");
  EXPECT_EQ(LabelNameProblem("__name__"),
            "\"__name__\" starts with \"__\", which Prometheus reserves");
  const Labels global = {{"env", "prod"}};
  EXPECT_EQ(LabelNameProblem("env"), std::nullopt);  // a global label itself
  EXPECT_EQ(LabelNameProblem("env", &global), "\"env\" is already a global label (global.labels)");
}

TEST(LabelNamesTest, SuggestionsPassTheValidator) {
  const Labels global = {{"env", "prod"}};
  EXPECT_EQ(SuggestLabelName("target"), "target_name");
  EXPECT_EQ(SuggestLabelName("lane-id"), "lane_id");
  EXPECT_EQ(SuggestLabelName("1x"), "c_1x");
  EXPECT_EQ(SuggestLabelName("env", &global), "env_name");
  for (const char* name : {"__x", "check", "le", "9", "a b", "env"}) {
    EXPECT_EQ(LabelNameProblem(SuggestLabelName(name, &global), &global), std::nullopt) << name;
  }
  EXPECT_EQ(ColumnLabelError("target", *LabelNameProblem("target"), nullptr),
            "column \"target\" cannot be a label name: \"target\" is reserved (the rules join on "
            "it); rename it in SQL (e.g. AS target_name)");
}

}  // namespace
}  // namespace freshness
