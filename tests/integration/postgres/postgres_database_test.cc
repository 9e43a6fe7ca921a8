#include "db/postgres_database.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <pqxx/pqxx>
#include <thread>

#include "postgres_fixture.h"
#include "util/duration.h"

namespace freshness::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Runs `sql` and returns the CheckError it must throw.
CheckError QueryError(PostgresDatabase& database, const std::string& sql,
                      Duration budget = milliseconds(5'000)) {
  try {
    database.Query(sql, budget);
  } catch (const CheckError& error) {
    return error;
  }
  ADD_FAILURE() << "expected a CheckError from " << sql;
  return CheckError(ErrorReason::kProbe, "no error");
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(PostgresTest, ReturnsColumnsAndTextRowsWithNulls) {
  auto database = Connect();
  EXPECT_FALSE(database->Up());  // nothing tried yet
  const QueryResult result = database->Query(
      "SELECT 1 AS one, NULL::text AS nothing, '2026-11-23 17:02:25.123+01'::timestamptz AS ts, "
      "'2026-11-23 17:02:25'::timestamp AS naive, 2.50::numeric AS amount",
      milliseconds(5000));
  ASSERT_EQ(result.columns, (std::vector<std::string>{"one", "nothing", "ts", "naive", "amount"}));
  ASSERT_EQ(result.rows.size(), 1u);
  EXPECT_EQ(result.rows[0][0], "1");
  EXPECT_EQ(result.rows[0][1], std::nullopt);
  EXPECT_EQ(result.rows[0][2], "2026-11-23 16:02:25.123+00");
  EXPECT_EQ(result.rows[0][3], "2026-11-23 17:02:25");
  EXPECT_EQ(result.rows[0][4], "2.50");
  EXPECT_TRUE(database->Up());
  EXPECT_EQ(database->OpenConnections(), 1);
}

TEST_F(PostgresTest, SessionIsReadOnlyUtcIsoAndBoundedByTheBudget) {
  // A role whose defaults differ, to show the exporter sets its own.
  server().Execute(
      "DROP ROLE IF EXISTS berlin_reader; CREATE ROLE berlin_reader LOGIN; "
      "ALTER ROLE berlin_reader SET TimeZone = 'Europe/Berlin'; "
      "ALTER ROLE berlin_reader SET DateStyle = 'German, DMY'");
  PostgresDatabase database(Target("berlin", server().Dsn("postgres", "berlin_reader")));
  const QueryResult result = database.Query(
      "SELECT current_setting('TimeZone'), current_setting('DateStyle'), "
      "current_setting('transaction_read_only'), current_setting('statement_timeout'), "
      "current_setting('lock_timeout'), current_setting('application_name'), "
      "'2026-07-01 12:00:00+00'::timestamptz::text",
      milliseconds(4'000));
  ASSERT_EQ(result.rows.size(), 1u);
  const Row& row = result.rows[0];
  EXPECT_EQ(row[0], "UTC");
  EXPECT_EQ(row[1], "ISO, DMY");
  EXPECT_EQ(row[2], "on");
  // The server prints "3987ms" or "4s"; whatever the pool and connect took comes off the budget.
  const std::optional<Duration> statement_timeout = ParseDuration(*row[3]);
  const std::optional<Duration> lock_timeout = ParseDuration(*row[4]);
  ASSERT_TRUE(statement_timeout && lock_timeout) << *row[3] << " " << *row[4];
  EXPECT_LE(*statement_timeout, milliseconds(4'000));
  EXPECT_GE(*statement_timeout, milliseconds(3'000));
  EXPECT_LT(*lock_timeout, *statement_timeout);
  EXPECT_GT(*lock_timeout, milliseconds(0));
  EXPECT_EQ(row[5], "freshness_exporter");
  EXPECT_EQ(row[6], "2026-07-01 12:00:00+00");
  server().Execute("DROP ROLE berlin_reader");
}

TEST_F(PostgresTest, SlowQueryTimesOutWithinTheBudget) {
  auto database = Connect();
  database->Query("SELECT 1", milliseconds(5'000));  // connect outside the measurement
  const auto start = steady_clock::now();
  const CheckError error = QueryError(*database, "SELECT pg_sleep(10)", milliseconds(600));
  const auto elapsed = steady_clock::now() - start;
  EXPECT_EQ(error.reason(), ErrorReason::kTimeout) << error.what();
  EXPECT_TRUE(Contains(error.what(), "57014")) << error.what();
  EXPECT_GE(elapsed, milliseconds(550));
  EXPECT_LT(elapsed, milliseconds(600 + 400));
  // The server answered: the target is up and the connection is reused.
  EXPECT_TRUE(database->Up());
  EXPECT_EQ(database->Query("SELECT 2", milliseconds(5'000)).rows[0][0], "2");
  EXPECT_EQ(database->OpenConnections(), 1);
}

TEST_F(PostgresTest, LockedTableTimesOutThroughLockTimeout) {
  server().Execute("CREATE TABLE it.locked (id int); INSERT INTO it.locked VALUES (1)");
  pqxx::connection holder(server().Dsn());
  pqxx::work lock(holder);
  lock.exec("LOCK TABLE it.locked IN ACCESS EXCLUSIVE MODE");

  auto database = Connect();
  const auto start = steady_clock::now();
  const CheckError error =
      QueryError(*database, "SELECT count(*) FROM it.locked", milliseconds(800));
  const auto elapsed = steady_clock::now() - start;
  EXPECT_EQ(error.reason(), ErrorReason::kTimeout) << error.what();
  EXPECT_TRUE(Contains(error.what(), "55P03")) << error.what();
  EXPECT_LT(elapsed, milliseconds(800 + 400));
  EXPECT_TRUE(database->Up());
  lock.abort();
  EXPECT_EQ(database->Query("SELECT count(*) FROM it.locked", milliseconds(2'000)).rows[0][0], "1");
}

TEST_F(PostgresTest, WritesAreRejectedAsQueryErrors) {
  server().Execute(
      "CREATE TABLE it.orders (id int, state text); "
      "INSERT INTO it.orders SELECT g, 'new' FROM generate_series(1, 5) g");
  auto database = Connect();
  for (const char* sql : {
           "INSERT INTO it.orders VALUES (6, 'new')",
           "UPDATE it.orders SET state = 'done'",
           "DELETE FROM it.orders",
           "WITH gone AS (DELETE FROM it.orders RETURNING id) SELECT count(*) FROM gone",
           "SELECT 1; INSERT INTO it.orders VALUES (7, 'new')",
           "COMMIT; INSERT INTO it.orders VALUES (8, 'new')",
           "SELECT set_config('transaction_read_only', 'off', false)",
           "CREATE TABLE it.sneaky (id int)",
       }) {
    const CheckError error = QueryError(*database, sql);
    EXPECT_EQ(error.reason(), ErrorReason::kQuery) << sql << ": " << error.what();
    EXPECT_TRUE(Contains(error.what(), "SQLSTATE")) << error.what();
  }
  EXPECT_TRUE(Contains(QueryError(*database, "UPDATE it.orders SET state = 'x'").what(), "25006"));
  EXPECT_TRUE(database->Up());
  EXPECT_EQ(Scalar("SELECT count(*) FROM it.orders WHERE state = 'new'"), "5");
  EXPECT_EQ(Scalar("SELECT count(*) FROM it.orders"), "5");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'sneaky'"), "0");
}

TEST_F(PostgresTest, MissingTableAndRevokedPermissionAreQueryErrors) {
  server().Execute(
      "CREATE TABLE it.prices (v int); INSERT INTO it.prices VALUES (1); "
      "DROP ROLE IF EXISTS limited_reader; CREATE ROLE limited_reader LOGIN; "
      "GRANT USAGE ON SCHEMA it TO limited_reader; GRANT SELECT ON it.prices TO limited_reader");
  PostgresDatabase database(Target("limited", server().Dsn("postgres", "limited_reader")));
  EXPECT_EQ(database.Query("SELECT v FROM it.prices", milliseconds(2'000)).rows.size(), 1u);

  server().Execute("REVOKE SELECT ON it.prices FROM limited_reader");
  CheckError error = QueryError(database, "SELECT v FROM it.prices");
  EXPECT_EQ(error.reason(), ErrorReason::kQuery);
  EXPECT_TRUE(Contains(error.what(), "SQLSTATE 42501: permission denied")) << error.what();
  EXPECT_TRUE(database.Up());

  server().Execute("DROP TABLE it.prices");
  error = QueryError(database, "SELECT v FROM it.prices");
  EXPECT_EQ(error.reason(), ErrorReason::kQuery);
  EXPECT_TRUE(Contains(error.what(), "SQLSTATE 42P01: relation \"it.prices\" does not exist"))
      << error.what();
  EXPECT_FALSE(Contains(error.what(), "LINE 1")) << "only the first line of the message";
  EXPECT_TRUE(database.Up());
  EXPECT_EQ(database.OpenConnections(), 1);
  server().Execute("DROP OWNED BY limited_reader; DROP ROLE limited_reader");
}

TEST_F(PostgresTest, WrongPasswordFailsWithoutRevealingIt) {
  server().Execute(
      "DROP ROLE IF EXISTS secret_reader; "
      "CREATE ROLE secret_reader LOGIN PASSWORD 'Correct-Horse-77' IN ROLE password_login");
  const std::string wrong = "Wrong-Battery-42";
  const std::string port = std::to_string(server().port());
  for (const std::string& dsn :
       {server().Dsn("postgres", "secret_reader", wrong),
        "postgresql://secret_reader:" + wrong + "@127.0.0.1:" + port + "/postgres",
        "postgresql://secret_reader@127.0.0.1:" + port + "/postgres?password=" + wrong}) {
    PostgresDatabase database(Target("secret", dsn));
    const CheckError error = QueryError(database, "SELECT 1");
    EXPECT_EQ(error.reason(), ErrorReason::kConnection) << error.what();
    EXPECT_TRUE(Contains(error.what(), "password authentication failed")) << error.what();
    EXPECT_FALSE(Contains(error.what(), wrong)) << error.what();
    EXPECT_FALSE(Contains(error.what(), "Correct-Horse-77")) << error.what();
    EXPECT_FALSE(database.Up());
  }
  PostgresDatabase database(
      Target("secret", server().Dsn("postgres", "secret_reader", "Correct-Horse-77")));
  EXPECT_EQ(database.Query("SELECT current_user", milliseconds(2'000)).rows[0][0], "secret_reader");
  EXPECT_TRUE(database.Up());
}

TEST_F(PostgresTest, ConcurrentQueriesStayWithinMaxConnections) {
  constexpr int kMaxConnections = 3;
  constexpr int kThreads = 8;
  constexpr int kQueriesPerThread = 4;
  auto database = Connect(kMaxConnections);
  std::atomic<int> most_seen_by_server{0};
  std::atomic<int> most_open{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < kQueriesPerThread; ++i) {
        try {
          // Each query counts the exporter's sessions while it holds its own.
          const QueryResult result = database->Query(
              "SELECT (SELECT count(*) FROM pg_stat_activity "
              "WHERE application_name = 'freshness_exporter'), pg_sleep(0.05)",
              milliseconds(10'000));
          const int seen = std::stoi(*result.rows[0][0]);
          int previous = most_seen_by_server.load();
          while (seen > previous && !most_seen_by_server.compare_exchange_weak(previous, seen)) {
          }
          const int open = database->OpenConnections();
          previous = most_open.load();
          while (open > previous && !most_open.compare_exchange_weak(previous, open)) {
          }
        } catch (const CheckError&) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(most_seen_by_server.load(), kMaxConnections);
  EXPECT_GE(most_seen_by_server.load(), 2) << "queries should have run in parallel";
  EXPECT_LE(most_open.load(), kMaxConnections);
  EXPECT_LE(database->OpenConnections(), kMaxConnections);
  EXPECT_LE(std::stoi(Scalar("SELECT count(*) FROM pg_stat_activity "
                             "WHERE application_name = 'freshness_exporter'")),
            kMaxConnections);
}

TEST_F(PostgresTest, WaitingForABusyPoolTimesOutWithinTheBudget) {
  auto database = Connect(1);
  std::thread holder([&] { database->Query("SELECT pg_sleep(0.8)", milliseconds(5'000)); });
  // Let the holder take the only connection.
  const auto wait_until = steady_clock::now() + milliseconds(3'000);
  while (database->OpenConnections() == 0 && steady_clock::now() < wait_until) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  std::this_thread::sleep_for(milliseconds(100));
  const auto start = steady_clock::now();
  const CheckError error = QueryError(*database, "SELECT 1", milliseconds(300));
  const auto elapsed = steady_clock::now() - start;
  holder.join();
  EXPECT_EQ(error.reason(), ErrorReason::kTimeout) << error.what();
  EXPECT_TRUE(Contains(error.what(), "no free connection")) << error.what();
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(300 + 200));
  EXPECT_EQ(database->OpenConnections(), 1);
}

TEST_F(PostgresTest, RecoversAfterTheServerIsKilledAndRestarted) {
  auto database = Connect(2);
  ASSERT_EQ(database->Query("SELECT 1", milliseconds(2'000)).rows[0][0], "1");
  ASSERT_TRUE(database->Up());

  server().Kill();
  CheckError error = QueryError(*database, "SELECT 1", milliseconds(2'000));
  EXPECT_EQ(error.reason(), ErrorReason::kConnection) << error.what();
  EXPECT_FALSE(database->Up());
  EXPECT_EQ(database->OpenConnections(), 0);
  // Backing off: the next attempt fails at once.
  const auto start = steady_clock::now();
  error = QueryError(*database, "SELECT 1", milliseconds(2'000));
  EXPECT_EQ(error.reason(), ErrorReason::kConnection);
  EXPECT_TRUE(Contains(error.what(), "reconnecting in")) << error.what();
  EXPECT_LT(steady_clock::now() - start, milliseconds(100));

  server().Start();
  const auto restarted = steady_clock::now();
  std::optional<QueryResult> result;
  while (!result && steady_clock::now() - restarted < milliseconds(12'000)) {
    try {
      result = database->Query("SELECT 42", milliseconds(2'000));
    } catch (const CheckError& retry_error) {
      EXPECT_EQ(retry_error.reason(), ErrorReason::kConnection) << retry_error.what();
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  ASSERT_TRUE(result.has_value()) << "no recovery within the backoff cap";
  EXPECT_EQ(result->rows[0][0], "42");
  EXPECT_TRUE(database->Up());
  EXPECT_EQ(database->OpenConnections(), 1);
}

TEST_F(PostgresTest, CleanShutdownIsAConnectionErrorUntilTheServerIsBack) {
  auto database = Connect(2);
  ASSERT_EQ(database->Query("SELECT 1", milliseconds(2'000)).rows[0][0], "1");
  server().Stop();  // fast shutdown: the server ends our session with 57P01 admin_shutdown
  const CheckError error = QueryError(*database, "SELECT 1", milliseconds(2'000));
  EXPECT_EQ(error.reason(), ErrorReason::kConnection) << error.what();
  EXPECT_FALSE(database->Up());
  server().Start();
  const auto restarted = steady_clock::now();
  bool recovered = false;
  while (!recovered && steady_clock::now() - restarted < milliseconds(12'000)) {
    try {
      recovered = database->Query("SELECT 1", milliseconds(2'000)).rows.size() == 1;
    } catch (const CheckError& retry_error) {
      EXPECT_EQ(retry_error.reason(), ErrorReason::kConnection) << retry_error.what();
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  EXPECT_TRUE(recovered);
  EXPECT_TRUE(database->Up());
}

TEST_F(PostgresTest, UnansweringServerIsCutOffShortlyAfterTheBudget) {
  auto database = Connect(1);
  const int backend =
      std::stoi(*database->Query("SELECT pg_backend_pid()", milliseconds(2'000)).rows[0][0]);
  // A stopped backend answers nothing, not even its own statement_timeout: like a hung network.
  ASSERT_EQ(::kill(backend, SIGSTOP), 0);
  const auto start = steady_clock::now();
  const CheckError error = QueryError(*database, "SELECT 1", milliseconds(500));
  const auto elapsed = steady_clock::now() - start;
  ::kill(backend, SIGCONT);
  EXPECT_EQ(error.reason(), ErrorReason::kTimeout) << error.what();
  EXPECT_TRUE(Contains(error.what(), "no answer")) << error.what();
  EXPECT_GE(elapsed, milliseconds(500));
  EXPECT_LT(elapsed, milliseconds(500 + 1'000));
  EXPECT_FALSE(database->Up());
  EXPECT_EQ(database->OpenConnections(), 0);
  // The stopped session is gone; a new one works at once (no backoff: connecting never failed).
  EXPECT_EQ(database->Query("SELECT 3", milliseconds(2'000)).rows[0][0], "3");
  EXPECT_TRUE(database->Up());
}

TEST_F(PostgresTest, StaleIdleConnectionsAreReplacedTransparently) {
  auto database = Connect(2);
  ASSERT_EQ(database->Query("SELECT 1", milliseconds(2'000)).rows[0][0], "1");
  // The server ends the pooled session (as a restart or an idle timeout would).
  server().Execute(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE application_name = 'freshness_exporter'");
  EXPECT_EQ(database->Query("SELECT 2", milliseconds(2'000)).rows[0][0], "2");
  EXPECT_TRUE(database->Up());
  EXPECT_EQ(database->OpenConnections(), 1);
}

}  // namespace
}  // namespace freshness::testing
