#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace freshness::testing {

// A real S3 API for tests that verifies AWS Signature V4: tests/support/sigv4_s3_server.js, which
// runs s3rver (npm, under .tools/) on a loopback backend port and, on the front port the tests
// use, lets through only requests signed right for `access_key_id`, `secret_access_key` and
// `region` (checked with AWS's own signer); others get S3's 4xx XML errors. A random free port, a
// temporary data directory and one bucket; stopped and cleaned up by the destructor.
class S3rverServer {
 public:
  static constexpr const char* kAccessKeyId = "S3RVER";
  static constexpr const char* kSecretAccessKey = "S3RVER";
  static constexpr const char* kRegion = "us-east-1";

  struct Options {
    std::string access_key_id = kAccessKeyId;
    std::string secret_access_key = kSecretAccessKey;
    std::string region = kRegion;
    // Added to the server's clock: requests more than 15 minutes off are RequestTimeTooSkewed.
    std::chrono::seconds clock_offset{0};
  };

  explicit S3rverServer(const std::string& bucket) : S3rverServer(bucket, Options{}) {}
  S3rverServer(const std::string& bucket, Options options);
  ~S3rverServer();
  S3rverServer(const S3rverServer&) = delete;
  S3rverServer& operator=(const S3rverServer&) = delete;

  // Path of the server script; empty when node or its npm packages (s3rver, the AWS signer) are
  // not installed (scripts/install-deps.sh).
  static std::string Binary();

  std::string endpoint() const;  // "http://127.0.0.1:<port>", signatures verified
  int port() const { return port_; }
  // Uploads an object straight to s3rver (the unverified backend); returns false on failure.
  bool PutObject(const std::string& key, const std::string& body) const;

 private:
  std::string bucket_;
  std::string directory_;
  int port_ = 0;
  int backend_port_ = 0;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();
// Waits until something accepts TCP connections on 127.0.0.1:port.
bool WaitForPort(int port, int timeout_ms);

}  // namespace freshness::testing
