#include "db/postgres_database.h"

#include <gtest/gtest.h>

#include "postgres_fixture.h"

namespace freshness::testing {
namespace {

using std::chrono::milliseconds;

TEST_F(PostgresTest, ReturnsColumnsAndTextRowsWithNulls) {
  auto database = Connect();
  const QueryResult result = database->Query(
      "SELECT 1 AS one, NULL::text AS nothing, '2026-11-23 17:02:25.123+01'::timestamptz AS ts",
      milliseconds(5000));
  ASSERT_EQ(result.columns, (std::vector<std::string>{"one", "nothing", "ts"}));
  ASSERT_EQ(result.rows.size(), 1u);
  EXPECT_EQ(result.rows[0][0], "1");
  EXPECT_EQ(result.rows[0][1], std::nullopt);
  EXPECT_EQ(result.rows[0][2], "2026-11-23 16:02:25.123+00");
  EXPECT_TRUE(database->Up());
  EXPECT_EQ(database->OpenConnections(), 1);
}

}  // namespace
}  // namespace freshness::testing
