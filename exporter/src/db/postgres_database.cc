#include "db/postgres_database.h"

#include <libpq-fe.h>
#include <sys/socket.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <utility>

#include "util/first_success_latch.h"
#include "util/redact.h"

namespace freshness {
namespace {

using std::chrono::steady_clock;

// How long past its budget a query may go unanswered before its socket is closed. The server's
// statement_timeout fires at the budget; this only catches a server that cannot answer at all.
constexpr Duration kHungQueryGrace{500};

// Connections are opened one at a time until the first succeeds, under ThreadSanitizer only.
FirstSuccessLatch first_connection;

std::string FormatSeconds(Duration duration) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1fs", std::chrono::duration<double>(duration).count());
  return buffer;
}

Duration Remaining(steady_clock::time_point deadline) {
  return std::chrono::duration_cast<Duration>(deadline - steady_clock::now());
}

std::string Unqualified(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

bool StartsWith(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

bool IsUri(const std::string& dsn) {
  return StartsWith(dsn, "postgresql://") || StartsWith(dsn, "postgres://");
}

// What libpq itself reads from a DSN (key/value or URI form), by its own parser, so quoting,
// escapes and percent-encoding are understood exactly as when connecting. Only keys the DSN
// sets are kept. Empty when libpq cannot parse it (connecting then fails with its message).
std::map<std::string, std::string> ParseDsn(const std::string& dsn) {
  std::map<std::string, std::string> out;
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (error != nullptr) PQfreemem(error);  // may echo the DSN: never shown
  if (options == nullptr) return out;
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val != nullptr) out[option->keyword] = option->val;
  }
  PQconninfoFree(options);
  return out;
}

}  // namespace

namespace postgres {

Duration ReconnectBackoff(int failures) {
  if (failures <= 0) return Duration(0);
  constexpr Duration kFirst{500};
  constexpr Duration kCap{10'000};
  Duration delay = kFirst;
  for (int i = 1; i < failures && delay < kCap; ++i) delay *= 2;
  return std::min(delay, kCap);
}

ErrorReason ReasonForSqlState(const std::string& sqlstate) {
  if (sqlstate == "57014" || sqlstate == "55P03") return ErrorReason::kTimeout;
  // Class 08 (connection exception), server shutdown or startup, and no free server slot.
  if (StartsWith(sqlstate, "08") || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03" || sqlstate == "53300") {
    return ErrorReason::kConnection;
  }
  return ErrorReason::kQuery;
}

std::string FirstMessageLine(const std::string& message) {
  std::string line = message.substr(0, message.find('\n'));
  for (const char* prefix : {"ERROR:", "FATAL:", "PANIC:"}) {
    if (StartsWith(line, prefix)) {
      line.erase(0, std::string(prefix).size());
      break;
    }
  }
  const std::size_t begin = line.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  const std::size_t end = line.find_last_not_of(" \t\r");
  return line.substr(begin, end - begin + 1);
}

ServerError ParseServerError(const std::string& text) {
  static const std::regex kVerbose(R"(^(?:ERROR|FATAL|PANIC):\s+([0-9A-Z]{5}):\s*(.*)$)");
  const std::string line = text.substr(0, text.find('\n'));
  std::smatch match;
  if (std::regex_match(line, match, kVerbose)) {
    return {match[1], FirstMessageLine(match[2])};
  }
  return {"", FirstMessageLine(text)};
}

namespace {

// The first table a generated statement reads ("FROM \"ops\".\"t\"" -> "ops.t"); "" if none.
std::string TableOfStatement(const std::string& sql) {
  static const std::regex kFrom(
      R"re(\bFROM\s+((?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*))*))re",
      std::regex::icase);
  std::smatch match;
  if (!std::regex_search(sql, match, kFrom)) return "";
  std::string table = match[1];
  table.erase(std::remove(table.begin(), table.end(), '"'), table.end());
  return table;
}

std::string Quoted(const std::string& message, const std::regex& pattern) {
  std::smatch match;
  return std::regex_search(message, match, pattern) ? std::string(match[1]) : "";
}

}  // namespace

std::string DescribeSqlError(const std::string& sqlstate, const std::string& message,
                             const std::string& sql, const std::string& role) {
  const std::string table = TableOfStatement(sql);
  const std::string who = role.empty() ? "the exporter's role" : role;
  if (sqlstate == "42703") {
    return message + (table.empty() ? "" : " in " + table) +
           "; fix: correct the column key of the check (freshness_exporter --config.check "
           "--check.connect lists the table's columns)";
  }
  if (sqlstate == "42P01") {
    return message +
           "; fix: correct the table key of the check (schema.table), or create the table; "
           "an unqualified name is looked up in the search_path of " +
           who;
  }
  if (sqlstate == "42501") {
    static const std::regex kSchema(R"(permission denied for schema (\S+))");
    static const std::regex kTable(R"(permission denied for (?:table|relation|view) (\S+))");
    const std::string schema = Quoted(message, kSchema);
    if (!schema.empty()) {
      return message + (table.empty() ? "" : " (reading " + table + ")") +
             "; fix: GRANT USAGE ON SCHEMA " + schema + " TO " + who;
    }
    const std::string denied = Quoted(message, kTable);
    const std::string target =
        !table.empty() && (denied.empty() || Unqualified(table) == denied) ? table : denied;
    if (!target.empty()) {
      return message + "; fix: GRANT SELECT ON " + target + " TO " + who;
    }
    return message + "; fix: GRANT SELECT on the tables the check reads TO " + who;
  }
  return message;
}

std::string DescribeConnectError(const std::string& message, const std::string& dsn_source) {
  if (message.find("password authentication failed") != std::string::npos ||
      message.find("28P01") != std::string::npos) {
    return message + "; fix: correct the user or password of the DSN in " + dsn_source;
  }
  if (message.find("does not exist") != std::string::npos &&
      (message.find("role ") != std::string::npos ||
       message.find("database ") != std::string::npos)) {
    return message + "; fix: correct the user or dbname of the DSN in " + dsn_source +
           ", or create it";
  }
  return message;
}

std::string RedactSecrets(std::string message, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at = message.find(secret); at != std::string::npos;
         at = message.find(secret, at + 3)) {
      message.replace(at, secret.size(), "<redacted>");
    }
  }
  // Password look-alikes the DSN did not name (key=value and URL user info).
  return freshness::RedactSecrets(message);
}

ConnectionString BuildConnectionString(const std::string& dsn, Duration connect_timeout) {
  const long long timeout_seconds = std::max(
      1LL,
      static_cast<long long>(std::ceil(std::chrono::duration<double>(connect_timeout).count())));
  std::vector<std::pair<std::string, std::string>> settings = {
      {"application_name", "freshness_exporter"},
      {"connect_timeout", std::to_string(timeout_seconds)},
  };
  const std::map<std::string, std::string> given = ParseDsn(dsn);
  const auto sets = [&given](const std::string& prefix) {
    const auto at = given.lower_bound(prefix);
    return at != given.end() && at->first.rfind(prefix, 0) == 0;
  };
  // Detect a dead peer within seconds rather than the kernel's two hours; the DSN may tune these.
  if (!sets("keepalives")) {
    settings.insert(settings.end(), {{"keepalives", "1"},
                                     {"keepalives_idle", "5"},
                                     {"keepalives_interval", "2"},
                                     {"keepalives_count", "3"}});
  }
  if (!sets("tcp_user_timeout")) {
    settings.emplace_back("tcp_user_timeout", "10000");
  }
  ConnectionString out;
  // The password a DSN spells out, if any (libpq may also take one from PGPASSWORD or a
  // password file; those never reach error messages).
  if (const auto password = given.find("password"); password != given.end()) {
    out.password = password->second;
  }
  out.conninfo = dsn;
  if (IsUri(dsn)) {
    char separator = dsn.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [key, value] : settings) {
      out.conninfo += separator + key + "=" + value;
      separator = '&';
    }
  } else {
    for (const auto& [key, value] : settings) out.conninfo += " " + key + "=" + value;
  }
  return out;
}

}  // namespace postgres

struct PostgresDatabase::Connection {
  explicit Connection(const std::string& conninfo) : connection(conninfo) {}
  pqxx::connection connection;
};

PostgresDatabase::PostgresDatabase(const TargetConfig& target)
    : target_(target), watchdog_([this] { WatchdogLoop(); }) {}

PostgresDatabase::~PostgresDatabase() {
  {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    stopping_ = true;
  }
  watch_changed_.notify_all();
  watchdog_.join();
}

bool PostgresDatabase::Up() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return up_;
}

int PostgresDatabase::OpenConnections() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(idle_.size()) + in_use_;
}

QueryResult PostgresDatabase::Query(const std::string& sql, Duration budget) {
  const SteadyTime deadline = steady_clock::now() + budget;
  bool reused = false;
  std::unique_ptr<Connection> connection = Acquire(deadline, &reused);
  while (true) {
    bool lost = false;
    try {
      QueryResult result = RunTransaction(*connection, sql, deadline, &lost);
      Release(std::move(connection));
      return result;
    } catch (const CheckError& error) {
      if (!lost) {
        Release(std::move(connection));
        throw;
      }
      Discard(std::move(connection));
      // An idle connection may have died with a server restart while it sat in the pool; one
      // fresh connection is worth a try (the query only reads, so retrying is safe).
      if (!reused || error.reason() != ErrorReason::kConnection ||
          Remaining(deadline).count() <= 0) {
        throw;
      }
    }
    connection = Acquire(deadline, &reused);
  }
}

std::unique_ptr<PostgresDatabase::Connection> PostgresDatabase::Acquire(SteadyTime deadline,
                                                                        bool* reused) {
  std::unique_lock<std::mutex> lock(mutex_);
  const int max_connections = std::max(1, target_.max_connections);
  while (true) {
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      ++in_use_;
      *reused = true;
      return connection;
    }
    const SteadyTime now = steady_clock::now();
    if (now < next_connect_attempt_) {
      const auto wait = std::chrono::duration_cast<Duration>(next_connect_attempt_ - now);
      throw CheckError(ErrorReason::kConnection, "target \"" + target_.name +
                                                     "\": " + last_connect_error_ +
                                                     "; reconnecting in " + FormatSeconds(wait));
    }
    if (in_use_ + connecting_ < max_connections) break;
    if (slot_freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        in_use_ + connecting_ >= max_connections) {
      throw CheckError(ErrorReason::kTimeout, "target \"" + target_.name +
                                                  "\": no free connection within the budget (" +
                                                  std::to_string(max_connections) + " in use)");
    }
  }
  ++connecting_;
  lock.unlock();
  *reused = false;
  return Connect(deadline);
}

std::unique_ptr<PostgresDatabase::Connection> PostgresDatabase::Connect(SteadyTime deadline) {
  std::string message;
  ErrorReason reason = ErrorReason::kConnection;
  try {
    const postgres::ConnectionString conninfo = postgres::BuildConnectionString(
        ResolveDsn(target_), std::max(Remaining(deadline), Duration(1'000)));
    try {
      FirstSuccessLatch::Turn turn(first_connection);
      auto connection = std::make_unique<Connection>(conninfo.conninfo);
      connection->connection.set_verbosity(pqxx::connection_base::verbose);
      // Defaults for the session; each transaction sets them again (a pooler may share sessions).
      pqxx::nontransaction session(connection->connection);
      session.exec(
          "SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET default_transaction_read_only = on");
      session.commit();
      turn.Succeeded();
      std::lock_guard<std::mutex> lock(mutex_);
      --connecting_;
      ++in_use_;
      connect_failures_ = 0;
      next_connect_attempt_ = SteadyTime{};
      up_ = true;
      return connection;
    } catch (const std::exception& error) {
      message = postgres::FirstMessageLine(error.what());
      // libpq echoes the part of a DSN it cannot parse; say only that it is invalid.
      if (message.find("connection info string") != std::string::npos ||
          message.find("URI") != std::string::npos) {
        message = "invalid DSN (libpq cannot parse it)";
      }
      message = postgres::RedactSecrets(
          postgres::DescribeConnectError(message, target_.dsn_env.empty()
                                                      ? "file " + target_.dsn_file
                                                      : "environment variable " + target_.dsn_env),
          {conninfo.password});
    }
  } catch (const CheckError& error) {  // ResolveDsn: the variable or file is missing
    reason = error.reason();
    message = error.what();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  --connecting_;
  up_ = false;
  if (reason == ErrorReason::kConnection) {
    ++connect_failures_;
    next_connect_attempt_ = steady_clock::now() + postgres::ReconnectBackoff(connect_failures_);
    last_connect_error_ = "cannot connect: " + message;
    message = last_connect_error_;
  }
  slot_freed_.notify_all();
  throw CheckError(reason, "target \"" + target_.name + "\": " + message);
}

void PostgresDatabase::Release(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --in_use_;
    idle_.push_back(std::move(connection));
    up_ = true;
  }
  slot_freed_.notify_one();
}

void PostgresDatabase::Discard(std::unique_ptr<Connection> connection) {
  std::vector<std::unique_ptr<Connection>> closing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --in_use_;
    up_ = false;
    closing.swap(idle_);
  }
  slot_freed_.notify_all();
  connection.reset();  // outside the lock: closing sends a goodbye to the server
  closing.clear();
}

QueryResult PostgresDatabase::RunTransaction(Connection& connection, const std::string& sql,
                                             SteadyTime deadline, bool* lost) {
  const long long timeout_ms = std::max<long long>(1, Remaining(deadline).count());
  const std::uint64_t watch = Watch(connection.connection.sock(), deadline + kHungQueryGrace);
  std::string message;
  ErrorReason reason = ErrorReason::kQuery;
  bool fired = false;  // the watchdog shut the socket down
  try {
    QueryResult out;
    {
      pqxx::read_transaction transaction(connection.connection);
      // The lock timeout fires a little earlier, so a blocked query reports the lock (55P03)
      // rather than a bare cancellation.
      const std::string statement_timeout = "'" + std::to_string(timeout_ms) + "'";
      const std::string lock_timeout =
          "'" + std::to_string(std::max<long long>(1, timeout_ms * 9 / 10)) + "'";
      transaction.exec("SELECT set_config('statement_timeout', " + statement_timeout +
                       ", true), set_config('lock_timeout', " + lock_timeout +
                       ", true), set_config('TimeZone', 'UTC', true), "
                       "set_config('DateStyle', 'ISO', true)");
      // The extended protocol runs exactly one statement, so "COMMIT; INSERT ..." cannot escape
      // the read-only transaction.
      const pqxx::result result = transaction.exec_params(sql);
      transaction.commit();
      for (pqxx::row::size_type i = 0; i < result.columns(); ++i) {
        out.columns.emplace_back(result.column_name(i));
      }
      out.rows.reserve(result.size());
      for (const pqxx::row& row : result) {
        Row values;
        values.reserve(row.size());
        for (const pqxx::field& field : row) {
          if (field.is_null()) {
            values.emplace_back(std::nullopt);
          } else {
            values.emplace_back(std::string(field.c_str(), field.size()));
          }
        }
        out.rows.push_back(std::move(values));
      }
    }
    fired = Unwatch(watch);
    // An answer that came only after the socket was shut down still means a lost connection.
    if (!fired) return out;
  } catch (const std::exception& error) {
    const postgres::ServerError parsed = postgres::ParseServerError(error.what());
    std::string state = parsed.sqlstate;
    const auto* sql_error = dynamic_cast<const pqxx::sql_error*>(&error);
    if (state.empty() && sql_error != nullptr) state = sql_error->sqlstate();
    if (!state.empty()) {
      reason = postgres::ReasonForSqlState(state);
      message =
          "SQLSTATE " + state + ": " +
          postgres::DescribeSqlError(state, parsed.message, sql, connection.connection.username());
    } else if (dynamic_cast<const pqxx::failure*>(&error) != nullptr) {
      // No SQLSTATE from libpq itself: the connection broke or the commit is in doubt.
      reason = ErrorReason::kConnection;
      message = "connection lost: " + parsed.message;
    } else {
      reason = ErrorReason::kQuery;
      message = parsed.message;
    }
  }
  if (!fired) fired = Unwatch(watch);
  if (fired) {
    *lost = true;
    throw CheckError(ErrorReason::kTimeout, "target \"" + target_.name +
                                                "\": no answer from the server within the "
                                                "budget; connection closed");
  }
  *lost = reason == ErrorReason::kConnection;
  throw CheckError(reason, "target \"" + target_.name + "\": " + message);
}

std::uint64_t PostgresDatabase::Watch(int socket, SteadyTime deadline) {
  std::uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    id = next_watch_id_++;
    watched_.emplace(id, Watched{socket, deadline, false});
  }
  watch_changed_.notify_all();
  return id;
}

bool PostgresDatabase::Unwatch(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(watch_mutex_);
  const auto it = watched_.find(id);
  if (it == watched_.end()) return false;
  const bool fired = it->second.fired;
  watched_.erase(it);
  return fired;
}

void PostgresDatabase::WatchdogLoop() {
  std::unique_lock<std::mutex> lock(watch_mutex_);
  while (!stopping_) {
    std::optional<SteadyTime> earliest;
    const SteadyTime now = steady_clock::now();
    for (auto& [id, watched] : watched_) {
      if (watched.fired) continue;
      if (watched.deadline <= now) {
        // Under the lock, so the socket is still the query's: Unwatch comes before any close.
        ::shutdown(watched.socket, SHUT_RDWR);
        watched.fired = true;
        continue;
      }
      if (!earliest || watched.deadline < *earliest) earliest = watched.deadline;
    }
    if (earliest) {
      watch_changed_.wait_until(lock, *earliest);
    } else {
      watch_changed_.wait(lock);
    }
  }
}

}  // namespace freshness
