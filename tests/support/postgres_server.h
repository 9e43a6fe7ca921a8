#pragma once

#include <optional>
#include <string>
#include <vector>

namespace freshness::testing {

// A throwaway PostgreSQL cluster for integration tests: initdb into a fresh temporary
// directory, listening on a free 127.0.0.1 port (and a unix socket inside that directory).
// Superuser `postgres` logs in without a password; members of the role `password_login` must
// give their password over TCP, so tests can exercise password authentication.
//
// When run as root (CI), initdb and the server run as the `postgres` system user, since
// PostgreSQL refuses to run as root; the temporary directory ($TMPDIR or /tmp) must then be
// reachable by that user. Binaries come from `pg_config --bindir`, else the newest
// /usr/lib/postgresql/<version>/bin; FRESHNESS_PG_BINDIR overrides both. Stops the server and
// removes the directory on destruction.
class PostgresServer {
 public:
  using Rows = std::vector<std::vector<std::optional<std::string>>>;

  // Creates and starts the cluster; throws std::runtime_error with the server log on failure.
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Starts the server again after Stop() or Kill(): same port, same data.
  void Start();
  // Fast shutdown: clients are disconnected, the data is checkpointed.
  void Stop();
  // Immediate shutdown, as if the machine lost power.
  void Kill();
  bool running() const { return running_; }

  // Runs `sql` (one or more statements, autocommit) as the superuser and returns the rows of
  // the last statement as text, nullopt for NULL.
  Rows Execute(const std::string& sql, const std::string& dbname = "postgres") const;

  // A libpq key=value DSN for 127.0.0.1:port().
  std::string Dsn(const std::string& dbname = "postgres", const std::string& user = "postgres",
                  const std::string& password = "") const;
  int port() const { return port_; }
  const std::string& directory() const { return directory_; }

 private:
  // Runs a PostgreSQL binary (as the postgres user when root); throws with its output on failure.
  void Run(const std::vector<std::string>& arguments) const;
  std::string ServerLog() const;

  std::string bin_dir_;
  std::string directory_;  // holds data/, the socket and the logs
  std::string data_dir_;
  int port_ = 0;
  bool as_postgres_user_ = false;
  bool running_ = false;
};

}  // namespace freshness::testing
