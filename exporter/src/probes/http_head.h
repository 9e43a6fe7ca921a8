#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

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
// The URL again ("scheme://host[:port]/path"), IPv6 hosts in brackets.
std::string FormatHttpUrl(const HttpUrl& url);

// A Last-Modified value (any HTTP date form, via curl_getdate); nullopt when malformed.
std::optional<TimePoint> ParseLastModified(const std::string& text);

// How to sign a request with AWS Signature Version 4 (libcurl signs it).
struct AwsSigning {
  std::string region;
  std::string service;  // "s3"
  std::string access_key_id;
  std::string secret_access_key;  // never shown
};

// One HEAD request shared by the HTTP and S3 probers, run on the process's TransferEngine:
// 404/410 give exists = false; 2xx give the object's Last-Modified and Content-Length; anything
// else throws CheckError (reason probe) whose message names `shown` (a location safe to log) and
// the failure, never the headers or credentials. `url` is sent as given. `timeout` bounds the
// whole exchange (connecting, redirects, headers).
ObjectInfo HeadObject(const std::string& url, const std::vector<std::string>& headers,
                      const std::optional<AwsSigning>& signing, std::chrono::milliseconds timeout,
                      const std::string& shown, bool follow_redirects);

}  // namespace freshness
