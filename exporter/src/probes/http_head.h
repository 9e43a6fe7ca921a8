#pragma once

#include <chrono>
#include <map>
#include <string>

#include "probes/object_prober.h"

namespace freshness {

// The parts of an absolute http(s) URL a HEAD request needs.
struct HttpUrl {
  std::string scheme;  // http | https
  std::string host;
  int port = 0;
  std::string path_and_query;  // "/" at least
};

// Throws CheckError (reason probe) for a malformed URL.
HttpUrl ParseHttpUrl(const std::string& url);

// One HEAD request shared by the HTTP and S3 probers: 404/410 give exists = false; 2xx give the
// object's Last-Modified and Content-Length; anything else throws CheckError (reason probe)
// whose message names `shown` (a location safe to log) and the failure, never the headers.
ObjectInfo HeadObject(const HttpUrl& url, const std::multimap<std::string, std::string>& headers,
                      std::chrono::milliseconds timeout, const std::string& shown,
                      bool follow_redirects);

}  // namespace freshness
