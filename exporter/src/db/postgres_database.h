#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "db/database.h"
#include "util/check_error.h"

namespace freshness {

// The PostgreSQL database of one target: a small pool of connections, capped at the target's
// max_connections, that runs each query in a read-only transaction bounded by its budget.
//
// Errors: statement or lock timeout (57014, 55P03), a busy pool or an unanswering server ->
// timeout; a failed connect or a lost connection -> connection (Up() turns false and new
// connections are attempted with backoff, 0.5s doubling to 10s, failing at once meanwhile); any
// other SQL error -> query. Messages carry the SQLSTATE and the server's first message line.
//
// The DSN is read from the environment or file only when a connection is opened and is never
// kept in this object, so it cannot leak through anything that prints it.
class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(const TargetConfig& target);
  ~PostgresDatabase() override;
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  QueryResult Query(const std::string& sql, Duration budget) override;
  bool Up() const override;
  const std::string& name() const override { return target_.name; }

  // Connections currently open (idle or running a query), for tests.
  int OpenConnections() const;

 private:
  struct Connection;  // a pqxx connection; defined in the .cc so users need not include pqxx
  using SteadyTime = std::chrono::steady_clock::time_point;

  // Takes an idle connection or opens a new one; waits at most until `deadline` for a slot.
  std::unique_ptr<Connection> Acquire(SteadyTime deadline, bool* reused);
  std::unique_ptr<Connection> Connect(SteadyTime deadline);
  void Release(std::unique_ptr<Connection> connection);
  // Closes a lost connection and every idle one (they most likely broke with it); the target is
  // down until a query succeeds again.
  void Discard(std::unique_ptr<Connection> connection);
  // Throws CheckError; sets *lost when the connection can no longer be used.
  QueryResult RunTransaction(Connection& connection, const std::string& sql, SteadyTime deadline,
                             bool* lost);

  // Closes the socket of a query that outlived its budget, for when the server cannot answer
  // (a hung network) and statement_timeout never fires.
  std::uint64_t Watch(int socket, SteadyTime deadline);
  bool Unwatch(std::uint64_t id);  // true if the watchdog closed the socket
  void WatchdogLoop();

  const TargetConfig target_;

  mutable std::mutex mutex_;
  std::condition_variable slot_freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int in_use_ = 0;
  int connecting_ = 0;
  int connect_failures_ = 0;
  SteadyTime next_connect_attempt_{};
  std::string last_connect_error_;  // already redacted
  bool up_ = false;

  struct Watched {
    int socket;
    SteadyTime deadline;
    bool fired = false;
  };
  std::mutex watch_mutex_;
  std::condition_variable watch_changed_;
  std::map<std::uint64_t, Watched> watched_;
  std::uint64_t next_watch_id_ = 0;
  bool stopping_ = false;
  std::thread watchdog_;
};

namespace postgres {

// How long to wait before the next connection attempt after `failures` failed ones in a row:
// 0.5s doubling, capped at 10s.
Duration ReconnectBackoff(int failures);

// Reason for an error with this SQLSTATE: query_canceled and lock_not_available are timeouts,
// connection-class errors and server shutdowns are connection errors, the rest query errors.
ErrorReason ReasonForSqlState(const std::string& sqlstate);

// "ERROR:  relation \"x\" does not exist\nLINE 1: ..." -> "relation \"x\" does not exist".
std::string FirstMessageLine(const std::string& message);

// A server error as libpq prints it with verbose error messages, which the exporter's sessions
// use because libpqxx 6 does not always carry the SQLSTATE in its exceptions:
// "ERROR:  42501: permission denied for table t\nLOCATION: ..." -> {"42501", "permission denied
// for table t"}. Text without a SQLSTATE yields an empty sqlstate and its first line.
struct ServerError {
  std::string sqlstate;
  std::string message;
};
ServerError ParseServerError(const std::string& text);

// A server error made actionable: the table the statement reads, and the likely fix, for the
// errors a config mistake causes (42703 undefined column, 42P01 undefined table, 42501
// permission denied). `role` is the connecting role, for the GRANT to run. Other errors are
// returned unchanged.
// "column \"tstamp\" does not exist" -> "column \"tstamp\" does not exist in ops.t; fix: ..."
std::string DescribeSqlError(const std::string& sqlstate, const std::string& message,
                             const std::string& sql, const std::string& role);
// A connection error made actionable: failed password authentication (28P01) and an unknown role
// or database name the DSN source (`dsn_source`: "environment variable X" or "file F").
std::string DescribeConnectError(const std::string& message, const std::string& dsn_source);

// Removes every occurrence of `secrets` and anything that looks like a password
// (password=..., postgresql://user:secret@host) from a message.
std::string RedactSecrets(std::string message, const std::vector<std::string>& secrets);

// The libpq connection string for `dsn` (key=value or URI) with the exporter's own settings:
// application_name, connect_timeout (whole seconds, at least 1), TCP keepalives and
// tcp_user_timeout unless the DSN sets them. Later settings win in libpq, so they are appended
// (as key=value pairs, or as URI query parameters for a postgresql:// URI). Also returns the
// password found in the DSN, so error messages can be redacted.
struct ConnectionString {
  std::string conninfo;
  std::string password;
};
ConnectionString BuildConnectionString(const std::string& dsn, Duration connect_timeout);

}  // namespace postgres
}  // namespace freshness
