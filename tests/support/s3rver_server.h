#pragma once

#include <sys/types.h>

#include <string>

namespace freshness::testing {

// A real S3 API for tests: s3rver (npm, under .tools/) on 127.0.0.1, a random free port and a
// temporary data directory, with one bucket. Stopped and cleaned up by the destructor.
class S3rverServer {
 public:
  static constexpr const char* kAccessKeyId = "S3RVER";  // s3rver's built-in account
  static constexpr const char* kSecretAccessKey = "S3RVER";

  explicit S3rverServer(const std::string& bucket);
  ~S3rverServer();
  S3rverServer(const S3rverServer&) = delete;
  S3rverServer& operator=(const S3rverServer&) = delete;

  // Path of the s3rver launcher; empty when it is not installed (scripts/install-deps.sh).
  static std::string Binary();

  std::string endpoint() const;  // "http://127.0.0.1:<port>"
  int port() const { return port_; }
  // Uploads an object with a signed PUT; returns false on failure.
  bool PutObject(const std::string& key, const std::string& body) const;

 private:
  std::string bucket_;
  std::string directory_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();
// Waits until something accepts TCP connections on 127.0.0.1:port.
bool WaitForPort(int port, int timeout_ms);

}  // namespace freshness::testing
