#include "support/http_fixture_server.h"

#include <date/date.h>

#include <chrono>
#include <stdexcept>

namespace freshness::testing {
namespace {

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), as Last-Modified carries it.
std::string FormatHttpDate(TimePoint time) {
  return date::format("%a, %d %b %Y %H:%M:%S GMT", date::floor<std::chrono::seconds>(time));
}

}  // namespace

HttpFixtureServer::HttpFixtureServer() {
  server_.Get("/no-last-modified", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("x", "text/plain");
  });
  server_.Get("/bad-last-modified", [](const httplib::Request&, httplib::Response& response) {
    response.set_header("Last-Modified", "last tuesday");
    response.set_content("x", "text/plain");
  });
  server_.Get("/forbidden",
              [](const httplib::Request&, httplib::Response& response) { response.status = 403; });
  server_.Get("/slow", [](const httplib::Request&, httplib::Response& response) {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    response.set_content("x", "text/plain");
  });
  server_.Get(R"(/redirect(/.*))",
              [](const httplib::Request& request, httplib::Response& response) {
                response.set_redirect(request.matches[1].str());
              });
  server_.Get(R"(/.*)", [this](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = objects_.find(request.path);
    if (found == objects_.end()) {
      response.status = 404;
      return;
    }
    response.set_header("Last-Modified", FormatHttpDate(found->second.modified));
    response.set_content(found->second.body, "application/octet-stream");
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("cannot bind the HTTP fixture server");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // The socket is already bound and listening, so early connections wait in its backlog.
  for (int i = 0; i < 200 && !server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

HttpFixtureServer::~HttpFixtureServer() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void HttpFixtureServer::Put(const std::string& path, const std::string& body, TimePoint modified) {
  std::lock_guard<std::mutex> lock(mutex_);
  objects_[path] = Object{body, modified};
}

std::string HttpFixtureServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

}  // namespace freshness::testing
