#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/duration.h"

namespace freshness {

// One row of text values as PostgreSQL returns them; nullopt for SQL NULL. Sessions run with
// TimeZone=UTC and DateStyle=ISO, so timestamps read as "2026-11-23 17:02:25.123+00".
using Row = std::vector<std::optional<std::string>>;

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
};

// A database that checks read from. The one real implementation is PostgresDatabase; unit
// tests use a fake.
class Database {
 public:
  virtual ~Database() = default;

  // Runs `sql` in a read-only transaction whose statement_timeout and lock_timeout come from
  // `budget`; waits at most `budget` for a free connection. Throws CheckError with reason
  // timeout, connection or query. Never throws anything that contains the DSN password.
  virtual QueryResult Query(const std::string& sql, Duration budget) = 0;

  // True if the last attempt to reach the database succeeded.
  virtual bool Up() const = 0;

  // Name of the target this database serves (the key under `targets:`).
  virtual const std::string& name() const = 0;
};

}  // namespace freshness
