#include "support/fault_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

namespace freshness::testing {
namespace {

constexpr std::size_t kMaxRequestBytes = 16 * 1024;
// An SSH banner followed by binary bytes (a TLS record header among them): not HTTP.
constexpr char kGarbage[] = "SSH-2.0-OpenSSH_9.2\r\n\x00\x01\xff\xfe\x16\x03\x01\r\n\r\n";

std::string Response(const std::string& status_line, const std::string& headers,
                     const std::string& body) {
  return "HTTP/1.1 " + status_line + "\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

std::string FaultName(Fault fault) {
  switch (fault) {
    case Fault::kHang:
      return "hang";
    case Fault::kReset:
      return "reset";
    case Fault::kCloseOnAccept:
      return "close_on_accept";
    case Fault::kCloseWithoutResponse:
      return "close_without_response";
    case Fault::kGarbage:
      return "garbage";
    case Fault::kStatus500WithBody:
      return "status_500_with_body";
    case Fault::kStatus500WithoutBody:
      return "status_500_without_body";
    case Fault::kStatus503WithBody:
      return "status_503_with_body";
    case Fault::kStatus503WithoutBody:
      return "status_503_without_body";
    case Fault::kTruncatedHeader:
      return "truncated_header";
    case Fault::kOversizedHeader:
      return "oversized_header";
    case Fault::kEndlessHeader:
      return "endless_header";
  }
  return "unknown";
}

FaultServer::FaultServer(Fault fault) : fault_(fault) {
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  wake_read_ = wake[0];
  wake_write_ = wake[1];
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (listener_ < 0 ||
      ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 64) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (listener_ >= 0) ::close(listener_);
    ::close(wake_read_);
    ::close(wake_write_);
    throw std::runtime_error("cannot listen on 127.0.0.1 for the fault server");
  }
  port_ = ntohs(address.sin_port);
  // Listening already: connections made before the thread runs wait in the backlog.
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FaultServer::~FaultServer() {
  const char byte = 'x';
  [[maybe_unused]] const ssize_t written = ::write(wake_write_, &byte, 1);
  if (acceptor_.joinable()) acceptor_.join();
  // The acceptor has stopped, so no thread is added while these are joined.
  for (std::thread& handler : handlers_) {
    if (handler.joinable()) handler.join();
  }
  ::close(listener_);
  ::close(wake_read_);
  ::close(wake_write_);
}

std::string FaultServer::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string FaultServer::url(const std::string& path) const { return endpoint() + path; }

FaultServer::Wait FaultServer::WaitFor(int fd, short events, int ms) const {
  pollfd fds[2] = {{fd, events, 0}, {wake_read_, POLLIN, 0}};
  int ready = 0;
  do {
    ready = ::poll(fds, 2, ms);
  } while (ready < 0 && errno == EINTR);
  if (ready < 0 || (fds[1].revents & POLLIN) != 0) return Wait::kStopped;
  if (ready == 0) return Wait::kTimedOut;
  return Wait::kReady;
}

void FaultServer::AcceptLoop() {
  while (WaitFor(listener_, POLLIN, kMaxConnectionTimeMs) != Wait::kStopped) {
    const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (connection < 0) continue;
    connections_.fetch_add(1);
    std::lock_guard<std::mutex> lock(mutex_);
    if (handlers_.size() >= static_cast<std::size_t>(kMaxConnections)) {
      ::close(connection);
      continue;
    }
    handlers_.emplace_back([this, connection] { Serve(connection); });
  }
}

bool FaultServer::ReadRequest(int connection) const {
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < kMaxRequestBytes) {
    if (WaitFor(connection, POLLIN, kMaxConnectionTimeMs) != Wait::kReady) return false;
    const ssize_t got = ::recv(connection, buffer, sizeof buffer, 0);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (got <= 0) return false;
    request.append(buffer, static_cast<std::size_t>(got));
  }
  return true;
}

bool FaultServer::SendAll(int connection, const std::string& bytes) const {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    if (WaitFor(connection, POLLOUT, kMaxConnectionTimeMs) != Wait::kReady) return false;
    const ssize_t wrote =
        ::send(connection, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (wrote < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (wrote <= 0) return false;  // the client went away (EPIPE, ECONNRESET)
    sent += static_cast<std::size_t>(wrote);
  }
  return true;
}

void FaultServer::Serve(int connection) const {
  if (fault_ == Fault::kCloseOnAccept || !ReadRequest(connection)) {
    ::close(connection);
    return;
  }
  const std::string last_modified = "Last-Modified: Mon, 06 Jul 2026 09:50:00 GMT\r\n";
  switch (fault_) {
    case Fault::kHang: {
      // Until the client gives up (readable at EOF), the server stops, or the time is up.
      const auto stop_at =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(kMaxConnectionTimeMs);
      while (std::chrono::steady_clock::now() < stop_at &&
             WaitFor(connection, POLLIN, 100) != Wait::kStopped) {
        char buffer[256];
        const ssize_t got = ::recv(connection, buffer, sizeof buffer, 0);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) break;
      }
      break;
    }
    case Fault::kReset: {
      const linger abort_on_close{1, 0};
      ::setsockopt(connection, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
      break;
    }
    case Fault::kCloseOnAccept:
    case Fault::kCloseWithoutResponse:
      break;
    case Fault::kGarbage:
      SendAll(connection, std::string(kGarbage, sizeof kGarbage - 1));
      break;
    case Fault::kStatus500WithBody:
      SendAll(connection, Response("500 Internal Server Error", "Content-Type: text/plain\r\n",
                                   "internal server error\n"));
      break;
    case Fault::kStatus500WithoutBody:
      SendAll(connection, Response("500 Internal Server Error", "", ""));
      break;
    case Fault::kStatus503WithBody:
      SendAll(
          connection,
          Response("503 Service Unavailable", "Retry-After: 1\r\nContent-Type: application/xml\r\n",
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
                   "<Message>Please reduce your request rate.</Message></Error>"));
      break;
    case Fault::kStatus503WithoutBody:
      SendAll(connection, Response("503 Service Unavailable", "Retry-After: 1\r\n", ""));
      break;
    case Fault::kTruncatedHeader:
      SendAll(connection, "HTTP/1.1 200 OK\r\n" + last_modified + "Content-Len");
      break;
    case Fault::kOversizedHeader:
      SendAll(connection, "HTTP/1.1 200 OK\r\n" + last_modified + "X-Padding: " +
                              std::string(64 * 1024, 'a') + "\r\nContent-Length: 2\r\n\r\n");
      break;
    case Fault::kEndlessHeader: {
      if (!SendAll(connection, "HTTP/1.1 200 OK\r\n" + last_modified)) break;
      const auto stop_at =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(kMaxConnectionTimeMs);
      for (int line = 0; std::chrono::steady_clock::now() < stop_at; ++line) {
        // Sleeps 50 ms unless the server stops or the client goes away (readable at EOF).
        if (WaitFor(connection, POLLIN, 50) != Wait::kTimedOut) break;
        if (!SendAll(connection, "X-Drip-" + std::to_string(line) + ": x\r\n")) break;
      }
      break;
    }
  }
  ::close(connection);
}

}  // namespace freshness::testing
