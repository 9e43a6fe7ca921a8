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

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

#include "probes/uri_encode.h"
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

namespace {

std::string NodeModule(const std::string& name) {
  return (std::filesystem::path(SourceDir()) / ".tools" / "node_modules" / name).string();
}

// `node` as found on PATH, or empty.
std::string FindNode() {
  const char* path = std::getenv("PATH");
  std::string directories = path == nullptr ? "" : path;
  std::size_t start = 0;
  while (start <= directories.size()) {
    std::size_t end = directories.find(':', start);
    if (end == std::string::npos) end = directories.size();
    const std::filesystem::path candidate =
        std::filesystem::path(directories.substr(start, end - start)) / "node";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return "";
}

}  // namespace

std::string S3rverServer::Binary() {
  const std::filesystem::path script =
      std::filesystem::path(SourceDir()) / "tests" / "support" / "sigv4_s3_server.js";
  for (const char* module : {"s3rver", "@aws-sdk/signature-v4", "@aws-crypto/sha256-js"}) {
    if (!std::filesystem::exists(NodeModule(module))) return "";
  }
  return std::filesystem::exists(script) && !FindNode().empty() ? script.string() : "";
}

S3rverServer::S3rverServer(const std::string& bucket, Options options) : bucket_(bucket) {
  const std::string script = Binary();
  if (script.empty()) {
    throw std::runtime_error(
        "node, s3rver or the AWS signer is not installed (scripts/install-deps.sh)");
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "s3rver_XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
  port_ = FreeLoopbackPort();
  do {
    backend_port_ = FreeLoopbackPort();
  } while (backend_port_ == port_);
  const std::string node = FindNode();
  std::vector<std::string> arguments = {node,
                                        script,
                                        "--port",
                                        std::to_string(port_),
                                        "--backend-port",
                                        std::to_string(backend_port_),
                                        "--directory",
                                        directory_,
                                        "--bucket",
                                        bucket_,
                                        "--access-key-id",
                                        options.access_key_id,
                                        "--region",
                                        options.region,
                                        "--clock-offset",
                                        std::to_string(options.clock_offset.count())};
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  // The secret goes in the environment, where no process listing shows it.
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::string(*entry).rfind("SIGV4_S3_SECRET_ACCESS_KEY=", 0) != 0) {
      environment.emplace_back(*entry);
    }
  }
  environment.push_back("SIGV4_S3_SECRET_ACCESS_KEY=" + options.secret_access_key);
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  // Its output would interleave with the test output; errors still reach stderr.
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const int spawned =
      ::posix_spawn(&pid_, node.c_str(), &actions, nullptr, argv.data(), envp.data());
  ::posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    pid_ = -1;
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
    throw std::runtime_error("cannot start node");
  }
  // The front port opens once s3rver is up behind it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!WaitForPort(port_, 200)) {
    int status = 0;
    const bool exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
    if (exited || std::chrono::steady_clock::now() > deadline) {
      if (!exited) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
      }
      pid_ = -1;
      std::error_code ignored;
      std::filesystem::remove_all(directory_, ignored);
      throw std::runtime_error(exited ? "the SigV4 S3 server exited at startup (see stderr)"
                                      : "the SigV4 S3 server did not listen within 20s");
    }
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
  httplib::Client client("127.0.0.1", backend_port_);
  client.set_url_encode(false);
  const std::string path = "/" + bucket_ + "/" + UriEncode(key, true);
  const httplib::Result result = client.Put(path.c_str(), body, "application/octet-stream");
  return result && result->status == 200;
}

}  // namespace freshness::testing
