#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "collector/collector.h"
#include "collector/exposition.h"
#include "http/web_server.h"
#include "log/logger.h"
#include "util/clock.h"

namespace freshness {

// The one place a target becomes a database: a PostgreSQL pool that connects lazily (building it
// costs nothing until a check runs). The server, --once and the preflight all open theirs here.
std::shared_ptr<Database> OpenDatabase(const TargetConfig& target);
// Every target of `config`, for a run that owns its pools (--once).
DatabaseMap OpenDatabases(const Config& config);

struct AppOptions {
  std::string config_file;
  WebOptions web;
  int workers = 8;
};

// Owns the running config: its collector, the database pools, the web server and reloads.
// A reload builds a whole new collector from a fully validated file and swaps it in; a bad
// file leaves the running one untouched.
class ExporterApp {
 public:
  ExporterApp(AppOptions options, Logger& logger, const Clock& clock);
  ~ExporterApp();
  ExporterApp(const ExporterApp&) = delete;
  ExporterApp& operator=(const ExporterApp&) = delete;

  // Loads the config and starts collecting; throws ConfigError.
  void Start();
  // Starts the web server; throws std::runtime_error if it cannot listen.
  void Serve();
  void Stop();
  // Reloads the config file; returns (ok, message). Thread-safe.
  std::pair<bool, std::string> Reload();

  std::string RenderMetrics() const;
  bool Ready() const;
  std::string RenderStatusPage() const;
  std::string RenderChecksJson() const;
  int port() const { return server_ ? server_->port() : 0; }

 private:
  std::shared_ptr<Collector> Current() const;
  DatabaseMap DatabasesFor(const Config& config);
  std::shared_ptr<Collector> Build(const std::shared_ptr<const Config>& config);

  AppOptions options_;
  Logger& logger_;
  const Clock& clock_;

  mutable std::mutex mutex_;  // guards current_ and reload_status_
  std::shared_ptr<Collector> current_;
  ReloadStatus reload_status_;

  std::mutex reload_mutex_;  // one reload at a time
  struct PooledDatabase {
    std::string identity;  // dsn source and pool size; a change opens a new pool
    std::shared_ptr<Database> database;
  };
  std::map<std::string, PooledDatabase> databases_;
  std::unique_ptr<WebServer> server_;
};

}  // namespace freshness
