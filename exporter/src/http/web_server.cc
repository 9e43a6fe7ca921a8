#include "http/web_server.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/socket.h>

#include <stdexcept>

#include "http/connection_threads.h"
#include "util/redact.h"

namespace freshness {
namespace {

constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::size_t kMaxRequestBody = 64 * 1024;
// httplib holds a thread per open connection, idle keep-alive ones included. Threads grow with
// the connections (slow or idle clients cost threads, never scrapes) and idle ones go away.
constexpr std::size_t kMinHttpThreads = 2;
constexpr std::size_t kMaxHttpThreads = 512;
constexpr std::chrono::seconds kHttpThreadIdleTimeout{30};

std::string Sha256(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::optional<std::string> DecodeBase64(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 4096) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     static_cast<int>(text.size()));
  if (length < 0) return std::nullopt;
  std::size_t padding = 0;
  if (text[text.size() - 1] == '=') ++padding;
  if (text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(length) - padding);
  return out;
}

}  // namespace

std::pair<std::string, int> ParseListenAddress(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    throw std::invalid_argument("invalid listen address \"" + address + "\" (expected host:port)");
  }
  std::string host = address.substr(0, colon);
  const std::string port_text = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(port_text, &used);
    if (used != port_text.size()) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    throw std::invalid_argument("invalid port in listen address \"" + address + "\"");
  }
  return {host, port};
}

WebServer::WebServer(WebOptions options, WebRoutes routes, Logger& logger)
    : options_(std::move(options)), routes_(std::move(routes)), logger_(logger) {
  if (!options_.web_config_file.empty()) web_config_ = LoadWebConfig(options_.web_config_file);
  if (web_config_.tls()) {
    server_ = std::make_unique<httplib::SSLServer>(web_config_.cert_file.c_str(),
                                                   web_config_.key_file.c_str());
    if (!server_->is_valid()) {
      throw std::runtime_error("cannot load TLS certificate or key from " +
                               options_.web_config_file);
    }
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
}

WebServer::~WebServer() { Stop(); }

bool WebServer::Authorized(const std::string& header) {
  if (!web_config_.auth()) return true;
  if (header.rfind("Basic ", 0) != 0) return false;
  const std::optional<std::string> decoded = DecodeBase64(header.substr(6));
  if (!decoded) return false;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  const std::string user = decoded->substr(0, colon);
  const std::string password = decoded->substr(colon + 1);
  const auto found = web_config_.basic_auth_users.find(user);
  if (found == web_config_.basic_auth_users.end()) {
    // Same cost as a real check so the response time does not reveal which users exist.
    VerifyBcrypt(password, web_config_.basic_auth_users.begin()->second);
    return false;
  }
  // bcrypt is slow on purpose; remember a verified password's digest so scrapes stay cheap.
  const std::string digest = Sha256(password);
  {
    std::lock_guard<std::mutex> lock(auth_cache_mutex_);
    const auto cached = auth_cache_.find(user);
    if (cached != auth_cache_.end() && cached->second == digest) return true;
  }
  if (!VerifyBcrypt(password, found->second)) return false;
  std::lock_guard<std::mutex> lock(auth_cache_mutex_);
  auth_cache_[user] = digest;
  return true;
}

void WebServer::Start() {
  httplib::Server& server = *server_;
  server.new_task_queue = [] {
    return new ConnectionThreads(kMinHttpThreads, kMaxHttpThreads, kHttpThreadIdleTimeout);
  };
  server.set_payload_max_length(kMaxRequestBody);
  // Without it, Nagle's algorithm and delayed ACKs hold each keep-alive response ~40 ms
  // (bench/README.md: p50 44 ms -> 0.2 ms).
  server.set_tcp_nodelay(true);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(10, 0);
  server.set_keep_alive_timeout(10);
  server.set_keep_alive_max_count(1000);

  auto reload = [this](httplib::Response& response) {
    const auto [ok, message] = routes_.reload();
    response.status = ok ? 200 : 500;
    response.set_content(RedactSecrets(message) + "\n", "text/plain; charset=utf-8");
  };
  // Runs before the body is read: reload is answered here because `curl -X POST` sends no
  // Content-Length, which the router would reject as a bad request.
  server.set_pre_routing_handler(
      [this, reload](const httplib::Request& request, httplib::Response& response) {
        if (!Authorized(request.get_header_value("Authorization"))) {
          response.status = 401;
          response.set_header("WWW-Authenticate", "Basic realm=\"freshness_exporter\"");
          response.set_content("Unauthorized\n", "text/plain; charset=utf-8");
          return httplib::Server::HandlerResponse::Handled;
        }
        if (request.path == "/-/reload" && (request.method == "POST" || request.method == "PUT")) {
          reload(response);
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  server.set_exception_handler([this](const httplib::Request& request, httplib::Response& response,
                                      std::exception_ptr error) {
    std::string message = "unknown error";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& caught) {
      message = caught.what();
    } catch (...) {
    }
    logger_.Error("http handler failed", {{"path", request.path}, {"err", message}});
    response.status = 500;
    response.set_content("Internal Server Error\n", "text/plain; charset=utf-8");
  });

  const std::string metrics_path = options_.telemetry_path;
  server.Get(metrics_path, [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(routes_.metrics(), kExpositionContentType);
  });
  server.Get("/-/healthy", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("Healthy\n", "text/plain; charset=utf-8");
  });
  server.Get("/-/ready", [this](const httplib::Request&, httplib::Response& response) {
    if (routes_.ready()) {
      response.set_content("Ready\n", "text/plain; charset=utf-8");
    } else {
      response.status = 503;
      response.set_content("Not ready: waiting for the first collection\n",
                           "text/plain; charset=utf-8");
    }
  });
  server.Get("/api/v1/checks", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(routes_.checks_json(), "application/json");
  });
  server.Get("/", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(routes_.status_page(), "text/html; charset=utf-8");
  });
  auto not_allowed = [](const httplib::Request&, httplib::Response& response) {
    response.status = 405;
    response.set_content("Method Not Allowed\n", "text/plain; charset=utf-8");
  };
  for (const std::string& path : {metrics_path, std::string("/-/healthy"), std::string("/-/ready"),
                                  std::string("/api/v1/checks"), std::string("/")}) {
    server.Post(path, not_allowed);
    server.Put(path, not_allowed);
    server.Delete(path, not_allowed);
    server.Patch(path, not_allowed);
  }
  server.Get("/-/reload", not_allowed);
  server.Delete("/-/reload", not_allowed);

  const auto [host, port] = ParseListenAddress(options_.listen_address);
  int listening = -1;
  server.set_socket_options([&listening](int socket) {
    httplib::default_socket_options(socket);
    listening = socket;  // the last socket offered is the one that binds
  });
  if (port == 0) {
    port_ = server.bind_to_any_port(host);
    if (port_ < 0) throw std::runtime_error("cannot listen on " + options_.listen_address);
  } else {
    if (!server.bind_to_port(host, port)) {
      throw std::runtime_error("cannot listen on " + options_.listen_address);
    }
    port_ = port;
  }
  server.set_socket_options(httplib::default_socket_options);
  // httplib listens with a backlog of 5, compiled into the library: a burst of connections on a
  // busy machine overflowed it, and every dropped SYN cost its client a one-second retransmit.
  // Listening again on the bound socket only raises the backlog.
  if (listening >= 0) ::listen(listening, SOMAXCONN);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  logger_.Info("listening", {{"address", host + ":" + std::to_string(port_)},
                             {"tls", web_config_.tls() ? "true" : "false"},
                             {"basic_auth", web_config_.auth() ? "true" : "false"}});
}

void WebServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace freshness
