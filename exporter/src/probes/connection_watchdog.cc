#include "probes/connection_watchdog.h"

#include <fcntl.h>
#include <linux/tcp.h>  // the kernel's tcp_info, with tcpi_data_segs_in
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace freshness {

ConnectionWatchdog::ConnectionWatchdog(std::chrono::steady_clock::time_point deadline)
    : deadline_(deadline), thread_([this] { Run(); }) {}

ConnectionWatchdog::~ConnectionWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (watched_ >= 0) ::close(watched_);
}

void ConnectionWatchdog::Attach(int socket) {
  const int duplicate = ::fcntl(socket, F_DUPFD_CLOEXEC, 0);
  std::lock_guard<std::mutex> lock(mutex_);
  if (watched_ >= 0) ::close(watched_);
  watched_ = duplicate;
  // Attached after the deadline (a redirect at the last moment): cut it off at once.
  if (duplicate >= 0 && std::chrono::steady_clock::now() >= deadline_) {
    ::shutdown(duplicate, SHUT_RDWR);
  }
}

bool ConnectionWatchdog::Expired() const { return std::chrono::steady_clock::now() >= deadline_; }

bool ConnectionWatchdog::ReceivedData() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (watched_ < 0) return false;
  tcp_info info{};
  socklen_t length = sizeof info;
  if (::getsockopt(watched_, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return false;
  // tcpi_bytes_received would count a FIN as one byte; data segments carry payload only.
  return info.tcpi_data_segs_in > 0;
}

void ConnectionWatchdog::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (wake_.wait_until(lock, deadline_, [this] { return stopping_; })) return;
  // Shutting the socket down wakes the reader blocked on it; the descriptor stays open until
  // the owner closes it, so it cannot be reused under the reader.
  if (watched_ >= 0) ::shutdown(watched_, SHUT_RDWR);
}

}  // namespace freshness
