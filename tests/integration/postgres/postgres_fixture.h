#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "config/config.h"
#include "db/postgres_database.h"
#include "support/postgres_server.h"

namespace freshness::testing {

// One server for the whole binary: starting a cluster costs a second or two, a schema is free.
inline PostgresServer& SharedPostgresServer() {
  static PostgresServer server;
  return server;
}

// Base fixture: a fresh schema per test and targets whose DSN is read from the environment,
// as in production.
class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PostgresServer& database_server = server();
    if (!database_server.running()) database_server.Start();  // a previous test failed mid-way
    database_server.Execute("DROP SCHEMA IF EXISTS it CASCADE; CREATE SCHEMA it");
  }

  static PostgresServer& server() { return SharedPostgresServer(); }

  // A target named `name` whose DSN is put into the environment variable FRESHNESS_IT_<NAME>.
  static TargetConfig Target(const std::string& name, const std::string& dsn,
                             int max_connections = 2) {
    TargetConfig target;
    target.name = name;
    target.dsn_env = "FRESHNESS_IT_" + name;
    target.max_connections = max_connections;
    ::setenv(target.dsn_env.c_str(), dsn.c_str(), 1);
    return target;
  }

  static std::unique_ptr<PostgresDatabase> Connect(int max_connections = 2) {
    return std::make_unique<PostgresDatabase>(Target("db", server().Dsn(), max_connections));
  }

  // A single value from the server, computed over the superuser's own connection.
  static std::string Scalar(const std::string& sql) {
    const PostgresServer::Rows rows = server().Execute(sql);
    if (rows.size() != 1 || rows[0].size() != 1 || !rows[0][0]) {
      ADD_FAILURE() << "expected one non-NULL value from " << sql;
      return "";
    }
    return *rows[0][0];
  }
};

}  // namespace freshness::testing
