#include "probes/connection_watchdog.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace freshness {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A connected TCP pair on 127.0.0.1: `client` as a probe holds it, `server` as the peer.
class LoopbackPair {
 public:
  LoopbackPair() {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener, 1), 0);
    EXPECT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
    client = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    server = ::accept(listener, nullptr, nullptr);
    ::close(listener);
  }
  ~LoopbackPair() {
    ::close(client);
    ::close(server);
  }
  LoopbackPair(const LoopbackPair&) = delete;
  LoopbackPair& operator=(const LoopbackPair&) = delete;

  int client = -1;
  int server = -1;
};

TEST(ConnectionWatchdogTest, DeadlineEndsABlockedRead) {
  LoopbackPair pair;
  const auto started = steady_clock::now();
  ConnectionWatchdog watchdog(started + milliseconds(200));
  watchdog.Attach(pair.client);
  EXPECT_FALSE(watchdog.Expired());
  char byte = 0;
  // The peer never writes: only the watchdog can end this read.
  EXPECT_EQ(::recv(pair.client, &byte, 1, 0), 0);
  const auto elapsed = steady_clock::now() - started;
  EXPECT_GE(elapsed, milliseconds(190));
  EXPECT_LT(elapsed, milliseconds(2'000));
  EXPECT_TRUE(watchdog.Expired());
  EXPECT_FALSE(watchdog.ReceivedData());
}

TEST(ConnectionWatchdogTest, TellsDataFromABareClose) {
  LoopbackPair quiet;
  LoopbackPair talking;
  ConnectionWatchdog quiet_watchdog(steady_clock::now() + milliseconds(5'000));
  ConnectionWatchdog talking_watchdog(steady_clock::now() + milliseconds(5'000));
  quiet_watchdog.Attach(quiet.client);
  talking_watchdog.Attach(talking.client);
  ASSERT_EQ(::send(talking.server, "HTTP/1.1 2", 10, 0), 10);
  ::shutdown(quiet.server, SHUT_WR);  // a FIN, which TCP counts as one byte of sequence
  ::shutdown(talking.server, SHUT_WR);
  char buffer[16];
  EXPECT_EQ(::recv(quiet.client, buffer, sizeof buffer, 0), 0);
  EXPECT_EQ(::recv(talking.client, buffer, sizeof buffer, MSG_WAITALL), 10);
  EXPECT_FALSE(quiet_watchdog.ReceivedData());
  EXPECT_TRUE(talking_watchdog.ReceivedData());
  EXPECT_FALSE(talking_watchdog.Expired());
}

TEST(ConnectionWatchdogTest, NothingAttachedIsHarmless) {
  const auto started = steady_clock::now();
  {
    ConnectionWatchdog watchdog(started + milliseconds(60'000));
    EXPECT_FALSE(watchdog.ReceivedData());
  }
  // The destructor wakes and joins the thread instead of waiting for the deadline.
  EXPECT_LT(steady_clock::now() - started, milliseconds(2'000));
}

TEST(ConnectionWatchdogTest, AttachedAfterTheDeadlineIsCutOffAtOnce) {
  LoopbackPair pair;
  ConnectionWatchdog watchdog(steady_clock::now() - milliseconds(1));
  watchdog.Attach(pair.client);
  char byte = 0;
  EXPECT_EQ(::recv(pair.client, &byte, 1, 0), 0);
  EXPECT_TRUE(watchdog.Expired());
}

}  // namespace
}  // namespace freshness
