#pragma once

#include <httplib.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "util/clock.h"

namespace freshness::testing {

// A local HTTP server on 127.0.0.1 (random port) serving objects with a chosen Last-Modified,
// plus misbehaving paths: /no-last-modified, /bad-last-modified, /forbidden, /slow (answers
// after 3 s) and /redirect/<path> (302 to /<path>).
class HttpFixtureServer {
 public:
  HttpFixtureServer();
  ~HttpFixtureServer();
  HttpFixtureServer(const HttpFixtureServer&) = delete;
  HttpFixtureServer& operator=(const HttpFixtureServer&) = delete;

  // Serves `body` at `path` ("/a/b.json") with Last-Modified = `modified`.
  void Put(const std::string& path, const std::string& body, TimePoint modified);
  std::string url(const std::string& path) const;  // "http://127.0.0.1:<port><path>"

 private:
  struct Object {
    std::string body;
    TimePoint modified;
  };
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::map<std::string, Object> objects_;
};

}  // namespace freshness::testing
