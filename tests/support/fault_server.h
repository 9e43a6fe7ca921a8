#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace freshness::testing {

// What a FaultServer does with every connection it accepts. Except for kCloseOnAccept, the
// request is read first (up to its blank line), so the client is waiting for an answer when the
// fault happens.
enum class Fault {
  kHang,                  // reads the request, never answers, keeps the connection open
  kReset,                 // reads the request, then resets the connection (RST, SO_LINGER 0)
  kCloseOnAccept,         // closes at once, before reading anything (the client may see RST)
  kCloseWithoutResponse,  // reads the request, then closes cleanly (FIN) without a byte
  kGarbage,               // answers binary bytes that are not HTTP, then closes
  kStatus500WithBody,     // HTTP 500 with a text body
  kStatus500WithoutBody,  // HTTP 500, Content-Length: 0
  kStatus503WithBody,     // HTTP 503 with Retry-After and an XML body (as S3 sends SlowDown)
  kStatus503WithoutBody,  // HTTP 503, Retry-After, Content-Length: 0
  kTruncatedHeader,       // a 200 status line and half a header, then closes
  kOversizedHeader,       // a 200 status line and one 64 KiB header line
  kEndlessHeader,         // a 200 status line, then a short header line every 50 ms, never ending
};

std::string FaultName(Fault fault);

// A raw TCP server on 127.0.0.1 (random port) that misbehaves in one chosen way, for probes that
// must fail cleanly against real sockets. Each connection runs on its own thread, at most
// kMaxConnections of them (later connections are closed at once); every wait is bounded by
// kMaxConnectionTime and wakes when the server is destroyed. The destructor joins every thread.
class FaultServer {
 public:
  static constexpr int kMaxConnections = 32;
  static constexpr int kMaxConnectionTimeMs = 30'000;

  explicit FaultServer(Fault fault);
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  std::string endpoint() const;                    // "http://127.0.0.1:<port>"
  std::string url(const std::string& path) const;  // endpoint() + path
  int port() const { return port_; }
  int connections() const { return connections_.load(); }  // accepted so far

 private:
  void AcceptLoop();
  void Serve(int connection) const;
  enum class Wait { kReady, kTimedOut, kStopped };
  // Waits up to `ms` until `fd` is ready for `events` (or hung up), waking when the server stops.
  Wait WaitFor(int fd, short events, int ms) const;
  bool ReadRequest(int connection) const;
  bool SendAll(int connection, const std::string& bytes) const;

  Fault fault_;
  int listener_ = -1;
  int wake_read_ = -1;  // readable once the server stops: wakes every poll
  int wake_write_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> handlers_;
};

}  // namespace freshness::testing
