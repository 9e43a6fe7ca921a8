#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "http/web_config.h"
#include "log/logger.h"

namespace httplib {
class Server;
}

namespace freshness {

// What the endpoints serve; the app supplies them.
struct WebRoutes {
  std::function<std::string()> metrics;
  std::function<bool()> ready;
  std::function<std::pair<bool, std::string>()> reload;
  std::function<std::string()> status_page;
  std::function<std::string()> checks_json;
};

struct WebOptions {
  std::string listen_address = ":9560";
  std::string telemetry_path = "/metrics";
  std::string web_config_file;  // empty: plain HTTP, no auth
};

// "host:port", ":port" or "[v6]:port"; throws std::invalid_argument.
std::pair<std::string, int> ParseListenAddress(const std::string& address);

// Serves /metrics, /-/healthy, /-/ready, POST /-/reload, / and /api/v1/checks with bounded
// request sizes and timeouts, optionally over TLS with basic auth.
class WebServer {
 public:
  WebServer(WebOptions options, WebRoutes routes, Logger& logger);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds and starts serving in the background; throws std::runtime_error if it cannot bind.
  void Start();
  void Stop();
  int port() const { return port_; }

 private:
  bool Authorized(const std::string& authorization_header);

  WebOptions options_;
  WebRoutes routes_;
  Logger& logger_;
  WebConfig web_config_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex auth_cache_mutex_;
  std::map<std::string, std::string> auth_cache_;  // user -> sha256(password) that verified
};

}  // namespace freshness
