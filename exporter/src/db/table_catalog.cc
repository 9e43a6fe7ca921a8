#include "db/table_catalog.h"

#include <algorithm>
#include <set>

#include "util/check_error.h"

namespace freshness {
namespace {

std::vector<std::string> SplitDots(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

// A string literal; the names reaching here are validated identifiers, so this only guards.
std::string Literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

bool True(const std::optional<std::string>& value) { return value && *value == "t"; }

void ExpectColumns(const QueryResult& result, std::size_t count, const char* what) {
  for (const Row& row : result.rows) {
    if (row.size() != count) {
      throw CheckError(ErrorReason::kQuery,
                       std::string("unexpected answer to the catalog query for ") + what);
    }
  }
  if (!result.rows.empty() || result.columns.size() == count) return;
  throw CheckError(ErrorReason::kQuery,
                   std::string("unexpected answer to the catalog query for ") + what);
}

}  // namespace

const ColumnInfo* TableInfo::Column(const std::string& column) const {
  for (const ColumnInfo& info : columns) {
    if (info.name == column) return &info;
  }
  return nullptr;
}

TableInfo LookupTable(Database& database, const std::string& table, Duration budget) {
  const std::vector<std::string> parts = SplitDots(table);
  std::string condition;
  if (parts.size() == 1) {
    condition = "c.oid = to_regclass(" + Literal("\"" + parts[0] + "\"") + ")";
  } else {
    condition = "n.nspname = " + Literal(parts[parts.size() - 2]) +
                " AND c.relname = " + Literal(parts.back());
  }
  TableInfo info;
  const QueryResult relation = database.Query(
      "SELECT c.oid::text, n.nspname::text, c.relname::text, "
      "has_schema_privilege(n.oid, 'USAGE'), has_table_privilege(c.oid, 'SELECT'), "
      "current_user::text, c.reltuples::float8 FROM pg_catalog.pg_class c JOIN "
      "pg_catalog.pg_namespace n ON n.oid = "
      "c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND " +
          condition,
      budget);
  ExpectColumns(relation, 7, "the table");
  if (relation.rows.size() != 1 || !relation.rows[0][0]) {
    const QueryResult role = database.Query("SELECT current_user::text", budget);
    if (role.rows.size() == 1 && role.rows[0].size() == 1 && role.rows[0][0]) {
      info.role = *role.rows[0][0];
    }
    info.schema = parts.size() == 1 ? "" : parts[parts.size() - 2];
    info.name = parts.back();
    return info;
  }
  const Row& row = relation.rows[0];
  const std::string oid = *row[0];
  info.found = true;
  info.schema = row[1].value_or("");
  info.name = row[2].value_or("");
  info.schema_usage = True(row[3]);
  info.table_select = True(row[4]);
  info.role = row[5].value_or("");
  if (row[6]) {
    try {
      info.estimated_rows = std::stod(*row[6]);
    } catch (const std::exception&) {
      info.estimated_rows = -1;
    }
  }

  const QueryResult columns = database.Query(
      "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
      "has_column_privilege(a.attrelid, a.attnum, 'SELECT') FROM pg_catalog.pg_attribute a "
      "WHERE a.attrelid = " +
          oid + "::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
      budget);
  ExpectColumns(columns, 4, "the columns");
  for (const Row& column : columns.rows) {
    info.columns.push_back(ColumnInfo{column[0].value_or(""), column[1].value_or(""),
                                      True(column[2]), True(column[3])});
  }

  const QueryResult indexes = database.Query(
      "SELECT ic.relname::text, i.indisvalid AND i.indpred IS NULL AND am.amname = 'btree', "
      "array_to_string(ARRAY(SELECT coalesce(a.attname::text, '') FROM "
      "unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) LEFT JOIN "
      "pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
      "WHERE k.ord <= i.indnkeyatts ORDER BY k.ord), ',') "
      "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
      "JOIN pg_catalog.pg_am am ON am.oid = ic.relam WHERE i.indrelid = " +
          oid + "::oid ORDER BY ic.relname",
      budget);
  ExpectColumns(indexes, 3, "the indexes");
  for (const Row& index : indexes.rows) {
    IndexInfo entry;
    entry.name = info.schema + "." + index[0].value_or("");
    entry.usable = True(index[1]);
    // Joined with commas; the identifiers a config may name never contain one.
    std::vector<std::string> split;
    const std::string text = index[2].value_or("");
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = text.find(',', start);
      split.push_back(
          text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    entry.columns = std::move(split);
    info.indexes.push_back(std::move(entry));
  }
  return info;
}

std::optional<double> EstimateDistinct(Database& database, const TableInfo& table,
                                       const std::vector<std::string>& columns, Duration budget) {
  if (!table.found || table.estimated_rows < 0 || columns.empty()) return std::nullopt;
  std::string names;
  for (const std::string& column : columns) names += (names.empty() ? "" : ", ") + Literal(column);
  // pg_stats shows only the columns the role may read; a partitioned table has its statistics
  // in the inherited rows.
  const QueryResult stats = database.Query(
      "SELECT attname::text, max(n_distinct)::float8 FROM pg_catalog.pg_stats WHERE schemaname = " +
          Literal(table.schema) + " AND tablename = " + Literal(table.name) + " AND attname IN (" +
          names + ") GROUP BY attname",
      budget);
  ExpectColumns(stats, 2, "the statistics");
  if (stats.rows.size() != columns.size()) return std::nullopt;
  double product = 1;
  for (const Row& row : stats.rows) {
    if (!row[1]) return std::nullopt;
    double distinct = 0;
    try {
      distinct = std::stod(*row[1]);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    // Negative: a fraction of the rows (the column grows with the table).
    product *= distinct < 0 ? -distinct * table.estimated_rows : distinct;
  }
  return std::max(1.0, std::min(product, std::max(table.estimated_rows, 1.0)));
}

std::optional<LooseIndex> FindLooseIndex(const TableInfo& table,
                                         const std::vector<std::string>& group_by,
                                         const std::string& time_column) {
  if (group_by.empty()) return std::nullopt;
  if (group_by.size() > 1) {
    for (const std::string& column : group_by) {
      const ColumnInfo* info = table.Column(column);
      if (info == nullptr || !info->not_null) return std::nullopt;
    }
  }
  const std::set<std::string> wanted(group_by.begin(), group_by.end());
  for (const IndexInfo& index : table.indexes) {
    if (!index.usable || index.columns.size() < group_by.size() + 1) continue;
    const std::vector<std::string> leading(index.columns.begin(),
                                           index.columns.begin() + group_by.size());
    if (std::set<std::string>(leading.begin(), leading.end()) != wanted) continue;
    if (index.columns[group_by.size()] != time_column) continue;
    return LooseIndex{index.name, leading};
  }
  return std::nullopt;
}

std::optional<std::string> FindLeadingIndex(const TableInfo& table, const std::string& column) {
  for (const IndexInfo& index : table.indexes) {
    if (index.usable && !index.columns.empty() && index.columns[0] == column) return index.name;
  }
  return std::nullopt;
}

bool IsTimeType(const std::string& type) {
  return type == "timestamp with time zone" || type == "timestamp without time zone" ||
         type == "date" || type.rfind("timestamp(", 0) == 0;
}

}  // namespace freshness
