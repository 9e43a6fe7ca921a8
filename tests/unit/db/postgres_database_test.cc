#include "db/postgres_database.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

namespace freshness {
namespace {

using postgres::BuildConnectionString;
using postgres::FirstMessageLine;
using postgres::ReasonForSqlState;
using postgres::ReconnectBackoff;
using postgres::RedactSecrets;

TEST(ReconnectBackoffTest, DoublesFromHalfASecondUpToTenSeconds) {
  EXPECT_EQ(ReconnectBackoff(0), Duration(0));
  EXPECT_EQ(ReconnectBackoff(1), Duration(500));
  EXPECT_EQ(ReconnectBackoff(2), Duration(1'000));
  EXPECT_EQ(ReconnectBackoff(3), Duration(2'000));
  EXPECT_EQ(ReconnectBackoff(5), Duration(8'000));
  EXPECT_EQ(ReconnectBackoff(6), Duration(10'000));
  EXPECT_EQ(ReconnectBackoff(1'000'000), Duration(10'000));
}

TEST(ReasonForSqlStateTest, MapsTimeoutsConnectionsAndQueries) {
  EXPECT_EQ(ReasonForSqlState("57014"), ErrorReason::kTimeout);  // query_canceled
  EXPECT_EQ(ReasonForSqlState("55P03"), ErrorReason::kTimeout);  // lock_not_available
  for (const char* state : {"08006", "08001", "57P01", "57P02", "57P03", "53300"}) {
    EXPECT_EQ(ReasonForSqlState(state), ErrorReason::kConnection) << state;
  }
  for (const char* state : {"25006", "42P01", "42501", "42601", "22012", "40001"}) {
    EXPECT_EQ(ReasonForSqlState(state), ErrorReason::kQuery) << state;
  }
}

TEST(FirstMessageLineTest, KeepsTheServerMessageOnly) {
  EXPECT_EQ(FirstMessageLine("ERROR:  relation \"x\" does not exist\nLINE 1: SELECT * FROM x\n"
                             "                      ^\n"),
            "relation \"x\" does not exist");
  EXPECT_EQ(FirstMessageLine("FATAL:  terminating connection\n"), "terminating connection");
  EXPECT_EQ(FirstMessageLine("  server closed the connection unexpectedly\n\tThis probably"),
            "server closed the connection unexpectedly");
  EXPECT_EQ(FirstMessageLine(""), "");
}

TEST(ParseServerErrorTest, SplitsTheSqlStateFromVerboseMessages) {
  postgres::ServerError error = postgres::ParseServerError(
      "ERROR:  42501: permission denied for table prices\nLOCATION:  aclcheck_error, aclchk.c\n");
  EXPECT_EQ(error.sqlstate, "42501");
  EXPECT_EQ(error.message, "permission denied for table prices");
  error = postgres::ParseServerError("FATAL:  57P01: terminating connection due to administrator");
  EXPECT_EQ(error.sqlstate, "57P01");
  error = postgres::ParseServerError("ERROR:  relation \"x\" does not exist\nLINE 1: ...");
  EXPECT_EQ(error.sqlstate, "");
  EXPECT_EQ(error.message, "relation \"x\" does not exist");
  error = postgres::ParseServerError("server closed the connection unexpectedly\n\tThis");
  EXPECT_EQ(error.sqlstate, "");
  EXPECT_EQ(error.message, "server closed the connection unexpectedly");
}

TEST(RedactSecretsTest, RemovesKnownSecretsAndPasswordLookalikes) {
  EXPECT_EQ(RedactSecrets("auth failed for s3cr3t and s3cr3t", {"s3cr3t"}),
            "auth failed for <redacted> and <redacted>");
  EXPECT_EQ(RedactSecrets("bad option in host=db password=hunter2 user=x", {}),
            "bad option in host=db password=<redacted> user=x");
  EXPECT_EQ(RedactSecrets("bad option in password = 'a b\\'c' user=x", {}),
            "bad option in password = <redacted> user=x");
  EXPECT_EQ(RedactSecrets("cannot parse postgresql://reader:hunter2@db:5432/ops", {}),
            "cannot parse postgresql://reader:<redacted>@db:5432/ops");
  EXPECT_EQ(RedactSecrets("postgresql://db/ops?user=r&password=hunter2&sslmode=require", {}),
            "postgresql://db/ops?user=r&password=<redacted>&sslmode=require");
  EXPECT_EQ(RedactSecrets("nothing to hide", {""}), "nothing to hide");
}

TEST(BuildConnectionStringTest, AppendsExporterSettingsToKeyValueDsn) {
  const auto built = BuildConnectionString("host=db user=reader password='p w'", Duration(2'500));
  EXPECT_EQ(built.password, "p w");
  EXPECT_EQ(built.conninfo.rfind("host=db user=reader password='p w' ", 0), 0u);
  EXPECT_NE(built.conninfo.find(" application_name=freshness_exporter"), std::string::npos);
  EXPECT_NE(built.conninfo.find(" connect_timeout=3"), std::string::npos);
  EXPECT_NE(built.conninfo.find(" keepalives=1"), std::string::npos);
  EXPECT_NE(built.conninfo.find(" tcp_user_timeout="), std::string::npos);
}

TEST(BuildConnectionStringTest, AppendsQueryParametersToUri) {
  auto built = BuildConnectionString("postgresql://reader:p%40ss@db:5432/ops", Duration(200));
  EXPECT_EQ(built.password, "p@ss");
  EXPECT_EQ(built.conninfo.rfind("postgresql://reader:p%40ss@db:5432/ops?application_name="
                                 "freshness_exporter&connect_timeout=1&",
                                 0),
            0u)
      << built.conninfo;
  built = BuildConnectionString("postgres://db/ops?sslmode=require&password=x1", Duration(1'000));
  EXPECT_EQ(built.password, "x1");
  EXPECT_NE(built.conninfo.find("sslmode=require&password=x1&application_name="),
            std::string::npos);
}

TEST(BuildConnectionStringTest, LeavesKeepaliveSettingsOfTheDsnAlone) {
  const auto built =
      BuildConnectionString("host=db keepalives_idle=60 tcp_user_timeout=30000", Duration(1'000));
  EXPECT_EQ(built.conninfo.find("keepalives_idle=5"), std::string::npos);
  EXPECT_EQ(built.conninfo.find("tcp_user_timeout=10000"), std::string::npos);
  EXPECT_EQ(built.password, "");
}

TEST(BuildConnectionStringTest, ReadsTheDsnAsLibpqDoes) {
  // A password that mentions the keys the exporter adds does not stop it from adding them.
  auto built =
      BuildConnectionString("host=db password=keepalives_tcp_user_timeout", Duration(1'000));
  EXPECT_EQ(built.password, "keepalives_tcp_user_timeout");
  EXPECT_NE(built.conninfo.find(" keepalives=1"), std::string::npos) << built.conninfo;
  EXPECT_NE(built.conninfo.find(" tcp_user_timeout=10000"), std::string::npos) << built.conninfo;
  // Escapes inside quotes, and spaces around '='.
  built = BuildConnectionString(R"(host=db password = 'it\'s a \\ test')", Duration(1'000));
  EXPECT_EQ(built.password, R"(it's a \ test)");
  // Percent-encoding in URI query parameters, and a keepalive setting given there.
  built = BuildConnectionString("postgresql://db/ops?password=a%26b%3Dc&keepalives_idle=60",
                                Duration(1'000));
  EXPECT_EQ(built.password, "a&b=c");
  EXPECT_EQ(built.conninfo.find("keepalives_idle=5"), std::string::npos) << built.conninfo;
  // What libpq cannot parse yields no password (connecting reports the error, redacted).
  built = BuildConnectionString("host=db password='unterminated", Duration(1'000));
  EXPECT_EQ(built.password, "");
}

// A loopback port nobody listens on: connecting is refused at once.
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST(PostgresDatabaseTest, MissingDsnVariableIsAConfigError) {
  TargetConfig target;
  target.name = "ops";
  target.dsn_env = "FRESHNESS_UNIT_DSN_NOT_SET";
  ::unsetenv(target.dsn_env.c_str());
  PostgresDatabase database(target);
  try {
    database.Query("SELECT 1", Duration(1'000));
    FAIL() << "expected CheckError";
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kConfig);
    EXPECT_NE(std::string(error.what()).find("FRESHNESS_UNIT_DSN_NOT_SET"), std::string::npos);
  }
  EXPECT_FALSE(database.Up());
  EXPECT_EQ(database.OpenConnections(), 0);
}

TEST(PostgresDatabaseTest, RefusedConnectionBacksOffWithoutLeakingThePassword) {
  TargetConfig target;
  target.name = "ops";
  target.dsn_env = "FRESHNESS_UNIT_DSN_REFUSED";
  const std::string dsn = "host=127.0.0.1 port=" + std::to_string(ClosedPort()) +
                          " user=reader password=TopSecret42 dbname=ops";
  ::setenv(target.dsn_env.c_str(), dsn.c_str(), 1);
  PostgresDatabase database(target);
  try {
    database.Query("SELECT 1", Duration(1'000));
    FAIL() << "expected CheckError";
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kConnection);
    EXPECT_NE(std::string(error.what()).find("cannot connect"), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find("TopSecret42"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(database.Up());
  // While backing off, a query fails at once without trying the network.
  const auto start = std::chrono::steady_clock::now();
  try {
    database.Query("SELECT 1", Duration(5'000));
    FAIL() << "expected CheckError";
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kConnection);
    EXPECT_NE(std::string(error.what()).find("reconnecting in"), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find("TopSecret42"), std::string::npos);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  EXPECT_EQ(database.OpenConnections(), 0);
  ::unsetenv(target.dsn_env.c_str());
}

TEST(PostgresDatabaseTest, UnparsableDsnIsNotEchoed) {
  TargetConfig target;
  target.name = "ops";
  target.dsn_env = "FRESHNESS_UNIT_DSN_BROKEN";
  ::setenv(target.dsn_env.c_str(), "host=db TopSecret42 user=x", 1);
  PostgresDatabase database(target);
  try {
    database.Query("SELECT 1", Duration(1'000));
    FAIL() << "expected CheckError";
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kConnection);
    EXPECT_EQ(std::string(error.what()).find("TopSecret42"), std::string::npos) << error.what();
  }
  ::unsetenv(target.dsn_env.c_str());
}

TEST(DescribeSqlErrorTest, NamesTheTableAndTheFixForConfigMistakes) {
  const std::string sql = "SELECT max(\"tstamp\") FROM \"ops\".\"executions\" WHERE (x)";
  EXPECT_EQ(postgres::DescribeSqlError("42703", "column \"tstamp\" does not exist", sql, "reader"),
            "column \"tstamp\" does not exist in ops.executions; fix: correct the column key of "
            "the check (freshness_exporter --config.check --check.connect lists the table's "
            "columns)");
  EXPECT_EQ(
      postgres::DescribeSqlError("42501", "permission denied for table executions", sql, "reader"),
      "permission denied for table executions; fix: GRANT SELECT ON ops.executions TO reader");
  EXPECT_EQ(postgres::DescribeSqlError("42501", "permission denied for schema ops", sql, "reader"),
            "permission denied for schema ops (reading ops.executions); fix: GRANT USAGE ON "
            "SCHEMA ops TO reader");
  // A custom statement reading another table than the one denied: the denied one is named.
  EXPECT_EQ(postgres::DescribeSqlError("42501", "permission denied for table pnl",
                                       "SELECT * FROM ops.executions JOIN pnl USING (id)", "r"),
            "permission denied for table pnl; fix: GRANT SELECT ON pnl TO r");
  EXPECT_NE(postgres::DescribeSqlError("42P01", "relation \"ops.t\" does not exist", sql, "r")
                .find("; fix: correct the table key of the check (schema.table)"),
            std::string::npos);
  // Anything else is left alone.
  EXPECT_EQ(postgres::DescribeSqlError("22012", "division by zero", sql, "r"), "division by zero");
}

TEST(DescribeConnectErrorTest, PointsAtTheDsnSource) {
  EXPECT_EQ(
      postgres::DescribeConnectError("FATAL:  password authentication failed for user \"reader\"",
                                     "environment variable OPS_DSN"),
      "FATAL:  password authentication failed for user \"reader\"; fix: correct the user or "
      "password of the DSN in environment variable OPS_DSN");
  EXPECT_EQ(postgres::DescribeConnectError("could not connect to server: Connection refused",
                                           "file /run/dsn"),
            "could not connect to server: Connection refused");
}

}  // namespace
}  // namespace freshness
