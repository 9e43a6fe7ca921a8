#include "app/exporter_app.h"

#include "app/check_report.h"
#include "db/postgres_database.h"
#include "loader/config_loader.h"

namespace freshness {

std::shared_ptr<Database> OpenDatabase(const TargetConfig& target) {
  return std::make_shared<PostgresDatabase>(target);
}

DatabaseMap OpenDatabases(const Config& config) {
  DatabaseMap out;
  for (const auto& [name, target] : config.targets) out[name] = OpenDatabase(target);
  return out;
}

ExporterApp::ExporterApp(AppOptions options, Logger& logger, const Clock& clock)
    : options_(std::move(options)), logger_(logger), clock_(clock) {}

ExporterApp::~ExporterApp() { Stop(); }

DatabaseMap ExporterApp::DatabasesFor(const Config& config) {
  DatabaseMap out;
  for (const auto& [name, target] : config.targets) {
    const std::string identity =
        target.dsn_env + "\n" + target.dsn_file + "\n" + std::to_string(target.max_connections);
    auto found = databases_.find(name);
    if (found == databases_.end() || found->second.identity != identity) {
      databases_[name] = PooledDatabase{identity, OpenDatabase(target)};
    }
    out[name] = databases_[name].database;
  }
  // A target the config no longer has is dropped here: its pool (connections and watchdog
  // thread) closes once the previous collector, which still holds it, is stopped and released.
  for (auto it = databases_.begin(); it != databases_.end();) {
    it = config.targets.count(it->first) ? std::next(it) : databases_.erase(it);
  }
  return out;
}

std::shared_ptr<Collector> ExporterApp::Build(const std::shared_ptr<const Config>& config) {
  Collector::Options collector_options;
  collector_options.workers = options_.workers;
  return std::make_shared<Collector>(config, DatabasesFor(*config), clock_, logger_,
                                     collector_options);
}

void ExporterApp::Start() {
  auto config = std::make_shared<const Config>(LoadConfigFile(options_.config_file));
  std::shared_ptr<Collector> collector = Build(config);
  collector->Start();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = collector;
    reload_status_ = ReloadStatus{true, ToUnixSeconds(clock_.Now())};
  }
  logger_.Info("config loaded", {{"file", options_.config_file},
                                 {"checks", std::to_string(config->checks.size())},
                                 {"targets", std::to_string(config->targets.size())}});
}

void ExporterApp::Serve() {
  WebRoutes routes;
  routes.metrics = [this] { return RenderMetrics(); };
  routes.ready = [this] { return Ready(); };
  routes.reload = [this] { return Reload(); };
  routes.status_page = [this] { return RenderStatusPage(); };
  routes.checks_json = [this] { return RenderChecksJson(); };
  server_ = std::make_unique<WebServer>(options_.web, std::move(routes), logger_);
  server_->Start();
}

void ExporterApp::Stop() {
  if (server_) server_->Stop();
  std::shared_ptr<Collector> collector;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    collector = current_;
  }
  if (collector) collector->Stop();
}

std::pair<bool, std::string> ExporterApp::Reload() {
  std::lock_guard<std::mutex> reload_lock(reload_mutex_);
  std::shared_ptr<const Config> config;
  try {
    config = std::make_shared<const Config>(LoadConfigFile(options_.config_file));
  } catch (const std::exception& error) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      reload_status_.last_reload_successful = false;
    }
    logger_.Error("reload failed, keeping the running config", {{"err", error.what()}});
    return {false, std::string("reload failed, keeping the running config: ") + error.what()};
  }
  std::shared_ptr<Collector> next = Build(config);
  std::shared_ptr<Collector> previous = Current();
  if (previous) next->AdoptStates(*previous);
  next->Start();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = next;
    reload_status_ = ReloadStatus{true, ToUnixSeconds(clock_.Now())};
  }
  // Scrapes already see the new collector; the old one finishes its runs in progress.
  if (previous) previous->Stop();
  logger_.Info("config reloaded",
               {{"file", options_.config_file}, {"checks", std::to_string(config->checks.size())}});
  return {true, "config reloaded: " + std::to_string(config->checks.size()) + " checks"};
}

std::shared_ptr<Collector> ExporterApp::Current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

std::string ExporterApp::RenderMetrics() const {
  std::shared_ptr<Collector> collector;
  ReloadStatus status;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    collector = current_;
    status = reload_status_;
  }
  if (!collector) return "";
  return RenderExposition(*collector, status, clock_.Now());
}

bool ExporterApp::Ready() const {
  std::shared_ptr<Collector> collector = Current();
  return collector && collector->FirstCollectionDone();
}

std::string ExporterApp::RenderStatusPage() const {
  std::shared_ptr<Collector> collector;
  bool reload_ok = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    collector = current_;
    reload_ok = reload_status_.last_reload_successful;
  }
  if (!collector) return "<html><body>No configuration loaded.</body></html>";
  const TimePoint now = clock_.Now();
  return ReportsToHtml(BuildReports(*collector, now), now, options_.config_file, reload_ok);
}

std::string ExporterApp::RenderChecksJson() const {
  std::shared_ptr<Collector> collector = Current();
  if (!collector) return "{\"checks\":[]}";
  const TimePoint now = clock_.Now();
  return ReportsToJson(BuildReports(*collector, now, ReportOptions{true, false}), now)
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace freshness
