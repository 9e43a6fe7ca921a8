#include "checks/grouped_lag_sql.h"

#include "db/sql_text.h"

namespace freshness {
namespace {

std::string Quoted(const std::string& name) { return QuoteColumnName(name).value_or(name); }
std::string QuotedTable(const std::string& name) { return QuoteQualifiedName(name).value_or(name); }

std::string Join(const std::vector<std::string>& items, const std::string& prefix,
                 const std::string& suffix, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) {
    out += (out.empty() ? "" : separator) + prefix + Quoted(item) + suffix;
  }
  return out;
}

}  // namespace

std::string PlainGroupedLagSql(const GroupedLagQuery& query) {
  const std::string column = Quoted(query.column);
  std::string sql = "SELECT " + Join(query.group_by, "", "::text", ", ") + ", max(" + column +
                    ") FROM " + QuotedTable(query.table);
  if (!query.where.empty()) sql += " WHERE (" + query.where + ")";
  return sql + " GROUP BY " + Join(query.group_by, "", "", ", ") + " ORDER BY max(" + column +
         ") ASC NULLS FIRST LIMIT " + std::to_string(query.max_series);
}

std::string LooseGroupedLagSql(const GroupedLagQuery& query,
                               const std::vector<std::string>& index_order, bool group_may_be_null,
                               bool time_not_null) {
  const std::string table = QuotedTable(query.table);
  const std::string column = Quoted(query.column);
  const std::string where = query.where.empty() ? "" : " AND (" + query.where + ")";
  const std::string columns = Join(index_order, "", "", ", ");
  const std::string probe_columns = Join(index_order, "t.", "", ", ");
  const std::string walk_columns = Join(index_order, "w.", "", ", ");
  const std::string descending = Join(index_order, "t.", " DESC", ", ");
  std::string not_null;
  std::string equal;
  for (const std::string& name : index_order) {
    not_null += (not_null.empty() ? "" : " AND ") + Quoted(name) + " IS NOT NULL";
    equal +=
        (equal.empty() ? "" : " AND ") + std::string("t.") + Quoted(name) + " = w." + Quoted(name);
  }
  const auto row = [&](const std::string& columns_text) {
    return index_order.size() == 1 ? columns_text : "(" + columns_text + ")";
  };
  std::string sql;
  if (time_not_null) {
    // One probe per group: walking the index backwards, the first entry of a group holds its
    // newest time, and the next probe starts below that group. The first entry satisfying
    // `where` is the newest such row, as max() over the group would find it.
    sql = "WITH RECURSIVE freshness_walk(" + columns + ", freshness_newest) AS ((SELECT " +
          probe_columns + ", t." + column + " FROM " + table + " t WHERE " + not_null + where +
          " ORDER BY " + descending + ", t." + column +
          " DESC LIMIT 1) UNION ALL SELECT n.* FROM freshness_walk w CROSS JOIN LATERAL (SELECT " +
          probe_columns + ", t." + column + " FROM " + table + " t WHERE " + row(probe_columns) +
          " < " + row(walk_columns) + where + " ORDER BY " + descending + ", t." + column +
          " DESC LIMIT 1) n), freshness_groups(" + columns +
          ", freshness_newest) AS (SELECT * FROM freshness_walk";
  } else {
    // The walk: the first group, then repeatedly the next one after the current in index order;
    // then max(column) per group (NULL times are skipped there, as max() skips them).
    sql = "WITH RECURSIVE freshness_walk(" + columns + ") AS ((SELECT " + columns + " FROM " +
          table + " WHERE " + not_null + where + " ORDER BY " + columns +
          " LIMIT 1) UNION ALL SELECT n.* FROM freshness_walk w CROSS JOIN LATERAL (SELECT " +
          probe_columns + " FROM " + table + " t WHERE " + row(probe_columns) + " > " +
          row(walk_columns) + where + " ORDER BY " + probe_columns +
          " LIMIT 1) n), freshness_groups(" + columns + ", freshness_newest) AS (SELECT " +
          walk_columns + ", (SELECT max(t." + column + ") FROM " + table + " t WHERE " + equal +
          where + ") FROM freshness_walk w";
  }
  if (group_may_be_null && index_order.size() == 1) {
    // GROUP BY makes NULL a group of its own; the walk skips it, so it is probed on its own.
    const std::string group = Quoted(index_order[0]);
    sql += " UNION ALL SELECT NULL, (SELECT max(t." + column + ") FROM " + table + " t WHERE t." +
           group + " IS NULL" + where + ") WHERE EXISTS (SELECT 1 FROM " + table + " t WHERE t." +
           group + " IS NULL" + where + ")";
  }
  sql += ") SELECT " + Join(query.group_by, "", "::text", ", ") +
         ", freshness_newest FROM freshness_groups ORDER BY freshness_newest ASC NULLS FIRST "
         "LIMIT " +
         std::to_string(query.max_series);
  return sql;
}

}  // namespace freshness
