// Grouped lag at scale: the loose index scan (recursive CTE over the (group, ts) index) and the
// GROUP BY form must answer alike, and the generated statements must be planned with an index.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "checks/duplicates_check.h"
#include "checks/grouped_lag_sql.h"
#include "checks/lag_check.h"
#include "checks/runs_check.h"
#include "loader/config_loader.h"
#include "postgres_fixture.h"

namespace freshness::testing {
namespace {

using std::chrono::milliseconds;

constexpr Duration kBudget{20'000};

class LooseScanTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    database_ = Connect();
  }

  std::shared_ptr<Check> Build(const std::string& check_yaml) {
    config_ = LoadConfigString(
        "targets:\n  db: {dsn_env: FRESHNESS_IT_db}\nchecks:\n  - " + check_yaml + "\n",
        "loose.yml");
    return config_.checks.at(0);
  }

  std::shared_ptr<LagCheck> BuildLag(const std::string& check_yaml) {
    auto check = std::dynamic_pointer_cast<LagCheck>(Build(check_yaml));
    EXPECT_NE(check, nullptr);
    return check;
  }

  // The rows of `sql`, each joined into one string, sorted: the order is not compared.
  std::vector<std::string> Rows(const std::string& sql) {
    const QueryResult result = database_->Query(sql, kBudget);
    std::vector<std::string> rows;
    for (const Row& row : result.rows) {
      std::string text;
      for (const auto& value : row) text += (value ? "'" + *value + "'" : "NULL") + "|";
      rows.push_back(text);
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  // Every (node type, index name) of the plan of `sql`.
  std::vector<std::pair<std::string, std::string>> PlanNodes(const std::string& sql) {
    const QueryResult result = database_->Query("EXPLAIN (FORMAT JSON) " + sql, kBudget);
    EXPECT_EQ(result.rows.size(), 1u);
    std::vector<std::pair<std::string, std::string>> nodes;
    if (result.rows.size() != 1 || !result.rows[0][0]) return nodes;
    const nlohmann::json plan = nlohmann::json::parse(*result.rows[0][0]);
    std::vector<nlohmann::json> stack = {plan[0]["Plan"]};
    while (!stack.empty()) {
      const nlohmann::json node = stack.back();
      stack.pop_back();
      const auto text = [&node](const char* key) {
        const auto found = node.find(key);
        return found != node.end() && found->is_string() ? found->get_ref<const std::string&>()
                                                         : std::string();
      };
      nodes.emplace_back(text("Node Type"), text("Index Name"));
      if (node.contains("Plans")) {
        for (const nlohmann::json& child : node["Plans"]) stack.push_back(child);
      }
    }
    return nodes;
  }

  static bool Has(const std::vector<std::pair<std::string, std::string>>& nodes,
                  const std::string& type, const std::string& index = "") {
    return std::any_of(nodes.begin(), nodes.end(), [&](const auto& node) {
      return node.first == type && (index.empty() || node.second == index);
    });
  }

  static std::string Describe(const std::vector<std::pair<std::string, std::string>>& nodes) {
    std::string out;
    for (const auto& [type, index] : nodes) out += type + (index.empty() ? "" : " " + index) + "; ";
    return out;
  }

  Config config_;
  std::unique_ptr<PostgresDatabase> database_;
};

// Rows with NULL groups, a group with only NULL times, several groups, one group.
constexpr const char* kEvents = R"(
  CREATE TABLE it.events (lane text, venue text NOT NULL DEFAULT 'x', ts timestamptz, ok bool);
  INSERT INTO it.events (lane, venue, ts, ok) VALUES
    ('a', 'x', '2026-11-23 17:00:00+00', true), ('a', 'y', '2026-11-23 17:59:59+00', false),
    ('a', 'x', NULL, true), ('b', 'x', '2026-11-23 12:00:00+00', true),
    ('c', 'y', NULL, true), (NULL, 'x', '2026-11-23 11:00:00+00', true),
    (NULL, 'y', '2026-11-23 11:30:00+00', false), ('d', 'y', '2026-11-22 00:00:00+00', false);
  INSERT INTO it.events (lane, venue, ts, ok)
    SELECT 'e' || (i % 37), CASE WHEN i % 2 = 0 THEN 'x' ELSE 'y' END,
           timestamptz '2026-11-01' + i * interval '1 minute', i % 3 <> 0
    FROM generate_series(1, 5000) AS i;
  CREATE TABLE it.one_group (lane text, ts timestamptz);
  INSERT INTO it.one_group VALUES ('only', '2026-11-23 10:00:00+00'), ('only', NULL),
    ('only', '2026-11-23 09:00:00+00');
  CREATE INDEX events_lane_ts ON it.events (lane, ts);
  CREATE INDEX events_venue_lane_ts ON it.events (venue, lane, ts);
  CREATE INDEX one_group_lane_ts ON it.one_group (lane, ts);
  ANALYZE it.events; ANALYZE it.one_group)";

TEST_F(LooseScanTest, LooseAndGroupByFormsReturnTheSameGroupsAndValues) {
  server().Execute(kEvents);
  struct Case {
    std::string yaml;
    std::string index;
  };
  const std::vector<Case> cases = {
      {"{name: c, kind: lag, target: db, table: it.events, column: ts, group_by: [lane], "
       "max_series: 1000}",
       "it.events_lane_ts"},
      {"{name: c, kind: lag, target: db, table: it.events, column: ts, group_by: [lane], "
       "max_series: 1000, where: \"ok\"}",
       "it.events_lane_ts"},
      {"{name: c, kind: lag, target: db, table: it.events, column: ts, group_by: [lane], "
       "max_series: 1000, where: \"lane IS NULL OR ts < '2026-11-23 12:00:00+00'\"}",
       "it.events_lane_ts"},
      {"{name: c, kind: lag, target: db, table: it.one_group, column: ts, group_by: [lane]}",
       "it.one_group_lane_ts"},
  };
  for (const Case& each : cases) {
    SCOPED_TRACE(each.yaml);
    auto check = BuildLag(each.yaml);
    ASSERT_NE(check, nullptr);
    const LagCheck::Plan plan = check->PlanFor(*database_, kBudget);
    EXPECT_TRUE(plan.decided);
    EXPECT_EQ(plan.index, each.index);
    const std::vector<std::string> plain = Rows(check->sql());
    EXPECT_FALSE(plain.empty());
    if (plan.small_table) {
      // it.one_group: 3 rows in 1 group, read whole; the walk it would run still agrees.
      EXPECT_EQ(plan.sql, check->sql());
      EXPECT_EQ(Rows(LooseGroupedLagSql(*check->settings().grouped, {"lane"}, true, false)), plain);
      continue;
    }
    EXPECT_NE(plan.sql.find("WITH RECURSIVE"), std::string::npos);
    EXPECT_EQ(Rows(plan.sql), plain);
  }
  // The NULL group and the group without a time are there, as GROUP BY returns them.
  auto check = BuildLag(cases[0].yaml);
  const std::vector<std::string> rows = Rows(check->PlanFor(*database_, kBudget).sql);
  EXPECT_NE(std::find(rows.begin(), rows.end(), "NULL|'2026-11-23 11:30:00+00'|"), rows.end());
  EXPECT_NE(std::find(rows.begin(), rows.end(), "'c'|NULL|"), rows.end());
  EXPECT_EQ(rows.size(), 4u + 1u + 37u);  // a b c d, NULL, e0..e36
}

TEST_F(LooseScanTest, TwoGroupColumnsWalkTheIndexInItsOwnOrder) {
  server().Execute(kEvents);
  // lane is nullable: a two-column walk cannot honour NULL groups, so the GROUP BY form stays.
  auto nullable = BuildLag(
      "{name: c, kind: lag, target: db, table: it.events, column: ts, group_by: [lane, venue]}");
  EXPECT_EQ(nullable->PlanFor(*database_, kBudget).index, "");
  EXPECT_EQ(nullable->PlanFor(*database_, kBudget).sql, nullable->sql());
  server().Execute(
      "DELETE FROM it.events WHERE lane IS NULL; ALTER TABLE it.events ALTER lane SET NOT NULL");
  // group_by order differs from the index order (venue, lane): labels still follow group_by.
  auto check = BuildLag(
      "{name: c, kind: lag, target: db, table: it.events, column: ts, group_by: [lane, venue], "
      "max_series: 1000, where: ok}");
  const LagCheck::Plan plan = check->PlanFor(*database_, kBudget);
  EXPECT_EQ(plan.index, "it.events_venue_lane_ts");
  const std::vector<std::string> loose = Rows(plan.sql);
  EXPECT_EQ(loose, Rows(check->sql()));
  EXPECT_NE(std::find(loose.begin(), loose.end(), "'a'|'x'|'2026-11-23 17:00:00+00'|"),
            loose.end());
}

TEST_F(LooseScanTest, WithoutTheIndexTheGroupByFormIsUsedAndTheChoiceIsKept) {
  auto early =
      BuildLag("{name: c, kind: lag, target: db, table: it.plain, column: ts, group_by: [lane]}");
  // No table yet: nothing is decided, so the table created next is looked at again.
  EXPECT_FALSE(early->PlanFor(*database_, kBudget).decided);
  server().Execute(
      "CREATE TABLE it.plain (lane text, ts timestamptz); CREATE INDEX plain_ts ON it.plain (ts);"
      "CREATE INDEX plain_ts_lane ON it.plain (ts, lane);"
      "INSERT INTO it.plain VALUES ('a', now()), (NULL, now() - interval '1 hour')");
  auto check =
      BuildLag("{name: c, kind: lag, target: db, table: it.plain, column: ts, group_by: [lane]}");
  const LagCheck::Plan plan = check->PlanFor(*database_, kBudget);
  EXPECT_TRUE(plan.decided);
  EXPECT_EQ(plan.index, "");
  EXPECT_EQ(plan.sql, check->sql());
  // Decided for kReplanAfter: an index created later is used by the next config load, or by
  // this one once the decision is that old.
  server().Execute("CREATE INDEX plain_lane_ts ON it.plain (lane, ts)");
  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(check->PlanFor(*database_, kBudget, now).index, "");
  EXPECT_EQ(
      check->PlanFor(*database_, kBudget, now + LagCheck::kReplanAfter + milliseconds(1)).index,
      "it.plain_lane_ts");
  auto reloaded =
      BuildLag("{name: c, kind: lag, target: db, table: it.plain, column: ts, group_by: [lane]}");
  EXPECT_EQ(reloaded->PlanFor(*database_, kBudget).index, "it.plain_lane_ts");
  EXPECT_EQ(early->PlanFor(*database_, kBudget).index, "it.plain_lane_ts");
  // Collect gives the same series either way.
  CollectContext context;
  context.database = database_.get();
  SystemClock clock;
  context.clock = &clock;
  context.budget = kBudget;
  EXPECT_EQ(check->Collect(context).samples.size(), reloaded->Collect(context).samples.size());
}

// NOT NULL times: one backward probe per group gives the group and its newest time.
constexpr const char* kTicks = R"(
  CREATE TABLE it.ticks_nn (lane text, desk text NOT NULL, venue text NOT NULL,
                            ts timestamptz NOT NULL, ok bool);
  INSERT INTO it.ticks_nn
    SELECT CASE WHEN i % 41 = 0 THEN NULL ELSE 'l' || (i % 23) END, 'd' || (i % 7),
           CASE WHEN i % 3 = 0 THEN 'x' ELSE 'y' END,
           timestamptz '2026-11-01' + i * interval '1 minute', i % 5 <> 0
    FROM generate_series(1, 6000) AS i;
  CREATE INDEX ticks_nn_lane_ts ON it.ticks_nn (lane, ts);
  CREATE INDEX ticks_nn_venue_desk_ts ON it.ticks_nn (venue, desk, ts);
  ANALYZE it.ticks_nn)";

TEST_F(LooseScanTest, NotNullTimesAreWalkedBackwardsWithOneProbePerGroup) {
  server().Execute(kTicks);
  struct Case {
    std::string yaml;
    std::string index;
    std::size_t groups;
  };
  const std::vector<Case> cases = {
      {"{name: c, kind: lag, target: db, table: it.ticks_nn, column: ts, group_by: [lane], "
       "max_series: 1000}",
       "it.ticks_nn_lane_ts", 23u + 1u},
      {"{name: c, kind: lag, target: db, table: it.ticks_nn, column: ts, group_by: [lane], "
       "max_series: 1000, where: ok}",
       "it.ticks_nn_lane_ts", 23u + 1u},
      {"{name: c, kind: lag, target: db, table: it.ticks_nn, column: ts, group_by: [lane], "
       "max_series: 1000, where: \"lane IS NOT NULL AND ts < '2026-11-02'\"}",
       "it.ticks_nn_lane_ts", 23u},
      {"{name: c, kind: lag, target: db, table: it.ticks_nn, column: ts, "
       "group_by: [desk, venue], max_series: 1000, where: \"not ok\"}",
       "it.ticks_nn_venue_desk_ts", 7u * 2u},
  };
  for (const Case& each : cases) {
    SCOPED_TRACE(each.yaml);
    auto check = BuildLag(each.yaml);
    ASSERT_NE(check, nullptr);
    const LagCheck::Plan plan = check->PlanFor(*database_, kBudget);
    ASSERT_EQ(plan.index, each.index);
    ASSERT_FALSE(plan.small_table);
    EXPECT_NE(plan.sql.find("DESC LIMIT 1"), std::string::npos) << plan.sql;
    // No second probe per group (t.col = w.col); only the NULL group has a max() of its own.
    EXPECT_EQ(plan.sql.find(" = w."), std::string::npos) << plan.sql;
    const std::vector<std::string> plain = Rows(check->sql());
    EXPECT_EQ(Rows(plan.sql), plain);
    EXPECT_EQ(plain.size(), each.groups);
    // The walk goes through the index (the NULL group's own probe may read this small table).
    const std::string index = each.index.substr(3);
    const auto nodes = PlanNodes(plan.sql);
    EXPECT_TRUE(Has(nodes, "Index Only Scan", index) || Has(nodes, "Index Scan", index))
        << Describe(nodes);
  }
}

TEST_F(LooseScanTest, ASmallTableIsReadWholeUntilItGrows) {
  server().Execute(R"(
    CREATE TABLE it.small (lane text NOT NULL, ts timestamptz NOT NULL);
    INSERT INTO it.small SELECT 'l' || (i % 100), now() - i * interval '1 minute'
      FROM generate_series(1, 500) AS i;
    CREATE INDEX small_lane_ts ON it.small (lane, ts);
    ANALYZE it.small)");
  auto check = BuildLag(
      "{name: c, kind: lag, target: db, table: it.small, column: ts, group_by: [lane], "
      "max_series: 1000}");
  const auto now = std::chrono::steady_clock::now();
  LagCheck::Plan plan = check->PlanFor(*database_, kBudget, now);
  // 500 rows in 100 groups: 5 rows per group, below kLooseMinRowsPerGroup.
  EXPECT_TRUE(plan.small_table);
  EXPECT_EQ(plan.index, "it.small_lane_ts");
  EXPECT_EQ(plan.sql, check->sql());
  EXPECT_NEAR(plan.estimated_rows, 500, 0.5);
  EXPECT_NEAR(plan.estimated_groups, 100, 0.5);
  server().Execute(R"(
    INSERT INTO it.small SELECT 'l' || (i % 100), now() - i * interval '1 minute'
      FROM generate_series(501, 20000) AS i;
    ANALYZE it.small)");
  // The decision holds until kReplanAfter, then the grown table gets the loose scan.
  EXPECT_TRUE(check->PlanFor(*database_, kBudget, now + milliseconds(1)).small_table);
  plan = check->PlanFor(*database_, kBudget, now + LagCheck::kReplanAfter + milliseconds(1));
  EXPECT_FALSE(plan.small_table);
  EXPECT_NE(plan.sql.find("WITH RECURSIVE"), std::string::npos);
  EXPECT_EQ(Rows(plan.sql), Rows(check->sql()));
  EXPECT_EQ(Rows(plan.sql).size(), 100u);
}

TEST_F(LooseScanTest, StatementsArePlannedWithTheirIndexOnALargeTable) {
  server().Execute(R"(
    CREATE TABLE it.ticks (ticker text NOT NULL, ts timestamptz NOT NULL, price float8);
    INSERT INTO it.ticks
      SELECT 'T' || (i % 100), now() - (i * interval '10 seconds'), i
      FROM generate_series(1, 250000) AS i;
    CREATE INDEX ticks_ticker_ts ON it.ticks (ticker, ts);
    CREATE TABLE it.runs (id bigint, started_at timestamptz, finished_at timestamptz);
    INSERT INTO it.runs SELECT i, now() - i * interval '1 minute',
      CASE WHEN i % 1000 = 0 THEN NULL ELSE now() END FROM generate_series(1, 250000) AS i;
    CREATE INDEX runs_started ON it.runs (started_at);
    CREATE TABLE it.executions (recommendation_id bigint, executed_at timestamptz);
    INSERT INTO it.executions SELECT i, now() - i * interval '1 minute'
      FROM generate_series(1, 250000) AS i;
    CREATE INDEX executions_at ON it.executions (executed_at);
    ANALYZE it.ticks; ANALYZE it.runs; ANALYZE it.executions)");
  auto lag =
      BuildLag("{name: c, kind: lag, target: db, table: it.ticks, column: ts, group_by: [ticker]}");
  const LagCheck::Plan plan = lag->PlanFor(*database_, kBudget);
  ASSERT_EQ(plan.index, "it.ticks_ticker_ts");
  const auto loose = PlanNodes(plan.sql);
  EXPECT_FALSE(Has(loose, "Seq Scan")) << Describe(loose);
  EXPECT_TRUE(Has(loose, "Index Only Scan", "ticks_ticker_ts") ||
              Has(loose, "Index Scan", "ticks_ticker_ts"))
      << Describe(loose);
  // The GROUP BY form of the same check reads the whole table (what the loose form avoids).
  const auto plain = PlanNodes(lag->sql());
  EXPECT_TRUE(Has(plain, "Seq Scan") || Has(plain, "Index Only Scan")) << Describe(plain);
  EXPECT_EQ(Rows(plan.sql), Rows(lag->sql()));

  auto runs = std::dynamic_pointer_cast<RunsCheck>(
      Build("{name: r, kind: runs, target: db, table: it.runs, started_column: started_at, "
            "finished_column: finished_at, window: 2h, max_duration: 1h}"));
  ASSERT_NE(runs, nullptr);
  const auto runs_plan = PlanNodes(runs->sql());
  EXPECT_FALSE(Has(runs_plan, "Seq Scan")) << Describe(runs_plan);
  EXPECT_TRUE(Has(runs_plan, "Index Scan", "runs_started") ||
              Has(runs_plan, "Bitmap Index Scan", "runs_started"))
      << Describe(runs_plan);

  auto duplicates = std::dynamic_pointer_cast<DuplicatesCheck>(
      Build("{name: d, kind: duplicates, target: db, table: it.executions, "
            "key: [recommendation_id], time_column: executed_at, window: 1h}"));
  ASSERT_NE(duplicates, nullptr);
  const auto duplicates_plan = PlanNodes(duplicates->sql());
  EXPECT_FALSE(Has(duplicates_plan, "Seq Scan")) << Describe(duplicates_plan);
  EXPECT_TRUE(Has(duplicates_plan, "Index Scan", "executions_at") ||
              Has(duplicates_plan, "Bitmap Index Scan", "executions_at"))
      << Describe(duplicates_plan);
}

}  // namespace
}  // namespace freshness::testing
