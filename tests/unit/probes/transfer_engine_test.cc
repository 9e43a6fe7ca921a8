#include "probes/transfer_engine.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <vector>

#include "support/fault_server.h"

namespace freshness {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

HeadResult Head(const std::string& url, milliseconds timeout) {
  HeadRequest request;
  request.url = url;
  request.timeout = timeout;
  return TransferEngine::Instance().Head(request);
}

// The deadline ends an exchange the server never answers (what the per-exchange watchdog
// thread used to do), and the connection is known to have been made.
TEST(TransferEngineTest, DeadlineEndsAnUnansweredExchange) {
  testing::FaultServer server(testing::Fault::kHang);
  const auto started = steady_clock::now();
  const HeadResult result = Head(server.url("/x"), milliseconds(200));
  EXPECT_LT(steady_clock::now() - started, milliseconds(1'500));
  EXPECT_EQ(result.curl_code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_TRUE(result.connected);
  EXPECT_FALSE(result.received_data);
}

// Header lines that keep arriving do not extend the deadline, and they count as data.
TEST(TransferEngineTest, DeadlineEndsAnEndlessHeader) {
  testing::FaultServer server(testing::Fault::kEndlessHeader);
  const auto started = steady_clock::now();
  const HeadResult result = Head(server.url("/x"), milliseconds(300));
  EXPECT_LT(steady_clock::now() - started, milliseconds(1'500));
  EXPECT_EQ(result.curl_code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_TRUE(result.received_data);
}

// A bare close carries no data; garbage does (curl reports both as failures of their own kind).
TEST(TransferEngineTest, TellsDataFromABareClose) {
  testing::FaultServer quiet(testing::Fault::kCloseWithoutResponse);
  testing::FaultServer talking(testing::Fault::kGarbage);
  const HeadResult closed = Head(quiet.url("/x"), milliseconds(2'000));
  const HeadResult garbage = Head(talking.url("/x"), milliseconds(2'000));
  EXPECT_NE(closed.curl_code, CURLE_OK);
  EXPECT_FALSE(closed.received_data);
  EXPECT_NE(garbage.curl_code, CURLE_OK);
  EXPECT_TRUE(garbage.received_data);
}

TEST(TransferEngineTest, OversizedHeaderLineIsRefused) {
  testing::FaultServer server(testing::Fault::kOversizedHeader);
  const HeadResult result = Head(server.url("/x"), milliseconds(2'000));
  EXPECT_NE(result.curl_code, CURLE_OK);
  EXPECT_TRUE(result.header_too_long);
}

TEST(TransferEngineTest, ReadsTheStatusAndHeaders) {
  testing::FaultServer server(testing::Fault::kStatus503WithoutBody);
  const HeadResult result = Head(server.url("/x"), milliseconds(2'000));
  EXPECT_EQ(result.curl_code, CURLE_OK);
  EXPECT_EQ(result.status, 503);
  ASSERT_EQ(result.headers.count("retry-after"), 1u);
  EXPECT_EQ(result.headers.find("retry-after")->second, "1");
}

// Exchanges overlap on the engine's one thread: twenty that each wait out a 400 ms deadline
// take about 400 ms together, not eight seconds.
TEST(TransferEngineTest, ExchangesRunConcurrently) {
  testing::FaultServer server(testing::Fault::kHang);
  const auto started = steady_clock::now();
  std::vector<std::future<HeadResult>> results;
  for (int i = 0; i < 20; ++i) {
    results.push_back(std::async(std::launch::async,
                                 [&server] { return Head(server.url("/x"), milliseconds(400)); }));
  }
  for (auto& result : results) EXPECT_EQ(result.get().curl_code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_LT(steady_clock::now() - started, milliseconds(2'500));
}

}  // namespace
}  // namespace freshness
