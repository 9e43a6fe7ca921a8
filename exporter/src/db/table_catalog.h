#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "util/duration.h"

namespace freshness {

// What the PostgreSQL catalog says about one table, as seen by the connecting role. Read with
// plain catalog queries (pg_class, pg_attribute, pg_index), which any role may run, so a table
// the role cannot read is still described (and the privilege it lacks named).
struct ColumnInfo {
  std::string name;
  std::string type;  // format_type(): "timestamp with time zone", "text", ...
  bool not_null = false;
  bool can_select = false;  // has_column_privilege(..., 'SELECT')
};

struct IndexInfo {
  std::string name;  // schema-qualified when the table is
  // A valid, non-partial btree index: the kind the generated statements can use.
  bool usable = false;
  std::vector<std::string> columns;  // key columns in index order; "" for an expression
};

struct TableInfo {
  bool found = false;
  std::string schema;
  std::string name;
  std::string role;  // current_user
  // pg_class.reltuples: the planner's row count, as of the last VACUUM or ANALYZE; -1 unknown.
  double estimated_rows = -1;
  bool schema_usage = false;
  bool table_select = false;
  std::vector<ColumnInfo> columns;
  std::vector<IndexInfo> indexes;

  const ColumnInfo* Column(const std::string& column) const;
  // "ops.executions" (the schema is always named, so the text works in any search_path).
  std::string QualifiedName() const { return schema + "." + name; }
};

// Looks `table` ("ops.t" or "t", already validated as identifiers) up in the catalog. Throws
// CheckError when a query fails or answers in an unexpected shape.
TableInfo LookupTable(Database& database, const std::string& table, Duration budget);

// The index a loose index scan over `group_by` then `time_column` can use: a usable index whose
// first key columns are the group_by columns (in any order) followed by the time column. With more
// than one group column, every group column must be NOT NULL (a row comparison skips NULLs).
struct LooseIndex {
  std::string name;
  std::vector<std::string> group_order;  // the group columns in index order
};
std::optional<LooseIndex> FindLooseIndex(const TableInfo& table,
                                         const std::vector<std::string>& group_by,
                                         const std::string& time_column);
// A usable index whose first key column is `column`.
std::optional<std::string> FindLeadingIndex(const TableInfo& table, const std::string& column);

// The planner's estimate of the distinct combinations of `columns` (pg_stats.n_distinct, their
// product capped at the row count), or nullopt when a column has no statistics yet.
std::optional<double> EstimateDistinct(Database& database, const TableInfo& table,
                                       const std::vector<std::string>& columns, Duration budget);

// True for the types a time column may have: timestamp, timestamptz, date.
bool IsTimeType(const std::string& type);

}  // namespace freshness
