#pragma once

#include <string>
#include <vector>

namespace freshness {

// The newest event per group of a `lag` check with table, column and group_by. Column and
// table names are validated identifiers (unquoted here); `where` is the user's condition or "".
// Both forms return the group_by values as text, in group_by order, then max(column), stalest
// first, capped at max_series rows.
struct GroupedLagQuery {
  std::string table;  // "ops.t"
  std::string column;
  std::vector<std::string> group_by;
  std::string where;
  int max_series = 100;
};

// SELECT g::text, max(ts) FROM t [WHERE ...] GROUP BY g ...: reads every row.
std::string PlainGroupedLagSql(const GroupedLagQuery& query);

// A loose index scan: a recursive CTE walks the distinct groups through an index on
// (`index_order`..., column). When the time column is NOT NULL, the walk goes backwards and one
// probe per group yields the group and its newest time; otherwise it walks forwards and max(ts)
// per group is a second probe (a backward walk would meet NULL times first). With one group
// column, NULL is a group of its own (as GROUP BY makes it); with more, the columns must be NOT
// NULL. The where condition applies to every probe.
std::string LooseGroupedLagSql(const GroupedLagQuery& query,
                               const std::vector<std::string>& index_order, bool group_may_be_null,
                               bool time_not_null);

}  // namespace freshness
