#include "support/s3rver_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

#include "probes/sigv4_signer.h"
#include "support/test_paths.h"

extern char** environ;

namespace freshness::testing {

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

bool WaitForPort(int port, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool connected =
        ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (connected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string S3rverServer::Binary() {
  const std::filesystem::path path =
      std::filesystem::path(SourceDir()) / ".tools" / "node_modules" / ".bin" / "s3rver";
  return std::filesystem::exists(path) ? path.string() : "";
}

S3rverServer::S3rverServer(const std::string& bucket) : bucket_(bucket) {
  const std::string binary = Binary();
  if (binary.empty()) throw std::runtime_error("s3rver is not installed (scripts/install-deps.sh)");
  std::string pattern = (std::filesystem::temp_directory_path() / "s3rver_XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
  port_ = FreeLoopbackPort();
  const std::string port = std::to_string(port_);
  std::vector<std::string> arguments = {
      binary,   "--directory", directory_, "--address",          "127.0.0.1",
      "--port", port,          "--silent", "--configure-bucket", bucket_};
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  // Its startup banner would interleave with the test output.
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const int spawned = ::posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start s3rver");
  }
  if (!WaitForPort(port_, 20'000)) {
    throw std::runtime_error("s3rver did not listen on port " + port + " within 20s");
  }
}

S3rverServer::~S3rverServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string S3rverServer::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

bool S3rverServer::PutObject(const std::string& key, const std::string& body) const {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::string host = "127.0.0.1:" + std::to_string(port_);
  SignableRequest request;
  request.method = "PUT";
  request.canonical_uri = "/" + bucket_ + "/" + UriEncode(key, true);
  request.payload_sha256_hex = Sha256Hex(body);
  request.headers = {{"host", host},
                     {"x-amz-content-sha256", request.payload_sha256_hex},
                     {"x-amz-date", AmzDate(now)}};
  const AwsCredentials credentials{kAccessKeyId, kSecretAccessKey, ""};
  httplib::Client client("127.0.0.1", port_);
  client.set_url_encode(false);
  httplib::Headers headers = {
      {"Host", host},
      {"x-amz-content-sha256", request.payload_sha256_hex},
      {"x-amz-date", AmzDate(now)},
      {"Authorization", SigV4Signer("us-east-1", "s3").Authorization(request, credentials, now)}};
  const httplib::Result result =
      client.Put(request.canonical_uri.c_str(), headers, body, "application/octet-stream");
  return result && result->status == 200;
}

}  // namespace freshness::testing
