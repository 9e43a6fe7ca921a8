// The exporter binary against a real PostgreSQL: what a user sees on /metrics, the status page,
// the API, reloads and --once must match what SQL computes directly.
#include <arpa/inet.h>
#include <crypt.h>
#include <date/tz.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <regex>
#include <thread>

#include "support/child_process.h"
#include "support/postgres_server.h"
#include "support/s3rver_server.h"
#include "support/test_paths.h"

namespace freshness::testing {
namespace {

constexpr const char* kPassword = "S3cr3t-pass-XYZ";

PostgresServer& Server() {
  static PostgresServer server;
  return server;
}

std::string ConfigText(const std::string& interval) {
  return R"(
global: {interval: )" +
         interval + R"(, timeout: 3s, labels: {env: it}}
targets:
  pipeline: {dsn_env: IT_READER_DSN, max_connections: 2}
checks:
  - {name: events, kind: lag, target: pipeline, table: it.events, column: ts}
  - {name: empty_events, kind: lag, target: pipeline, table: it.empty_events, column: ts,
     mode: observe}
  - {name: dispatcher, kind: runs, target: pipeline, table: it.runs, started_column: started_at,
     finished_column: finished_at, window: 1h, max_duration: 30m}
  - {name: executions, kind: duplicates, target: pipeline, table: it.execs,
     key: [recommendation_id], time_column: executed_at, window: 24h, error_above: 2}
  - {name: pnl, kind: query, target: pipeline, sql: "SELECT account, pnl FROM it.pnl",
     metrics: [{name: it_daily_pnl, value: pnl, labels: [account]}]}
)";
}

class ExporterCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    PostgresServer& server = Server();
    if (!server.running()) server.Start();
    server.Execute(R"(
      DROP SCHEMA IF EXISTS it CASCADE;
      DROP ROLE IF EXISTS it_reader;
      CREATE ROLE it_reader LOGIN PASSWORD 'S3cr3t-pass-XYZ' IN ROLE password_login;
      CREATE SCHEMA it;
      CREATE TABLE it.events (ts timestamptz);
      INSERT INTO it.events SELECT now() - interval '90 seconds' - g * interval '1 minute'
        FROM generate_series(0, 99) g;
      CREATE TABLE it.empty_events (ts timestamptz);
      CREATE TABLE it.runs (started_at timestamptz, finished_at timestamptz);
      INSERT INTO it.runs VALUES (now() - interval '10 minutes', now() - interval '9 minutes'),
                                 (now() - interval '7 minutes', NULL),
                                 (now() - interval '2 minutes', NULL),
                                 (now() - interval '3 hours', NULL);
      CREATE TABLE it.execs (recommendation_id int, executed_at timestamptz);
      INSERT INTO it.execs VALUES (1, now()), (1, now()), (2, now()), (3, now()), (3, now()),
                                  (4, now() - interval '3 days'), (4, now() - interval '3 days');
      CREATE TABLE it.pnl (account text, pnl numeric);
      INSERT INTO it.pnl VALUES ('A1', -125.5), ('A2', 300), ('A3', NULL);
      GRANT USAGE ON SCHEMA it TO it_reader;
      GRANT SELECT ON ALL TABLES IN SCHEMA it TO it_reader;
    )");
  }

  std::map<std::string, std::string> Environment() const {
    return {{"IT_READER_DSN", Server().Dsn("postgres", "it_reader", kPassword)}};
  }

  std::unique_ptr<ChildProcess> StartExporter(const std::string& config_file, int port,
                                              const std::string& log_level = "debug") {
    std::vector<std::string> arguments = {ExporterBinary(), "--config.file=" + config_file,
                                          "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                          "--log.level=" + log_level};
    return std::make_unique<ChildProcess>(arguments, Environment(), dir_.path() + "/exporter.log");
  }

  static std::string Get(int port, const std::string& path, int* status = nullptr,
                         std::string* content_type = nullptr) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(2, 0);
    client.set_read_timeout(5, 0);
    auto response = client.Get(path.c_str());
    if (!response) {
      if (status != nullptr) *status = 0;
      return "";
    }
    if (status != nullptr) *status = response->status;
    if (content_type != nullptr) *content_type = response->get_header_value("Content-Type");
    return response->body;
  }

  static bool WaitFor(const std::function<bool()>& condition, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return condition();
  }

  static bool WaitUntilReady(int port) {
    return WaitFor(
        [&] {
          int status = 0;
          Get(port, "/-/ready", &status);
          return status == 200;
        },
        std::chrono::seconds(20));
  }

  static std::optional<std::string> SampleValue(const std::string& exposition,
                                                const std::string& series) {
    const std::string prefix = series + " ";
    std::istringstream lines(exposition);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    }
    return std::nullopt;
  }

  static double Scalar(const std::string& sql) {
    const auto rows = Server().Execute(sql);
    return std::stod(rows.at(0).at(0).value());
  }

  TempDir dir_;
};

TEST_F(ExporterCliTest, ConfigCheckAcceptsGoodAndRejectsBadFilesWithPositions) {
  const std::string good = dir_.Write("good.yml", ConfigText("15s"));
  auto [ok_code, ok_output] =
      RunProgram({ExporterBinary(), "--config.check", "--config.file=" + good});
  EXPECT_EQ(ok_code, 0) << ok_output;
  EXPECT_NE(ok_output.find("OK (5 checks"), std::string::npos) << ok_output;
  const std::string bad = dir_.Write("bad.yml", ConfigText("15x"));
  auto [bad_code, bad_output] =
      RunProgram({ExporterBinary(), "--config.check", "--config.file=" + bad});
  EXPECT_EQ(bad_code, 1);
  EXPECT_NE(bad_output.find(bad + ":2:20: global.interval: invalid duration \"15x\""),
            std::string::npos)
      << bad_output;
}

TEST_F(ExporterCliTest, MetricsMatchSqlAndScrapesNeverQueryTheDatabase) {
  const std::string config = dir_.Write("config.yml", ConfigText("1h"));
  const int port = FreePort();
  auto exporter = StartExporter(config, port);
  ASSERT_TRUE(WaitUntilReady(port)) << exporter->Log();

  int status = 0;
  std::string content_type;
  const std::string metrics = Get(port, "/metrics", &status, &content_type);
  ASSERT_EQ(status, 200);
  EXPECT_EQ(content_type, "text/plain; version=0.0.4; charset=utf-8");
  const auto [promtool_code, promtool_output] =
      RunProgram({"promtool", "check", "metrics"}, {}, metrics);
  EXPECT_EQ(promtool_code, 0) << promtool_output;

  // Prometheus asks for gzip: the answer is compressed and decompresses to the same exposition.
  {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(5, 0);
    auto compressed = client.Get("/metrics", {{"Accept-Encoding", "gzip"}});
    ASSERT_TRUE(compressed);
    EXPECT_EQ(compressed->status, 200);
    EXPECT_EQ(compressed->get_header_value("Content-Encoding"), "gzip");
    ASSERT_TRUE(compressed->has_header("Content-Length"));
    EXPECT_LT(std::stoul(compressed->get_header_value("Content-Length")),
              compressed->body.size() / 2);
    EXPECT_EQ(compressed->get_header_value("Content-Type"),
              "text/plain; version=0.0.4; charset=utf-8");
    const auto [code, output] = RunProgram({"promtool", "check", "metrics"}, {}, compressed->body);
    EXPECT_EQ(code, 0) << output;
    EXPECT_NE(compressed->body.find("freshness_target_up{target=\"pipeline\",env=\"it\"} 1"),
              std::string::npos);
  }

  // Lag is exact at scrape time: now - max(ts), as SQL computes it now.
  const std::string lag_text =
      SampleValue(metrics, "freshness_lag_seconds{check=\"events\",env=\"it\"}").value_or("");
  const double expected_lag = Scalar("SELECT extract(epoch FROM now() - max(ts)) FROM it.events");
  EXPECT_NEAR(std::stod(lag_text), expected_lag, 2.0);
  EXPECT_EQ(SampleValue(metrics, "freshness_lag_seconds{check=\"empty_events\",env=\"it\"}"),
            "+Inf");
  EXPECT_EQ(
      std::stod(SampleValue(metrics, "freshness_unfinished_runs{check=\"dispatcher\",env=\"it\"}")
                    .value_or("-1")),
      Scalar("SELECT count(*) FROM it.runs WHERE started_at >= now() - interval '1 hour' "
             "AND finished_at IS NULL"));
  EXPECT_NEAR(std::stod(SampleValue(metrics,
                                    "freshness_oldest_unfinished_run_age_seconds{check="
                                    "\"dispatcher\",env=\"it\"}")
                            .value_or("-1")),
              Scalar("SELECT extract(epoch FROM now() - min(started_at)) FROM it.runs WHERE "
                     "started_at >= now() - interval '1 hour' AND finished_at IS NULL"),
              2.0);
  EXPECT_EQ(std::stod(SampleValue(metrics,
                                  "freshness_duplicate_executions{check=\"executions\",env=\"it\"}")
                          .value_or("-1")),
            Scalar("SELECT count(*) FROM (SELECT recommendation_id FROM it.execs WHERE "
                   "executed_at >= now() - interval '24 hours' GROUP BY 1 HAVING count(*) > 1) d"));
  EXPECT_EQ(SampleValue(metrics, "it_daily_pnl{check=\"pnl\",account=\"A1\",env=\"it\"}"),
            "-125.5");
  EXPECT_EQ(SampleValue(metrics, "it_daily_pnl{check=\"pnl\",account=\"A3\",env=\"it\"}"),
            std::nullopt);
  EXPECT_EQ(SampleValue(metrics, "freshness_target_up{target=\"pipeline\",env=\"it\"}"), "1");

  // Ten scrapers at once cost the database nothing: collections stay at one per check.
  auto collections = [&] {
    const std::string log = exporter->Log();
    std::size_t count = 0;
    for (std::size_t at = log.find("msg=\"check collected\""); at != std::string::npos;
         at = log.find("msg=\"check collected\"", at + 1)) {
      ++count;
    }
    return count;
  };
  const std::size_t before = collections();
  EXPECT_EQ(before, 5u);
  std::vector<std::thread> scrapers;
  std::atomic<int> ok_scrapes{0};
  for (int i = 0; i < 10; ++i) {
    scrapers.emplace_back([&] {
      for (int j = 0; j < 20; ++j) {
        int scrape_status = 0;
        Get(port, "/metrics", &scrape_status);
        if (scrape_status == 200) ++ok_scrapes;
      }
    });
  }
  for (std::thread& scraper : scrapers) scraper.join();
  EXPECT_EQ(ok_scrapes.load(), 200);
  EXPECT_EQ(collections(), before);

  // The status page and the API list every check; no page shows the password.
  const std::string page = Get(port, "/");
  const std::string api = Get(port, "/api/v1/checks");
  const nlohmann::json checks = nlohmann::json::parse(api);
  ASSERT_EQ(checks["checks"].size(), 5u);
  for (const char* name : {"events", "empty_events", "dispatcher", "executions", "pnl"}) {
    EXPECT_NE(page.find(std::string(">") + name + "<"), std::string::npos) << name;
  }
  EXPECT_EQ(checks["checks"][0]["name"], "events");
  EXPECT_EQ(checks["checks"][0]["state"], "ok");
  for (const std::string& text : {metrics, page, api, exporter->Log()}) {
    EXPECT_EQ(text.find(kPassword), std::string::npos);
  }
}

// The ledger signals and the volume series as Prometheus scrapes them: names, values, the
// success age computed at the scrape (+Inf when no run succeeded) and the declared tiers.
TEST_F(ExporterCliTest, LedgerAndVolumeSeriesOnMetrics) {
  Server().Execute(R"(
    DROP TABLE IF EXISTS it.job_runs, it.fills;
    CREATE TABLE it.job_runs (started_at timestamptz, finished_at timestamptz, status text);
    INSERT INTO it.job_runs VALUES
      (now() - interval '2 hours', now() - interval '110 minutes', 'failed'),
      (now() - interval '1 hour', now() - interval '50 minutes', 'failed'),
      (now() - interval '5 minutes', NULL, 'running');
    CREATE TABLE it.fills (filled_at timestamptz);
    INSERT INTO it.fills
      SELECT now() - interval '30 seconds' - interval '1 minute' * g FROM generate_series(0, 29) g;
    GRANT SELECT ON it.job_runs, it.fills TO it_reader;)");
  const std::string config = dir_.Write("ledger.yml", R"(
global: {interval: 1s, timeout: 3s, labels: {env: it}}
targets:
  pipeline: {dsn_env: IT_READER_DSN, max_connections: 2}
checks:
  - {name: nightly, kind: runs, target: pipeline, table: it.job_runs, started_column: started_at,
     finished_column: finished_at, failed_when: "status = 'failed'", max_success_age: 1d}
  - {name: fills, kind: volume, target: pipeline, table: it.fills, time_column: filled_at,
     expect: {rows: 60}, error_below: 0.6}
)");
  const int port = FreePort();
  auto exporter = StartExporter(config, port);
  ASSERT_TRUE(WaitUntilReady(port)) << exporter->Log();
  const std::string metrics = Get(port, "/metrics");
  const auto [promtool_code, promtool_output] =
      RunProgram({"promtool", "check", "metrics"}, {}, metrics);
  EXPECT_EQ(promtool_code, 0) << promtool_output;
  const auto value = [&](const std::string& series) {
    return SampleValue(metrics, series).value_or("absent");
  };
  EXPECT_EQ(value("freshness_unfinished_runs{check=\"nightly\",env=\"it\"}"), "1");
  EXPECT_EQ(value("freshness_failed_runs{check=\"nightly\",env=\"it\"}"), "2");
  EXPECT_EQ(value("freshness_consecutive_failed_runs{check=\"nightly\",env=\"it\"}"), "2");
  EXPECT_EQ(value("freshness_last_successful_run_age_seconds{check=\"nightly\",env=\"it\"}"),
            "+Inf");
  EXPECT_EQ(value("freshness_last_successful_run_timestamp_seconds{check=\"nightly\",env=\"it\"}"),
            "absent");
  EXPECT_EQ(value("freshness_check_threshold{check=\"nightly\",metric=\"freshness_consecutive_"
                  "failed_runs\",severity=\"critical\",env=\"it\"}"),
            "3");
  EXPECT_EQ(value("freshness_check_threshold{check=\"nightly\",metric=\"freshness_last_"
                  "successful_run_age_seconds\",severity=\"warning\",env=\"it\"}"),
            "86400");
  EXPECT_EQ(value("freshness_volume_observed_rows{check=\"fills\",env=\"it\"}"), "30");
  EXPECT_EQ(value("freshness_volume_expected_rows{check=\"fills\",env=\"it\"}"), "60");
  EXPECT_EQ(value("freshness_volume_ratio{check=\"fills\",env=\"it\"}"), "0.5");
  EXPECT_EQ(value("freshness_check_threshold{check=\"fills\",metric=\"freshness_volume_ratio\","
                  "severity=\"critical\",env=\"it\"}"),
            "0.6");
  EXPECT_NE(metrics.find("# HELP freshness_consecutive_failed_runs "), std::string::npos);
  EXPECT_NE(metrics.find("# TYPE freshness_volume_ratio gauge"), std::string::npos);

  // A run that succeeds ends the streak; its finish time is exported and its age is computed
  // at each scrape.
  Server().Execute(
      "INSERT INTO it.job_runs VALUES (now() - interval '3 minutes', now() - interval '2 "
      "minutes', 'ok')");
  std::string after;
  ASSERT_TRUE(WaitFor(
      [&] {
        after = Get(port, "/metrics");
        return SampleValue(after,
                           "freshness_consecutive_failed_runs{check=\"nightly\",env=\"it\"}") ==
               std::optional<std::string>("0");
      },
      std::chrono::seconds(10)))
      << after;
  const double finished = std::stod(
      SampleValue(after,
                  "freshness_last_successful_run_timestamp_seconds{check=\"nightly\",env=\"it\"}")
          .value_or("0"));
  EXPECT_NEAR(finished,
              Scalar("SELECT extract(epoch FROM finished_at) FROM it.job_runs WHERE status = 'ok'"),
              1e-3);
  const double age = std::stod(
      SampleValue(after, "freshness_last_successful_run_age_seconds{check=\"nightly\",env=\"it\"}")
          .value_or("0"));
  EXPECT_NEAR(age,
              Scalar("SELECT extract(epoch FROM now() - finished_at) FROM it.job_runs WHERE "
                     "status = 'ok'"),
              2.0);
}

TEST_F(ExporterCliTest, ABadReloadKeepsTheRunningConfigAndAGoodOneApplies) {
  const std::string config = dir_.Write("reload.yml", ConfigText("1h"));
  const int port = FreePort();
  auto exporter = StartExporter(config, port);
  ASSERT_TRUE(WaitUntilReady(port)) << exporter->Log();

  dir_.Write("reload.yml", ConfigText("1h") + "  - {name: broken, kind: lag, target: nowhere}\n");
  exporter->Signal(SIGHUP);
  ASSERT_TRUE(WaitFor(
      [&] {
        return SampleValue(Get(port, "/metrics"),
                           "freshness_config_last_reload_successful{env=\"it\"}") == "0";
      },
      std::chrono::seconds(10)))
      << exporter->Log();
  const std::string kept = Get(port, "/metrics");
  EXPECT_TRUE(
      SampleValue(kept, "freshness_check_success{check=\"events\",env=\"it\"}").has_value());
  EXPECT_NE(exporter->Log().find("reload.yml:15:39: checks[5].target: unknown target"),
            std::string::npos)
      << exporter->Log();

  dir_.Write("reload.yml", ConfigText("1h") +
                               "  - {name: more_events, kind: lag, target: pipeline, table: "
                               "it.events, column: ts}\n");
  httplib::Client client("127.0.0.1", port);
  auto response = client.Post("/-/reload");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
  ASSERT_TRUE(WaitFor(
      [&] {
        return SampleValue(Get(port, "/metrics"),
                           "freshness_check_success{check=\"more_events\",env=\"it\"}") == "1";
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(
      SampleValue(Get(port, "/metrics"), "freshness_config_last_reload_successful{env=\"it\"}"),
      "1");
  EXPECT_EQ(exporter->Wait(std::chrono::milliseconds(0)), std::nullopt);  // still running
}

TEST_F(ExporterCliTest, OnceExitsZeroWhenHealthyAndThreeWhenACheckFails) {
  const std::string good = dir_.Write("once.yml", ConfigText("15s"));
  auto [code, output] =
      RunProgram({ExporterBinary(), "--once", "--config.file=" + good}, Environment());
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("dispatcher"), std::string::npos);

  const std::string failing =
      dir_.Write("failing.yml",
                 ConfigText("15s") +
                     "  - {name: gone, kind: lag, target: pipeline, table: it.nope, column: ts}\n");
  auto [json_code, json_output] = RunProgram({ExporterBinary(), "--once", "--output=json",
                                              "--log.level=error", "--config.file=" + failing},
                                             Environment());
  EXPECT_EQ(json_code, 3);
  const nlohmann::json report = nlohmann::json::parse(json_output.substr(json_output.find('{')));
  bool saw_gone = false;
  for (const auto& check : report["checks"]) {
    if (check["name"] == "gone") {
      saw_gone = true;
      EXPECT_EQ(check["success"], false);
      EXPECT_EQ(check["error_reason"], "query");
    } else {
      EXPECT_EQ(check["success"], true) << check.dump();
    }
  }
  EXPECT_TRUE(saw_gone);
}

TEST_F(ExporterCliTest, TlsAndBasicAuthFromTheWebConfigFile) {
  const std::string key = dir_.path() + "/server.key";
  const std::string cert = dir_.path() + "/server.crt";
  const auto [openssl_code, openssl_output] = RunProgram(
      {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
       "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
  ASSERT_EQ(openssl_code, 0) << openssl_output;
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  ASSERT_NE(crypt_gensalt_rn("$2b$", 6, nullptr, 0, salt, sizeof salt), nullptr);
  crypt_data data{};
  const std::string hash = crypt_r("scrape-pass", salt, &data);
  const std::string web_config =
      dir_.Write("web.yml",
                 "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                 "basic_auth_users:\n  prometheus: '" +
                     hash + "'\n");
  const std::string config = dir_.Write("tls.yml", ConfigText("1h"));
  const int port = FreePort();
  ChildProcess exporter(
      {ExporterBinary(), "--config.file=" + config,
       "--web.listen-address=127.0.0.1:" + std::to_string(port), "--web.config.file=" + web_config},
      Environment(), dir_.path() + "/tls.log");
  auto get = [&](const std::string& user, const std::string& password) {
    httplib::SSLClient client("127.0.0.1", port);
    client.set_ca_cert_path(cert.c_str());
    client.enable_server_certificate_verification(true);
    client.set_connection_timeout(2, 0);
    if (!user.empty()) client.set_basic_auth(user.c_str(), password.c_str());
    auto response = client.Get("/metrics");
    return response ? response->status : 0;
  };
  ASSERT_TRUE(
      WaitFor([&] { return get("prometheus", "scrape-pass") == 200; }, std::chrono::seconds(20)))
      << exporter.Log();
  EXPECT_EQ(get("", ""), 401);
  EXPECT_EQ(get("prometheus", "wrong"), 401);
  EXPECT_EQ(get("nobody", "scrape-pass"), 401);
  int plain_status = -1;
  Get(port, "/metrics", &plain_status);
  EXPECT_NE(plain_status, 200);  // plain HTTP is not served on a TLS port
  EXPECT_EQ(exporter.Log().find("scrape-pass"), std::string::npos);
  EXPECT_EQ(exporter.Log().find(hash), std::string::npos);
}

// Opens a loopback TCP connection and sends `data` without reading; -1 on failure.
int SendRaw(int port, const std::string& data) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
  return fd;
}

TEST_F(ExporterCliTest, HostileHttpClientsDoNotAffectMetrics) {
  const std::string config = dir_.Write("http.yml", ConfigText("1h"));
  const int port = FreePort();
  auto exporter = StartExporter(config, port, "info");
  ASSERT_TRUE(WaitUntilReady(port)) << exporter->Log();

  int status = 0;
  Get(port, "/no/such/path", &status);
  EXPECT_EQ(status, 404);
  httplib::Client client("127.0.0.1", port);
  auto deleted = client.Delete("/metrics");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 405);
  auto oversized = client.Post("/api/v1/checks", std::string(2 * 1024 * 1024, 'x'), "text/plain");
  EXPECT_TRUE(!oversized || oversized->status == 413 || oversized->status == 405);
  httplib::Headers huge_header = {{"X-Huge", std::string(64 * 1024, 'h')}};
  auto huge = client.Get("/metrics", huge_header);
  EXPECT_TRUE(!huge || huge->status >= 400);

  // Slow clients that never finish their request hold connections open: many more of them
  // than a fixed pool of connection threads would have.
  std::vector<int> slow;
  for (int i = 0; i < 200; ++i)
    slow.push_back(SendRaw(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n"));
  const auto started = std::chrono::steady_clock::now();
  const std::string metrics = Get(port, "/metrics", &status);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(status, 200);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_TRUE(SampleValue(metrics, "freshness_check_success{check=\"events\",env=\"it\"}"));
  for (int fd : slow) {
    if (fd >= 0) ::close(fd);
  }
  EXPECT_EQ(exporter->Wait(std::chrono::milliseconds(0)), std::nullopt);  // still running
  Get(port, "/-/healthy", &status);
  EXPECT_EQ(status, 200);
}

TEST_F(ExporterCliTest, ReloadStormWhileScrapingKeepsTheLastGoodConfigWithoutLeaks) {
  const std::string good = ConfigText("1h");
  const std::string bad = ConfigText("1h") + "  - {name: broken, kind: lag}\n";
  const std::string config = dir_.Write("storm.yml", good);
  const int port = FreePort();
  auto exporter = StartExporter(config, port, "warn");
  ASSERT_TRUE(WaitUntilReady(port)) << exporter->Log();
  auto open_fds = [&] {
    return std::stod(SampleValue(Get(port, "/metrics"), "process_open_fds").value_or("-1"));
  };
  const double fds_before = open_fds();

  std::atomic<bool> storming{true};
  std::atomic<int> failed_scrapes{0};
  std::atomic<int> scrapes{0};
  std::thread scraper([&] {
    while (storming) {
      int status = 0;
      const std::string metrics = Get(port, "/metrics", &status);
      ++scrapes;
      if (status != 200 ||
          !SampleValue(metrics, "freshness_check_success{check=\"events\",env=\"it\"}")) {
        ++failed_scrapes;
      }
    }
  });
  for (int round = 0; round < 100; ++round) {
    dir_.Write("storm.yml", round % 2 == 0 ? bad : good);
    exporter->Signal(SIGHUP);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  dir_.Write("storm.yml", bad);
  exporter->Signal(SIGHUP);
  ASSERT_TRUE(WaitFor(
      [&] {
        return SampleValue(Get(port, "/metrics"),
                           "freshness_config_last_reload_successful{env=\"it\"}") == "0";
      },
      std::chrono::seconds(10)));
  storming = false;
  scraper.join();

  EXPECT_EQ(exporter->Wait(std::chrono::milliseconds(0)), std::nullopt);  // no crash
  EXPECT_GT(scrapes.load(), 10);
  EXPECT_EQ(failed_scrapes.load(), 0);
  // The last good config (five checks) still serves, and collects once the storm is over.
  const std::string metrics = Get(port, "/metrics");
  EXPECT_TRUE(SampleValue(metrics, "freshness_check_success{check=\"pnl\",env=\"it\"}"));
  EXPECT_FALSE(SampleValue(metrics, "freshness_check_success{check=\"broken\",env=\"it\"}"));
  ASSERT_TRUE(WaitUntilReady(port));
  // Connections and files opened by the reloads are all closed again.
  EXPECT_LE(open_fds(), fds_before + 2);
}

// Last: stops and restarts the shared server.
// Open file descriptors of a process (sockets to PostgreSQL and HTTP clients among them).
int OpenFds(pid_t pid) {
  int count = 0;
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++count;
  }
  return count;
}

// PostgreSQL away for a while (a minute by default; FRESHNESS_TEST_OUTAGE_SECONDS overrides)
// under a steady scrape load: every scrape is answered, the target is down within about one
// interval and back after the restart without restarting the exporter, the last good value is
// kept, and neither connections nor file descriptors leak.
TEST_F(ExporterCliTest, DatabaseOutageUnderScrapeLoadRecoversWithoutLeaks) {
  int outage_seconds = 60;
  if (const char* text = std::getenv("FRESHNESS_TEST_OUTAGE_SECONDS")) {
    outage_seconds = std::max(1, std::atoi(text));
  }
  const std::string config = dir_.Write("restart.yml", ConfigText("1s"));
  const int port = FreePort();
  auto exporter = StartExporter(config, port, "info");
  auto target_up = [&](const std::string& metrics) {
    return SampleValue(metrics, "freshness_target_up{target=\"pipeline\",env=\"it\"}");
  };
  ASSERT_TRUE(
      WaitUntilReady(port) &&
      WaitFor([&] { return target_up(Get(port, "/metrics")) == "1"; }, std::chrono::seconds(10)))
      << exporter->Log();

  // The exporter's connections as PostgreSQL sees them, sampled while the server is up: never
  // more than the target's max_connections (2).
  const std::string count_connections =
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'freshness_exporter'";
  int most_connections = 0;
  auto sample_connections = [&](std::chrono::seconds during) {
    const auto until = std::chrono::steady_clock::now() + during;
    while (std::chrono::steady_clock::now() < until) {
      most_connections = std::max(most_connections, static_cast<int>(Scalar(count_connections)));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  sample_connections(std::chrono::seconds(3));
  const int fds_before = OpenFds(exporter->pid());

  // Steady load: one scrape every 20 ms on its own connection, until told to stop.
  std::atomic<bool> stop_scraping{false};
  std::atomic<int> scrapes{0};
  std::atomic<int> failed_scrapes{0};
  std::thread scraper([&] {
    while (!stop_scraping.load()) {
      int status = 0;
      Get(port, "/metrics", &status);
      ++scrapes;
      if (status != 200) ++failed_scrapes;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });

  Server().Stop();
  const auto stopped = std::chrono::steady_clock::now();
  std::string while_down;
  EXPECT_TRUE(WaitFor(
      [&] {
        while_down = Get(port, "/metrics");
        return target_up(while_down) == "0" &&
               SampleValue(while_down, "freshness_check_success{check=\"events\",env=\"it\"}") ==
                   "0";
      },
      std::chrono::seconds(10)));
  // Interval 1s; a refused connection fails at once. Slack for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, std::chrono::milliseconds(3'000));
  // The last good value is kept while the database is away; the failure is a connection error.
  EXPECT_TRUE(
      SampleValue(while_down, "freshness_lag_seconds{check=\"events\",env=\"it\"}").has_value());
  EXPECT_TRUE(SampleValue(while_down,
                          "freshness_check_errors_total{check=\"events\",reason=\"connection\","
                          "env=\"it\"}")
                  .has_value())
      << while_down;
  std::this_thread::sleep_until(stopped + std::chrono::seconds(outage_seconds));
  const int fds_while_down = OpenFds(exporter->pid());
  EXPECT_EQ(target_up(Get(port, "/metrics")), "0");

  Server().Start();
  const auto restarted = std::chrono::steady_clock::now();
  EXPECT_TRUE(
      WaitFor([&] { return target_up(Get(port, "/metrics")) == "1"; }, std::chrono::seconds(30)))
      << exporter->Log();
  // Reconnect backoff is capped at 10 s.
  EXPECT_LT(std::chrono::steady_clock::now() - restarted, std::chrono::seconds(15));
  EXPECT_TRUE(WaitFor(
      [&] {
        return SampleValue(Get(port, "/metrics"),
                           "freshness_check_success{check=\"events\",env=\"it\"}") == "1";
      },
      std::chrono::seconds(10)));
  sample_connections(std::chrono::seconds(3));
  stop_scraping = true;
  scraper.join();

  EXPECT_EQ(failed_scrapes.load(), 0) << "of " << scrapes.load();
  EXPECT_GT(scrapes.load(), outage_seconds * 10);
  EXPECT_GE(most_connections, 1);
  EXPECT_LE(most_connections, 2);
  // Failed reconnects during the outage leave nothing open, and recovery opens no more than
  // the pool held before (two sockets of slack for scrapes in flight).
  EXPECT_LE(fds_while_down, fds_before + 1);
  EXPECT_LE(OpenFds(exporter->pid()), fds_before + 2);
  EXPECT_EQ(exporter->Wait(std::chrono::milliseconds(0)), std::nullopt);
  EXPECT_EQ(exporter->Log().find(kPassword), std::string::npos);
}

// Secrets never leave the process: the DSN password (of a working target and of one whose
// password is wrong) and the S3 secret key (of a signed request that succeeds and of one that is
// refused) appear in none of the log at debug level, /metrics, /, /api/v1/checks, --once in
// either format, or --config.check.
TEST_F(ExporterCliTest, SecretsAppearInNoOutput) {
  if (S3rverServer::Binary().empty()) GTEST_SKIP() << "s3rver not installed";
  const std::string wrong_password = "Wr0ng-Pa55-QRS";
  const std::string s3_secret = "S3-Secret-Key-Do-Not-Print-4711";
  S3rverServer::Options s3_account;
  s3_account.secret_access_key = s3_secret;  // the server verifies signatures with it
  S3rverServer s3("research", s3_account);
  ASSERT_TRUE(s3.PutObject("reports/daily.json", "{}"));
  dir_.Write("credentials",
             "[good]\naws_access_key_id = " + std::string(S3rverServer::kAccessKeyId) +
                 "\naws_secret_access_key = " + s3_secret +
                 "\n[wrong]\naws_access_key_id = AKIAWRONGKEYID000000\n"
                 "aws_secret_access_key = " +
                 s3_secret + "\n");
  const std::string s3_settings = "endpoint: \"" + s3.endpoint() +
                                  "\", region: us-east-1, credentials_file: credentials, profile: ";
  const std::string config = dir_.Write("secrets.yml",
                                        R"(
global: {interval: 1s, timeout: 3s, labels: {env: it}}
targets:
  pipeline: {dsn_env: IT_READER_DSN}
  wrong: {dsn_env: IT_WRONG_DSN}
checks:
  - {name: events, kind: lag, target: pipeline, table: it.events, column: ts}
  - {name: wrong_password, kind: lag, target: wrong, table: it.events, column: ts}
  - {name: s3_good, kind: artifact, source: "s3://research/reports/daily.json",
     expect: {max_age: 1h}, s3: {)" + s3_settings +
                                            R"(good}}
  - {name: s3_refused, kind: artifact, source: "s3://research/reports/daily.json",
     expect: {max_age: 1h}, s3: {)" + s3_settings +
                                            "wrong}}\n");
  std::map<std::string, std::string> environment = Environment();
  environment["IT_WRONG_DSN"] = Server().Dsn("postgres", "it_reader", wrong_password);
  const int port = FreePort();
  ChildProcess exporter(
      {ExporterBinary(), "--config.file=" + config,
       "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=debug"},
      environment, dir_.path() + "/secrets.log");
  ASSERT_TRUE(WaitUntilReady(port)) << exporter.Log();
  // Let every check run and fail a few times, so retries and backoff messages are logged too.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const std::string metrics = Get(port, "/metrics");
  const std::string page = Get(port, "/");
  const nlohmann::json api = nlohmann::json::parse(Get(port, "/api/v1/checks"));
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& check : api["checks"]) by_name[check["name"]] = check;
  // The four outcomes the secrets could leak from really happened.
  EXPECT_EQ(by_name["events"]["success"], true) << api.dump();
  EXPECT_EQ(by_name["wrong_password"]["success"], false) << api.dump();
  EXPECT_EQ(by_name["s3_good"]["state"], "fresh") << api.dump();
  EXPECT_EQ(by_name["s3_refused"]["state"], "probe_failed") << api.dump();
  const std::string refused_error = by_name["s3_refused"].dump();
  EXPECT_NE(refused_error.find("HTTP 403"), std::string::npos) << refused_error;
  const std::string password_error = by_name["wrong_password"].dump();
  EXPECT_NE(password_error.find("password authentication failed"), std::string::npos)
      << password_error;

  const auto [table_code, table] = RunProgram(
      {ExporterBinary(), "--once", "--log.level=debug", "--config.file=" + config}, environment);
  EXPECT_EQ(table_code, 3) << table;  // the wrong password and the refused probe fail
  const auto [json_code, json] = RunProgram(
      {ExporterBinary(), "--once", "--output=json", "--log.level=debug", "--config.file=" + config},
      environment);
  EXPECT_EQ(json_code, 3) << json;
  const auto [check_code, check] =
      RunProgram({ExporterBinary(), "--config.check", "--config.file=" + config}, environment);
  EXPECT_EQ(check_code, 0) << check;

  const std::map<std::string, std::string> outputs = {
      {"log", exporter.Log()},  {"/metrics", metrics}, {"/", page},
      {"api", api.dump()},      {"--once", table},     {"--once json", json},
      {"--config.check", check}};
  for (const auto& [where, text] : outputs) {
    SCOPED_TRACE(where);
    EXPECT_FALSE(text.empty());
    for (const std::string& secret : {std::string(kPassword), wrong_password, s3_secret}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in:\n" << text;
    }
  }
}

// A locked table, a query slower than its budget, a dropped table and a revoked permission in
// one collection: only those four checks fail, each within its budget and with its reason, and
// the healthy checks of the same target are collected as usual.
TEST_F(ExporterCliTest, FaultyChecksFailAloneWithinTheirBudgets) {
  Server().Execute(R"(
    DROP TABLE IF EXISTS it.locked, it.dropped, it.revoked;
    CREATE TABLE it.locked (ts timestamptz);
    CREATE TABLE it.dropped (ts timestamptz);
    CREATE TABLE it.revoked (ts timestamptz);
    INSERT INTO it.locked VALUES (now());
    INSERT INTO it.revoked VALUES (now());
    GRANT SELECT ON it.locked, it.dropped, it.revoked TO it_reader;
    DROP TABLE it.dropped;
    REVOKE SELECT ON it.revoked FROM it_reader;
  )");
  // Four connections: the two checks that hang hold one each for their whole budget.
  std::string config_text = ConfigText("15s");
  config_text.replace(config_text.find("max_connections: 2"), 18, "max_connections: 4");
  config_text +=
      R"(  - {name: locked, kind: lag, target: pipeline, table: it.locked, column: ts, timeout: 2s}
  - {name: slow, kind: query, target: pipeline, timeout: 2s, sql: "SELECT pg_sleep(30) IS NULL AS v",
     metrics: [{name: it_slow, value: v}]}
  - {name: dropped, kind: lag, target: pipeline, table: it.dropped, column: ts}
  - {name: revoked, kind: lag, target: pipeline, table: it.revoked, column: ts}
)";
  const std::string config = dir_.Write("faults.yml", config_text);

  pqxx::connection holder(Server().Dsn());
  pqxx::work lock(holder);
  lock.exec("LOCK TABLE it.locked IN ACCESS EXCLUSIVE MODE");
  const auto started = std::chrono::steady_clock::now();
  const auto [code, output] = RunProgram(
      {ExporterBinary(), "--once", "--output=json", "--log.level=error", "--config.file=" + config},
      Environment());
  const auto elapsed = std::chrono::steady_clock::now() - started;
  lock.abort();
  EXPECT_EQ(code, 3) << output;
  // The two 2 s budgets run side by side; nothing waits for a 30 s sleep or for the lock.
  EXPECT_LT(elapsed, std::chrono::milliseconds(4'500)) << output;

  const nlohmann::json report = nlohmann::json::parse(output.substr(output.find('{')));
  const std::map<std::string, std::pair<std::string, std::string>> failing = {
      {"locked", {"timeout", "55P03"}},
      {"slow", {"timeout", "57014"}},
      {"dropped", {"query", "42P01"}},
      {"revoked", {"query", "42501"}}};
  std::size_t seen = 0;
  for (const auto& check : report["checks"]) {
    const std::string name = check["name"];
    SCOPED_TRACE(name);
    ++seen;
    const auto expected = failing.find(name);
    if (expected == failing.end()) {
      EXPECT_EQ(check["success"], true) << check.dump();
      continue;
    }
    EXPECT_EQ(check["success"], false) << check.dump();
    EXPECT_EQ(check["error_reason"], expected->second.first) << check.dump();
    EXPECT_NE(check["error"].get<std::string>().find(expected->second.second), std::string::npos)
        << check.dump();
    const double budget = expected->second.first == "timeout" ? 2.0 : 3.0;
    EXPECT_LT(check["duration_seconds"].get<double>(), budget + 0.7) << check.dump();
  }
  EXPECT_EQ(seen, 9u);
  // Nothing the exporter ran is still waiting on the server.
  EXPECT_TRUE(WaitFor(
      [] {
        return Scalar(
                   "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                   "'freshness_exporter'") == 0;
      },
      std::chrono::seconds(5)));
}

// A file with content and a modification time given in New York local time.
void WriteArtifact(const std::filesystem::path& path, int y, unsigned m, unsigned d, int hour,
                   int minute = 0) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << "x\n";
  const auto local = date::local_days(date::year(y) / m / d) + std::chrono::hours(hour) +
                     std::chrono::minutes(minute);
  const auto utc = date::locate_zone("America/New_York")->to_sys(local);
  const timespec times[2] = {{0, UTIME_OMIT}, {std::chrono::system_clock::to_time_t(utc), 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

// Artifacts through the binary: `--once --at` replays schedules against the files' real
// modification times (a glob ignores matches written after the replayed instant), and the
// running exporter shows them on /metrics (one-hot states, the calendar's end) and the status page.
TEST_F(ExporterCliTest, ArtifactsReplayWithAtAndShowOnMetrics) {
  const std::filesystem::path root = dir_.path();
  WriteArtifact(root / "data/2026-07-02/signals.csv", 2026, 7, 2, 5, 50);  // Thursday
  WriteArtifact(root / "data/2026-07-06/signals.csv", 2026, 7, 6, 5, 50);  // Monday
  WriteArtifact(root / "parts/a/done.csv", 2026, 7, 6, 8);
  WriteArtifact(root / "parts/b/done.csv", 2026, 7, 8, 8);
  const std::string config = dir_.Write("artifacts.yml", R"(
global: {interval: 1s, timeout: 3s, timezone: America/New_York, labels: {env: it}}
calendars:
  xnys:
    timezone: America/New_York
    holidays: {2026-07-03: Independence Day (observed)}
    valid_through: 2099-12-31
checks:
  - {name: signals, kind: artifact, source: "data/{as_of:%Y-%m-%d}/signals.csv", calendar: xnys,
     grace: 30m, expect: {schedule: "0 6 * * mon-fri"}}
  - {name: parts, kind: artifact, source: "parts/*/done.csv", expect: {max_age: 26h}}
)");
  auto replay = [&](const std::string& at) {
    const auto [code, output] =
        RunProgram({ExporterBinary(), "--once", "--output=json", "--log.level=error", "--at=" + at,
                    "--config.file=" + config});
    std::map<std::string, nlohmann::json> by_name;
    const nlohmann::json report = nlohmann::json::parse(output.substr(output.find('{')));
    for (const auto& check : report["checks"]) by_name[check["name"]] = check;
    by_name["exit"] = code;
    return by_name;
  };
  auto missed_slots = [](const nlohmann::json& check) {
    for (const auto& sample : check["samples"]) {
      if (sample["metric"] == "freshness_artifact_missed_slots")
        return sample["value"].get<double>();
    }
    return -1.0;
  };

  // Monday 10:00: today's slot delivered; the glob's newest match by then is a/ (b/ came later).
  auto monday = replay("2026-07-06T10:00:00-04:00");
  EXPECT_EQ(monday["signals"]["state"], "fresh") << monday["signals"].dump();
  EXPECT_EQ(monday["parts"]["state"], "fresh") << monday["parts"].dump();
  EXPECT_EQ(monday["exit"], 0);
  // Monday 05:00: the slot in force is Thursday's (Friday a holiday, then the weekend), and
  // nothing under parts/ existed yet.
  auto early = replay("2026-07-06T05:00:00-04:00");
  EXPECT_EQ(early["signals"]["state"], "fresh") << early["signals"].dump();
  EXPECT_EQ(early["parts"]["state"], "missing") << early["parts"].dump();
  // What came later is named, not just "missing" (parts/b/done.csv, Wednesday 08:00 New York).
  EXPECT_EQ(early["parts"]["reason"],
            "missing: " + (root / "parts/*/done.csv").string() +
                ", not yet at this instant (modified 2026-07-08T12:00:00Z)")
      << early["parts"].dump();
  EXPECT_EQ(early["exit"], 1);
  // Tuesday 07:00: Tuesday's file is past its 06:30 deadline and absent: one missed slot.
  auto tuesday = replay("2026-07-07T07:00:00-04:00");
  EXPECT_EQ(tuesday["signals"]["state"], "missing") << tuesday["signals"].dump();
  EXPECT_EQ(missed_slots(tuesday["signals"]), 1.0) << tuesday["signals"].dump();

  const int port = FreePort();
  auto exporter = StartExporter(config, port, "info");
  ASSERT_TRUE(WaitUntilReady(port)) << exporter->Log();
  const std::string metrics = Get(port, "/metrics");
  for (const char* check : {"signals", "parts"}) {
    SCOPED_TRACE(check);
    double hot = 0;
    int states = 0;
    for (const char* state :
         {"fresh", "late", "stale", "missing", "probe_failed", "paused", "unknown"}) {
      const auto value = SampleValue(metrics, std::string("freshness_artifact_state{check=\"") +
                                                  check + "\",state=\"" + state + "\",env=\"it\"}");
      if (value) {
        ++states;
        hot += std::stod(*value);
      }
    }
    EXPECT_EQ(states, 7) << metrics;
    EXPECT_EQ(hot, 1.0);
  }
  // Now (long after July 2026) nothing new was written: both are overdue.
  EXPECT_EQ(
      SampleValue(metrics, "freshness_artifact_state{check=\"parts\",state=\"stale\",env=\"it\"}"),
      "1")
      << metrics;
  const auto valid_through = SampleValue(
      metrics, "freshness_calendar_valid_through_timestamp_seconds{calendar=\"xnys\",env=\"it\"}");
  ASSERT_TRUE(valid_through.has_value()) << metrics;
  EXPECT_NEAR(std::stod(*valid_through), 4102444800.0, 2 * 86400.0);  // around 2100-01-01
  const std::string page = Get(port, "/");
  EXPECT_NE(page.find(">signals<"), std::string::npos) << page;
  EXPECT_NE(page.find("stale"), std::string::npos) << page;
}

// --once exits with the worst verdict (0 ok, 1 warning, 2 critical, 3 failed) and 4 on invalid
// flags or configuration; --config.check keeps 0 / 1.
TEST_F(ExporterCliTest, OnceExitCodesFollowTheWorstVerdict) {
  const auto once = [&](const std::string& name, const std::string& checks) {
    const std::string config = dir_.Write(name, R"(
global: {interval: 15s, timeout: 3s}
targets:
  pipeline: {dsn_env: IT_READER_DSN}
checks:
)" + checks);
    return RunProgram({ExporterBinary(), "--once", "--log.level=error", "--config.file=" + config},
                      Environment());
  };
  const std::string ok_check =
      "  - {name: events, kind: lag, target: pipeline, table: it.events, column: ts, "
      "warn_after: 30m}\n";
  auto [ok_code, ok_output] = once("ok.yml", ok_check);
  EXPECT_EQ(ok_code, 0) << ok_output;
  EXPECT_NE(ok_output.find("events  lag         ok       lag "), std::string::npos) << ok_output;
  auto [warning_code, warning_output] =
      once("warning.yml", ok_check +
                              "  - {name: late, kind: lag, target: pipeline, table: it.events, "
                              "column: ts, warn_after: 30s, error_after: 1h}\n");
  EXPECT_EQ(warning_code, 1) << warning_output;
  EXPECT_NE(warning_output.find("> warn_after 30s"), std::string::npos) << warning_output;
  auto [critical_code, critical_output] =
      once("critical.yml", ok_check +
                               "  - {name: dups, kind: duplicates, target: pipeline, table: "
                               "it.execs, key: [recommendation_id], time_column: executed_at}\n");
  EXPECT_EQ(critical_code, 2) << critical_output;
  EXPECT_NE(critical_output.find("2 duplicated keys > error_above 0"), std::string::npos)
      << critical_output;
  auto [failed_code, failed_output] =
      once("failed.yml", ok_check +
                             "  - {name: gone, kind: lag, target: pipeline, table: it.nope, "
                             "column: ts, error_after: 1m}\n");
  EXPECT_EQ(failed_code, 3) << failed_output;
  EXPECT_NE(failed_output.find("failed   query: "), std::string::npos) << failed_output;

  auto [invalid_code, invalid_output] =
      once("invalid.yml", "  - {name: x, kind: lag, warn_afer: 1m}\n");
  EXPECT_EQ(invalid_code, 4) << invalid_output;
  EXPECT_NE(invalid_output.find("checks[0].warn_afer: unknown key (did you mean \"warn_after\"?)"),
            std::string::npos)
      << invalid_output;
  const std::string good = dir_.Write("good.yml", ConfigText("15s"));
  for (const std::vector<std::string>& flags : {std::vector<std::string>{"--once", "--output=xml"},
                                                {"--once", "--bogus"},
                                                {"--at=2026-07-06T10:00:00Z"},
                                                {"--once", "--at=yesterday"},
                                                {"--once", "--collector.workers=0"}}) {
    std::vector<std::string> arguments = {ExporterBinary(), "--config.file=" + good};
    arguments.insert(arguments.end(), flags.begin(), flags.end());
    const auto [code, output] = RunProgram(arguments, Environment());
    EXPECT_EQ(code, 4) << flags.back() << ": " << output;
  }
  const std::string invalid = dir_.path() + "/invalid.yml";
  EXPECT_EQ(RunProgram({ExporterBinary(), "--config.check", "--config.file=" + invalid}).first, 1);
  const auto [help_code, help] = RunProgram({ExporterBinary(), "--help"});
  EXPECT_EQ(help_code, 0) << help;
}

// --once --at evaluates artifacts as of the instant but runs no query: database checks are
// reported not_replayable and leave the exit code alone. The target points at a closed port,
// so any attempt to query would make the check fail.
TEST_F(ExporterCliTest, OnceAtReportsDatabaseChecksNotReplayable) {
  const std::filesystem::path root = dir_.path();
  WriteArtifact(root / "data/2026-07-06/signals.csv", 2026, 7, 6, 5, 50);
  const std::string config = dir_.Write("replay.yml", R"(
global: {timezone: America/New_York}
targets:
  nowhere: {dsn_env: IT_CLOSED_DSN}
checks:
  - {name: events, kind: lag, target: nowhere, table: it.events, column: ts}
  - {name: signals, kind: artifact, source: "data/{as_of:%Y-%m-%d}/signals.csv",
     expect: {schedule: "0 6 * * mon-fri"}, grace: 30m}
)");
  const auto [code, output] =
      RunProgram({ExporterBinary(), "--once", "--output=json", "--at=2026-07-06T10:00:00-04:00",
                  "--log.level=debug", "--config.file=" + config},
                 {{"IT_CLOSED_DSN", "host=127.0.0.1 port=" + std::to_string(FreePort()) +
                                        " user=nobody dbname=postgres connect_timeout=1"}});
  EXPECT_EQ(code, 0) << output;
  const nlohmann::json report = nlohmann::json::parse(output.substr(output.find('{')));
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& check : report["checks"]) by_name[check["name"]] = check;
  EXPECT_EQ(by_name["events"]["verdict"], "not_replayable") << output;
  EXPECT_EQ(by_name["events"]["reason"],
            "database checks cannot be evaluated as of a past instant");
  EXPECT_EQ(by_name["events"]["error"], nullptr);
  EXPECT_EQ(by_name["signals"]["verdict"], "ok") << output;
  EXPECT_EQ(by_name["signals"]["artifact"]["location"],
            (root / "data/2026-07-06/signals.csv").string());
  EXPECT_EQ(by_name["signals"]["artifact"]["partition"], "2026-07-06");
  EXPECT_EQ(output.find("check failed"), std::string::npos) << output;  // nothing was tried
}

TEST_F(ExporterCliTest, ConfigCheckWarnsAboutDsnsItCannotReadAndStillPasses) {
  const std::string config = dir_.Write("warn.yml", R"(targets:
  ready: {dsn_env: IT_READER_DSN}
  unset: {dsn_env: IT_NEVER_SET_DSN_VARIABLE}
  empty: {dsn_env: IT_EMPTY_DSN}
  secret: {dsn_file: secrets/missing-dsn}
checks:
  - {name: events, kind: lag, target: ready, table: it.events, column: ts}
)");
  std::map<std::string, std::string> environment = Environment();
  environment["IT_EMPTY_DSN"] = "";
  const auto [code, output] =
      RunProgram({ExporterBinary(), "--config.check", "--config.file=" + config}, environment);
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("OK (1 checks, 4 targets"), std::string::npos) << output;
  EXPECT_NE(output.find("warning: " + config +
                        ":3:3: targets.unset: environment variable IT_NEVER_SET_DSN_VARIABLE is "
                        "not set"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("warning: " + config +
                        ":4:3: targets.empty: environment variable IT_EMPTY_DSN is empty"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("warning: " + config + ":5:3: targets.secret: dsn_file " + dir_.path() +
                        "/secrets/missing-dsn does not exist"),
            std::string::npos)
      << output;
  EXPECT_EQ(output.find("targets.ready"), std::string::npos) << output;
  EXPECT_EQ(output.find(kPassword), std::string::npos);
}

// An incident in progress as operators see it: verdicts on the API and the status page
// (critical first), the declared thresholds on /metrics.
TEST_F(ExporterCliTest, StatusPageAndApiShowAnIncident) {
  // A one-off maintenance window around now, and active hours that are closed now.
  const auto now = std::chrono::system_clock::now();
  const auto rfc3339 = [](std::chrono::system_clock::time_point time) {
    return date::format("%FT%TZ", date::floor<std::chrono::seconds>(time));
  };
  const int closed_hour = static_cast<int>(
      (std::chrono::duration_cast<std::chrono::hours>(now.time_since_epoch()).count() + 2) % 24);
  char closed_hours[32];
  std::snprintf(closed_hours, sizeof closed_hours, "%02d:00-%02d:00", closed_hour, closed_hour + 1);
  const std::string config = dir_.Write("incident.yml", R"(
global: {interval: 1s, timeout: 3s, timezone: UTC, labels: {env: it}}
targets:
  pipeline: {dsn_env: IT_READER_DSN}
checks:
  - {name: events_ok, kind: lag, target: pipeline, table: it.events, column: ts, warn_after: 30m}
  - {name: events_warning, kind: lag, target: pipeline, table: it.events, column: ts,
     warn_after: 1m, error_after: 1h}
  - {name: events_critical, kind: lag, target: pipeline, table: it.events, column: ts,
     warn_after: 30s, error_after: 1m}
  - {name: gone, kind: lag, target: pipeline, table: it.nope, column: ts}
  - {name: executions, kind: duplicates, target: pipeline, table: it.execs,
     key: [recommendation_id], time_column: executed_at}
  - {name: signals, kind: artifact, source: "signals/{as_of:%Y-%m-%d}/signals.csv",
     expect: {schedule: "0 0 * * *"}, error_on: [missing]}
  - {name: pnl, kind: query, target: pipeline, sql: "SELECT account, pnl FROM it.pnl",
     metrics: [{name: it_daily_pnl, value: pnl, labels: [account], warn_below: -100,
                error_below: -1000}]}
  - {name: resting, kind: lag, target: pipeline, table: it.events, column: ts, error_after: 1m,
     maintenance: [{start: ")" + rfc3339(now - std::chrono::hours(1)) +
                                                            R"(", end: ")" +
                                                            rfc3339(now + std::chrono::hours(1)) +
                                                            R"("}]}
  - {name: closed, kind: lag, target: pipeline, table: it.events, column: ts, error_after: 1m,
     active: {hours: ")" + closed_hours + R"(", timezone: UTC}}
)");
  const int port = FreePort();
  auto exporter = StartExporter(config, port, "info");
  ASSERT_TRUE(WaitUntilReady(port)) << exporter->Log();
  const nlohmann::json api = nlohmann::json::parse(Get(port, "/api/v1/checks"));
  std::map<std::string, nlohmann::json> by_name;
  std::vector<std::string> config_order;
  for (const auto& check : api["checks"]) {
    by_name[check["name"]] = check;
    config_order.push_back(check["name"]);
  }
  EXPECT_EQ(config_order,
            (std::vector<std::string>{"events_ok", "events_warning", "events_critical", "gone",
                                      "executions", "signals", "pnl", "resting", "closed"}));
  EXPECT_EQ(by_name["events_ok"]["verdict"], "ok");
  EXPECT_EQ(by_name["events_warning"]["verdict"], "warning");
  EXPECT_EQ(by_name["events_critical"]["verdict"], "critical");
  EXPECT_NE(by_name["events_critical"]["reason"].get<std::string>().find("> error_after 1m"),
            std::string::npos);
  EXPECT_EQ(by_name["events_critical"]["thresholds"],
            nlohmann::json({{"warn_after", 30}, {"error_after", 60}, {"for", 0}}));
  EXPECT_EQ(by_name["gone"]["verdict"], "failed");
  EXPECT_NE(by_name["gone"]["reason"].get<std::string>().find("42P01"), std::string::npos)
      << by_name["gone"].dump();
  EXPECT_EQ(by_name["executions"]["verdict"], "critical");
  EXPECT_EQ(by_name["executions"]["reason"], "2 duplicated keys > error_above 0");
  EXPECT_EQ(by_name["executions"]["worst"]["value"], 2);
  EXPECT_EQ(by_name["signals"]["verdict"], "critical");
  EXPECT_EQ(by_name["signals"]["state"], "missing");
  EXPECT_EQ(by_name["signals"]["artifact"]["partition"].get<std::string>().size(), 10u);
  EXPECT_EQ(by_name["pnl"]["verdict"], "warning");
  EXPECT_EQ(by_name["pnl"]["reason"], "it_daily_pnl{account=\"A1\"} -125.5 < warn_below -100");
  EXPECT_EQ(by_name["pnl"]["worst"],
            nlohmann::json({{"labels", {{"account", "A1"}}}, {"value", -125.5}}));
  EXPECT_EQ(by_name["resting"]["verdict"], "maintenance");
  EXPECT_EQ(by_name["resting"]["healthy"], true);
  EXPECT_EQ(by_name["closed"]["verdict"], "inactive");

  const std::string page = Get(port, "/");
  std::vector<std::size_t> positions;
  for (const char* name :
       {"events_critical", "executions", "signals", "gone", "events_warning", "events_ok"}) {
    positions.push_back(page.find(std::string(">") + name + "<"));
    EXPECT_NE(positions.back(), std::string::npos) << name;
  }
  EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end())) << page;
  for (const char* count :
       {">3 critical<", ">1 failed<", ">2 warning<", ">1 ok<", ">1 maintenance<", ">1 inactive<"}) {
    EXPECT_NE(page.find(count), std::string::npos) << count;
  }

  const std::string metrics = Get(port, "/metrics");
  const auto [promtool_code, promtool_output] =
      RunProgram({"promtool", "check", "metrics"}, {}, metrics);
  EXPECT_EQ(promtool_code, 0) << promtool_output;
  EXPECT_EQ(SampleValue(metrics,
                        "freshness_check_threshold{check=\"events_critical\",metric="
                        "\"freshness_lag_seconds\",severity=\"critical\",env=\"it\"}"),
            "60");
  EXPECT_EQ(SampleValue(metrics,
                        "freshness_artifact_state_severity{check=\"signals\",severity="
                        "\"critical\",state=\"missing\",env=\"it\"}"),
            "1");
  EXPECT_EQ(SampleValue(metrics, "freshness_check_active_for_seconds{check=\"gone\",env=\"it\"}"),
            "+Inf");
  EXPECT_EQ(SampleValue(metrics, "freshness_check_active_for_seconds{check=\"closed\",env=\"it\"}"),
            "0");
  EXPECT_EQ(SampleValue(metrics, "freshness_check_maintenance{check=\"resting\",env=\"it\"}"), "1");
  EXPECT_EQ(SampleValue(metrics, "freshness_check_maintenance{check=\"gone\",env=\"it\"}"), "0");
  EXPECT_EQ(SampleValue(metrics,
                        "freshness_query_threshold{check=\"pnl\",direction=\"below\","
                        "metric=\"it_daily_pnl\",severity=\"critical\",env=\"it\"}"),
            "-1000");
  const std::string today =
      date::format("%F", date::floor<date::days>(std::chrono::system_clock::now()));
  EXPECT_EQ(SampleValue(metrics, "freshness_artifact_slot_info{check=\"signals\",location=\"" +
                                     dir_.path() + "/signals/" + today +
                                     "/signals.csv\",partition=\"" + today + "\",env=\"it\"}"),
            "1")
      << metrics;
  EXPECT_EQ(SampleValue(metrics,
                        "freshness_check_info{check=\"gone\",kind=\"lag\",target="
                        "\"pipeline\",mode=\"enforce\",env=\"it\"}"),
            "1");
  EXPECT_EQ(metrics.find("severity=\"warning\",env=\"it\"} 1\nfreshness_check_info"),
            std::string::npos);

  const auto [code, output] = RunProgram(
      {ExporterBinary(), "--once", "--log.level=error", "--config.file=" + config}, Environment());
  EXPECT_EQ(code, 3) << output;  // gone failed to run: 3 wins over critical
}

// A lag group the query stops returning stays on /metrics (its lag growing) and survives a
// reload; forget_after: off drops it at the next collection.
TEST_F(ExporterCliTest, RememberedLagGroupsSurviveAReload) {
  Server().Execute(R"(
    DROP TABLE IF EXISTS it.lanes;
    CREATE TABLE it.lanes (lane text, ts timestamptz);
    INSERT INTO it.lanes VALUES ('a', now()), ('b', now() - interval '1 minute');
    GRANT SELECT ON it.lanes TO it_reader;
  )");
  const auto config_text = [](const std::string& extra) {
    return R"(
global: {interval: 1s, timeout: 3s, labels: {env: it}}
targets:
  pipeline: {dsn_env: IT_READER_DSN}
checks:
  - {name: lanes, kind: lag, target: pipeline, table: it.lanes, column: ts, group_by: [lane])" +
           extra + "}\n";
  };
  const std::string config = dir_.Write("lanes.yml", config_text(""));
  const int port = FreePort();
  auto exporter = StartExporter(config, port, "info");
  ASSERT_TRUE(WaitUntilReady(port)) << exporter->Log();
  const std::string lane_b = "freshness_lag_seconds{check=\"lanes\",lane=\"b\",env=\"it\"}";
  ASSERT_TRUE(SampleValue(Get(port, "/metrics"), lane_b).has_value());
  Server().Execute("DELETE FROM it.lanes WHERE lane = 'b'");
  const auto collections = [&] {
    return std::stod(SampleValue(Get(port, "/metrics"),
                                 "freshness_check_collections_total{check=\"lanes\",env=\"it\"}")
                         .value_or("0"));
  };
  const double seen = collections();
  ASSERT_TRUE(WaitFor([&] { return collections() >= seen + 2; }, std::chrono::seconds(10)));
  const std::optional<std::string> remembered = SampleValue(Get(port, "/metrics"), lane_b);
  ASSERT_TRUE(remembered.has_value()) << "lane b was forgotten at once";
  EXPECT_GT(std::stod(*remembered), 60);

  exporter->Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return exporter->Log().find("config reloaded") != std::string::npos; },
                      std::chrono::seconds(10)));
  ASSERT_TRUE(WaitFor([&] { return collections() >= 1; }, std::chrono::seconds(10)));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_TRUE(SampleValue(Get(port, "/metrics"), lane_b).has_value()) << "lost on reload";

  dir_.Write("lanes.yml", config_text(", forget_after: off"));
  exporter->Signal(SIGHUP);
  EXPECT_TRUE(WaitFor([&] { return !SampleValue(Get(port, "/metrics"), lane_b).has_value(); },
                      std::chrono::seconds(10)));
  EXPECT_TRUE(SampleValue(Get(port, "/metrics"),
                          "freshness_lag_seconds{check=\"lanes\",lane=\"a\",env=\"it\"}")
                  .has_value());
}

TEST_F(ExporterCliTest, AReloadThatRemovesATargetClosesItsConnections) {
  const auto config_text = [](bool with_audit) {
    std::string text = R"(
global: {interval: 1s, timeout: 3s}
targets:
  pipeline: {dsn_env: IT_READER_DSN, max_connections: 1}
)";
    if (with_audit) text += "  audit: {dsn_env: IT_READER_DSN, max_connections: 1}\n";
    text += R"(checks:
  - {name: events, kind: lag, target: pipeline, table: it.events, column: ts}
)";
    if (with_audit) {
      text += "  - {name: audit_events, kind: lag, target: audit, table: it.events, column: ts}\n";
    }
    return text;
  };
  const std::string config = dir_.Write("targets.yml", config_text(true));
  const int port = FreePort();
  auto exporter = StartExporter(config, port, "info");
  ASSERT_TRUE(WaitUntilReady(port)) << exporter->Log();
  const auto connections = [] {
    return Scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE usename = 'it_reader' AND "
        "application_name = 'freshness_exporter'");
  };
  const auto threads = [&] {
    return std::distance(
        std::filesystem::directory_iterator("/proc/" + std::to_string(exporter->pid()) + "/task"),
        std::filesystem::directory_iterator());
  };
  ASSERT_TRUE(WaitFor([&] { return connections() == 2; }, std::chrono::seconds(10)))
      << "each target holds one connection: " << connections();
  const auto threads_before = threads();

  dir_.Write("targets.yml", config_text(false));
  exporter->Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return exporter->Log().find("config reloaded") != std::string::npos; },
                      std::chrono::seconds(10)));
  // Within one cycle (1 s) and the server noticing the closed socket.
  EXPECT_TRUE(WaitFor([&] { return connections() == 1; }, std::chrono::seconds(5)))
      << "the removed target's connection is still open: " << connections();
  EXPECT_LT(threads(), threads_before) << "the removed target's watchdog thread still runs";
  // The check that stays keeps its success through the reload, before its next run too.
  EXPECT_NE(Get(port, "/metrics").find("freshness_check_success{check=\"events\"} 1"),
            std::string::npos)
      << "success blinked to 0 on the reload";
}

// --config.check --check.connect: tables of their own, read by it_reader, some of them
// unreadable or without an index.
class PreflightTest : public ExporterCliTest {
 protected:
  void SetUp() override {
    Server().Execute(R"(
      DROP SCHEMA IF EXISTS pf CASCADE;
      DROP SCHEMA IF EXISTS pf_private CASCADE;
      CREATE SCHEMA pf;
      CREATE TABLE pf.ticks (ticker text, ts timestamptz, note text);
      INSERT INTO pf.ticks SELECT 'T' || (g % 3), now() - g * interval '1 minute', 'n'
        FROM generate_series(1, 300) g;
      CREATE INDEX ticks_ticker_ts ON pf.ticks (ticker, ts);
      CREATE INDEX ticks_ts ON pf.ticks (ts);
      CREATE TABLE pf.runs (started_at timestamptz, finished_at timestamptz);
      CREATE INDEX runs_started_at ON pf.runs (started_at);
      CREATE TABLE pf.execs (recommendation_id int, executed_at timestamptz);
      CREATE INDEX execs_executed_at ON pf.execs (executed_at);
      CREATE TABLE pf.unindexed (ts timestamptz);
      CREATE TABLE pf.secret (ts timestamptz);
      CREATE INDEX secret_ts ON pf.secret (ts);
      CREATE SCHEMA pf_private;
      CREATE TABLE pf_private.t (ts timestamptz);
      GRANT USAGE ON SCHEMA pf TO it_reader;
      GRANT SELECT ON pf.ticks, pf.runs, pf.execs, pf.unindexed TO it_reader;
      GRANT SELECT ON pf_private.t TO it_reader;
    )");
  }

  std::pair<int, std::string> Preflight(const std::string& config_text,
                                        std::map<std::string, std::string> environment) {
    config_ = dir_.Write("freshness.yml", config_text);
    return RunProgram(
        {ExporterBinary(), "--config.check", "--check.connect", "--config.file=" + config_},
        environment);
  }

  // "file:line:column" of the first occurrence of `needle` in `text`, 1-based.
  std::string PositionOf(const std::string& text, const std::string& needle) const {
    const std::size_t at = text.find(needle);
    EXPECT_NE(at, std::string::npos) << needle;
    const std::size_t line_start = text.rfind('\n', at);
    const long line = std::count(text.begin(), text.begin() + static_cast<long>(at), '\n') + 1;
    const std::size_t column = line_start == std::string::npos ? at + 1 : at - line_start;
    return config_ + ":" + std::to_string(line) + ":" + std::to_string(column);
  }

  std::string config_;
};

constexpr const char* kPreflightGood = R"(targets:
  pipeline: {dsn_env: IT_READER_DSN}
checks:
  - {name: ticks, kind: lag, target: pipeline, table: pf.ticks, column: ts, group_by: [ticker]}
  - {name: newest_tick, kind: lag, target: pipeline, table: pf.ticks, column: ts, where: "note = 'n'"}
  - {name: runs, kind: runs, target: pipeline, table: pf.runs, started_column: started_at,
     finished_column: finished_at, window: 2h, max_duration: 1h}
  - {name: execs, kind: duplicates, target: pipeline, table: pf.execs, key: [recommendation_id],
     time_column: executed_at}
  - {name: pnl, kind: query, target: pipeline, sql: "SELECT count(*) AS n FROM pf.runs",
     metrics: [{name: pf_runs, value: n}]}
)";

TEST_F(PreflightTest, AllChecksOkExitsZeroAndNamesTheirIndexes) {
  const auto [code, output] = Preflight(kPreflightGood, Environment());
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("OK   check ticks: index pf.ticks_ticker_ts (loose index scan over 3 "
                        "groups)\n"),
            std::string::npos)
      << output;
  // Small tables: the planner may scan them, the index is still named.
  EXPECT_NE(output.find("OK   check newest_tick: index pf.ticks_ts"), std::string::npos) << output;
  EXPECT_NE(output.find("OK   check runs: index pf.runs_started_at"), std::string::npos) << output;
  EXPECT_NE(output.find("OK   check execs: index pf.execs_executed_at"), std::string::npos)
      << output;
  EXPECT_NE(output.find("OK   check pnl: custom sql plans"), std::string::npos) << output;
  EXPECT_EQ(output.find("FAIL"), std::string::npos) << output;
  EXPECT_EQ(output.find(kPassword), std::string::npos);
}

TEST_F(PreflightTest, ASmallTableForItsGroupsIsNamedAsReadWhole) {
  Server().Execute(R"(
      CREATE TABLE pf.lanes (lane text NOT NULL, ts timestamptz NOT NULL);
      INSERT INTO pf.lanes SELECT 'L' || (g % 30), now() - g * interval '1 minute'
        FROM generate_series(1, 90) g;
      CREATE INDEX lanes_lane_ts ON pf.lanes (lane, ts);
      ANALYZE pf.lanes;
      GRANT SELECT ON pf.lanes TO it_reader;
    )");
  const auto [code, output] = Preflight(R"(targets:
  pipeline: {dsn_env: IT_READER_DSN}
checks:
  - {name: lanes, kind: lag, target: pipeline, table: pf.lanes, column: ts, group_by: [lane]}
)",
                                        Environment());
  EXPECT_EQ(code, 0) << output;
  // 90 rows in 30 groups: 3 per group, under 32, so GROUP BY reads them; the index is named.
  EXPECT_NE(output.find("OK   check lanes: index pf.lanes_lane_ts (table small for now: about 90 "
                        "rows in 30 groups, read whole with GROUP BY; the loose index scan takes "
                        "over from 32 rows per group)\n"),
            std::string::npos)
      << output;
}

TEST_F(PreflightTest, UnsetDsnVariableFailsTheTargetWithExitTwo) {
  const auto [code, output] = Preflight(kPreflightGood, {});
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("FAIL target pipeline (" + PositionOf(kPreflightGood, "IT_READER_DSN") +
                        ", key dsn_env): environment variable IT_READER_DSN is not set; fix: "
                        "export IT_READER_DSN="),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("FAIL check ticks ("), std::string::npos) << output;
  EXPECT_EQ(output.find("OK "), std::string::npos) << output;
  // A wrong password is a target failure too, and says where the DSN comes from.
  std::map<std::string, std::string> wrong = {
      {"IT_READER_DSN", Server().Dsn("postgres", "it_reader", "not-the-password")}};
  const auto [auth_code, auth_output] = Preflight(kPreflightGood, wrong);
  EXPECT_EQ(auth_code, 2) << auth_output;
  EXPECT_NE(auth_output.find("password authentication failed for user \"it_reader\"; fix: correct "
                             "the user or password of the DSN in environment variable "
                             "IT_READER_DSN"),
            std::string::npos)
      << auth_output;
  EXPECT_EQ(auth_output.find("not-the-password"), std::string::npos);
}

TEST_F(PreflightTest, WrongColumnNamesTheKeyAndItsPosition) {
  const std::string text = R"(targets:
  pipeline: {dsn_env: IT_READER_DSN}
checks:
  - {name: ticks, kind: lag, target: pipeline, table: pf.ticks, column: tstamp, group_by: [ticker]}
  - {name: by_note, kind: lag, target: pipeline, table: pf.ticks, column: note}
  - {name: runs, kind: runs, target: pipeline, table: pf.runs, started_column: started_at,
     finished_column: finished_at, window: 2h, max_duration: 1h}
  - {name: typo, kind: runs, target: pipeline, table: pf.runs, started_column: startd_at,
     finished_column: finished_at, window: 2h, max_duration: 1h}
)";
  const auto [code, output] = Preflight(text, Environment());
  EXPECT_EQ(code, 3) << output;
  EXPECT_NE(output.find("FAIL check ticks (" + PositionOf(text, "tstamp") +
                        ", key column): column \"tstamp\" does not exist in pf.ticks; fix: name "
                        "one of its time columns: ts\n"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("FAIL check typo (" + PositionOf(text, "startd_at") +
                        ", key started_column): column \"startd_at\" does not exist in pf.runs; "
                        "fix: did you mean \"started_at\"?\n"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("FAIL check by_note (" + PositionOf(text, "note}") +
                        ", key column): column \"note\" of pf.ticks is text, not timestamp, "
                        "timestamptz or date"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("OK   check runs: index pf.runs_started_at"), std::string::npos) << output;
}

TEST_F(PreflightTest, FailedWhenAndVolumeChecksArePlannedToo) {
  Server().Execute(R"(
    CREATE TABLE pf.ledger (started_at timestamptz, finished_at timestamptz, status text);
    CREATE INDEX ledger_started_at ON pf.ledger (started_at);
    GRANT SELECT ON pf.ledger TO it_reader;
  )");
  const std::string text = R"(targets:
  pipeline: {dsn_env: IT_READER_DSN}
checks:
  - {name: ledger, kind: runs, target: pipeline, table: pf.ledger, started_column: started_at,
     finished_column: finished_at, window: 2h, max_duration: 1h, failed_when: "status = 'failed'"}
  - {name: not_boolean, kind: runs, target: pipeline, table: pf.ledger, started_column: started_at,
     finished_column: finished_at, window: 2h, max_duration: 1h, failed_when: "status"}
  - {name: no_column, kind: runs, target: pipeline, table: pf.ledger, started_column: started_at,
     finished_column: finished_at, window: 2h, max_duration: 1h, failed_when: "error IS NOT NULL"}
  - {name: tick_volume, kind: volume, target: pipeline, table: pf.ticks, time_column: ts,
     period: 1h, expect: {days_ago: 1}}
  - {name: unindexed_volume, kind: volume, target: pipeline, table: pf.unindexed, time_column: ts,
     period: 1h, expect: {rows: 100}}
)";
  const auto [code, output] = Preflight(text, Environment());
  EXPECT_EQ(code, 3) << output;
  EXPECT_NE(output.find("OK   check ledger: index pf.ledger_started_at"), std::string::npos)
      << output;
  EXPECT_NE(output.find("FAIL check not_boolean (" + PositionOf(text, "\"status\"}") +
                        ", key failed_when): the failed_when statement does not plan: "),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("FAIL check no_column (" + PositionOf(text, "\"error IS") +
                        ", key failed_when): the failed_when statement does not plan: "),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("OK   check tick_volume: index pf.ticks_ts"), std::string::npos) << output;
  EXPECT_NE(output.find("WARN check unindexed_volume ("), std::string::npos) << output;
  EXPECT_NE(output.find("CREATE INDEX ON pf.unindexed (ts)"), std::string::npos) << output;
  EXPECT_EQ(output.find("SKIP"), std::string::npos) << output;
}

TEST_F(PreflightTest, UnreadableTableOrSchemaPrintsTheGrant) {
  const std::string text = R"(targets:
  pipeline: {dsn_env: IT_READER_DSN}
checks:
  - {name: secret, kind: lag, target: pipeline, table: pf.secret, column: ts}
  - {name: private, kind: lag, target: pipeline, table: pf_private.t, column: ts}
  - {name: missing, kind: lag, target: pipeline, table: pf.nowhere, column: ts}
)";
  const auto [code, output] = Preflight(text, Environment());
  EXPECT_EQ(code, 3) << output;
  EXPECT_NE(output.find("FAIL check secret (" + PositionOf(text, "pf.secret") +
                        ", key table): role it_reader cannot SELECT pf.secret (column ts); fix: "
                        "GRANT SELECT ON pf.secret TO it_reader\n"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("FAIL check private (" + PositionOf(text, "pf_private.t") +
                        ", key table): role it_reader has no USAGE on schema pf_private; fix: "
                        "GRANT USAGE ON SCHEMA pf_private TO it_reader\n"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("FAIL check missing (" + PositionOf(text, "pf.nowhere") +
                        ", key table): table pf.nowhere does not exist"),
            std::string::npos)
      << output;
}

TEST_F(PreflightTest, MissingIndexIsAWarningWithTheIndexToCreate) {
  const std::string text = R"(targets:
  pipeline: {dsn_env: IT_READER_DSN}
checks:
  - {name: plain, kind: lag, target: pipeline, table: pf.unindexed, column: ts}
  - {name: notes, kind: lag, target: pipeline, table: pf.ticks, column: ts, group_by: [note]}
)";
  const auto [code, output] = Preflight(text, Environment());
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("WARN check plain (" + PositionOf(text, "ts}") +
                        ", key column): no index: every collection reads the whole of "
                        "pf.unindexed; fix: CREATE INDEX ON pf.unindexed (ts)\n"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("WARN check notes (" + PositionOf(text, "[note]") +
                        ", key group_by): no index on (note, ts) for a loose index scan: every "
                        "collection reads the whole table; fix: CREATE INDEX ON pf.ticks (note, "
                        "ts)\n"),
            std::string::npos)
      << output;
}

// The same mistakes at run time: the error names the check, the target, the table and the fix.
TEST_F(PreflightTest, RunTimeDatabaseErrorsNameTheCheckTableAndFix) {
  const std::string text = R"(targets:
  pipeline: {dsn_env: IT_READER_DSN}
checks:
  - {name: ticks, kind: lag, target: pipeline, table: pf.ticks, column: tstamp}
  - {name: secret, kind: lag, target: pipeline, table: pf.secret, column: ts}
  - {name: private, kind: lag, target: pipeline, table: pf_private.t, column: ts}
  - {name: missing, kind: lag, target: pipeline, table: pf.nowhere, column: ts}
)";
  config_ = dir_.Write("freshness.yml", text);
  const auto [code, output] = RunProgram(
      {ExporterBinary(), "--once", "--output=json", "--config.file=" + config_}, Environment());
  EXPECT_EQ(code, 3) << output;
  const std::size_t json_start = output.find('{');
  ASSERT_NE(json_start, std::string::npos) << output;
  const nlohmann::json document = nlohmann::json::parse(output.substr(json_start), nullptr, false);
  ASSERT_FALSE(document.is_discarded()) << output;
  std::map<std::string, std::string> errors;
  for (const nlohmann::json& check : document["checks"]) {
    errors[check["name"]] = check["error"].is_string() ? check["error"].get<std::string>() : "";
  }
  EXPECT_EQ(errors["ticks"],
            "check \"ticks\", target \"pipeline\": SQLSTATE 42703: column \"tstamp\" does not "
            "exist in pf.ticks; fix: correct the column key of the check (freshness_exporter "
            "--config.check --check.connect lists the table's columns)");
  EXPECT_EQ(errors["secret"],
            "check \"secret\", target \"pipeline\": SQLSTATE 42501: permission denied for table "
            "secret; fix: GRANT SELECT ON pf.secret TO it_reader");
  EXPECT_EQ(errors["private"],
            "check \"private\", target \"pipeline\": SQLSTATE 42501: permission denied for schema "
            "pf_private (reading pf_private.t); fix: GRANT USAGE ON SCHEMA pf_private TO "
            "it_reader");
  EXPECT_NE(errors["missing"].find("SQLSTATE 42P01: relation \"pf.nowhere\" does not exist; fix: "
                                   "correct the table key"),
            std::string::npos)
      << errors["missing"];
}

}  // namespace
}  // namespace freshness::testing
