#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace freshness {

// One deadline for a whole HTTP exchange. The HTTP library bounds each read on its own, so a
// server that trickles header lines would hold a probe forever; at the deadline this shuts the
// attached socket down, which ends any blocked read. It also keeps its own handle on the socket,
// so that after a failure the probe can tell whether the server sent anything at all (the
// library reports a reset, a close and an unparsable answer alike).
class ConnectionWatchdog {
 public:
  explicit ConnectionWatchdog(std::chrono::steady_clock::time_point deadline);
  ~ConnectionWatchdog();  // stops and joins its thread, closes its handle
  ConnectionWatchdog(const ConnectionWatchdog&) = delete;
  ConnectionWatchdog& operator=(const ConnectionWatchdog&) = delete;

  // Watches `socket` (a duplicate is kept; the caller's descriptor stays the caller's). A later
  // call replaces the watched socket, as a redirect opens a new connection.
  void Attach(int socket);
  // True once the deadline has passed (whether or not a socket was shut down for it).
  bool Expired() const;
  // Whether the peer sent any payload on the watched socket (TCP_INFO counts data segments, so a
  // bare FIN or RST does not count); false without a watched TCP socket.
  bool ReceivedData() const;

 private:
  void Run();

  const std::chrono::steady_clock::time_point deadline_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int watched_ = -1;  // our duplicate of the socket
  std::thread thread_;
};

}  // namespace freshness
