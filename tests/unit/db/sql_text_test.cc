#include "db/sql_text.h"

#include <gtest/gtest.h>

#include <cmath>

namespace freshness {
namespace {

TEST(QuoteQualifiedNameTest, QuotesEveryPart) {
  EXPECT_EQ(QuoteQualifiedName("events"), "\"events\"");
  EXPECT_EQ(QuoteQualifiedName("ops.lane_telemetry"), "\"ops\".\"lane_telemetry\"");
  EXPECT_EQ(QuoteQualifiedName("db.ops.t$1"), "\"db\".\"ops\".\"t$1\"");
}

TEST(QuoteQualifiedNameTest, RejectsAnythingButIdentifiers) {
  for (const char* name :
       {"", ".", "ops.", ".events", "ops..events", "a.b.c.d", "1table", "ops.events; DROP TABLE x",
        "\"quoted\"", "ops.events--", "a b", "événements"}) {
    EXPECT_EQ(QuoteQualifiedName(name), std::nullopt) << name;
  }
}

TEST(QuoteColumnNameTest, AcceptsOnlyPlainIdentifiers) {
  EXPECT_EQ(QuoteColumnName("started_at"), "\"started_at\"");
  EXPECT_EQ(QuoteColumnName("_x9"), "\"_x9\"");
  EXPECT_EQ(QuoteColumnName("ops.ts"), std::nullopt);
  EXPECT_EQ(QuoteColumnName("ts\""), std::nullopt);
  EXPECT_EQ(QuoteColumnName(""), std::nullopt);
}

TEST(WindowStartSqlTest, UsesWholeSeconds) {
  EXPECT_EQ(WindowStartSql(Duration(600'000)), "now() - interval '600 seconds'");
  EXPECT_EQ(WindowStartSql(Duration(1'500)), "now() - interval '1 seconds'");
}

TEST(ParseSqlNumberTest, ReadsWhatPostgresPrints) {
  EXPECT_EQ(ParseSqlNumber("12"), 12.0);
  EXPECT_EQ(ParseSqlNumber("-3.5"), -3.5);
  EXPECT_EQ(ParseSqlNumber("1e3"), 1000.0);
  EXPECT_EQ(ParseSqlNumber("1.5E-2"), 0.015);
  EXPECT_EQ(ParseSqlNumber("12345678901234567890"), 12345678901234567890.0);
  EXPECT_EQ(ParseSqlNumber("Infinity"), HUGE_VAL);
  EXPECT_EQ(ParseSqlNumber("-Infinity"), -HUGE_VAL);
  const std::optional<double> nan = ParseSqlNumber("NaN");
  ASSERT_TRUE(nan.has_value());
  EXPECT_TRUE(std::isnan(*nan));
}

TEST(ParseSqlNumberTest, RejectsNonNumbers) {
  for (const char* text : {"", "abc", "12abc", "1 2", "inf", "nan", "0x1A", "t", "1e999", " "}) {
    EXPECT_EQ(ParseSqlNumber(text), std::nullopt) << text;
  }
}

TEST(ParseSqlTimestampTest, ReadsIsoTimestampsInUtc) {
  // 2026-11-23T17:02:25Z
  constexpr double kBase = 1795453345;
  EXPECT_EQ(ParseSqlTimestamp("2026-11-23 17:02:25+00"), kBase);
  EXPECT_EQ(ParseSqlTimestamp("2026-11-23 17:02:25"), kBase);
  EXPECT_EQ(ParseSqlTimestamp("2026-11-23T17:02:25+00"), kBase);
  EXPECT_NEAR(*ParseSqlTimestamp("2026-11-23 17:02:25.123+00"), kBase + 0.123, 1e-6);
  EXPECT_NEAR(*ParseSqlTimestamp("2026-11-23 17:02:25.000001+00"), kBase + 1e-6, 1e-7);
  EXPECT_EQ(ParseSqlTimestamp("2026-11-23"), kBase - (17 * 3600 + 2 * 60 + 25));
  EXPECT_EQ(ParseSqlTimestamp("1970-01-01 00:00:00+00"), 0.0);
}

TEST(ParseSqlTimestampTest, AppliesOffsets) {
  constexpr double kBase = 1795453345;
  EXPECT_EQ(ParseSqlTimestamp("2026-11-23 18:02:25+01"), kBase);
  EXPECT_EQ(ParseSqlTimestamp("2026-11-23 12:02:25-05"), kBase);
  EXPECT_EQ(ParseSqlTimestamp("2026-11-23 22:32:25+05:30"), kBase);
  EXPECT_EQ(ParseSqlTimestamp("2026-11-23 17:02:25+00:00:10"), kBase - 10);
}

TEST(ParseSqlTimestampTest, ReadsInfinityAndEpochSeconds) {
  EXPECT_EQ(ParseSqlTimestamp("infinity"), HUGE_VAL);
  EXPECT_EQ(ParseSqlTimestamp("-infinity"), -HUGE_VAL);
  EXPECT_EQ(ParseSqlTimestamp("1795453345"), 1795453345.0);
  EXPECT_EQ(ParseSqlTimestamp("1795453345.5"), 1795453345.5);
}

TEST(ParseSqlTimestampTest, RejectsMalformedText) {
  for (const char* text :
       {"", "2026-13-01", "2026-11-23 25:00:00+00", "2026-11-23 17:02", "2026-11-23 17:02:25.+00",
        "2026-11-23 17:02:25 UTC", "2026-11-23 17:02:25+0", "2026-11-23x17:02:25",
        "2026-11-23 17:0a:25", "yesterday"}) {
    EXPECT_EQ(ParseSqlTimestamp(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace freshness

namespace freshness {
namespace {

// Found by fuzz_values: a non-digit in the minutes of a zone offset threw from std::stoi.
TEST(ParseSqlTimestampTest, MalformedOffsetMinutesAreRejectedNotThrown) {
  EXPECT_FALSE(ParseSqlTimestamp("2026-11-23 17:02:25.0+13:\xf9"
                                 "5230")
                   .has_value());
  EXPECT_FALSE(ParseSqlTimestamp("2026-11-23 17:02:25+05:x0").has_value());
  EXPECT_EQ(ParseSqlTimestamp("2026-11-23 17:02:25+05:30"),
            ParseSqlTimestamp("2026-11-23 11:32:25+00"));
}

}  // namespace
}  // namespace freshness
