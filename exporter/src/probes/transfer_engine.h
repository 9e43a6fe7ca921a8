#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace freshness {

// One HEAD request for the engine.
struct HeadRequest {
  std::string url;                       // absolute http(s) URL, sent as given (no normalization)
  std::vector<std::string> headers;      // extra "Name: value" lines
  bool follow_redirects = false;         // at most kMaxRedirects hops, http and https only
  std::string aws_sigv4;                 // "aws:amz:<region>:<service>" to sign; "" = unsigned
  std::string access_key_id;             // for the signature
  std::string secret_access_key;         // for the signature (never shown)
  std::chrono::milliseconds timeout{0};  // for the whole exchange, redirects included
};

// What came back. `curl_code` is a CURLcode (0 = a response was read); on success `status` and
// `headers` (names lower case) are those of the last response, after any redirects.
struct HeadResult {
  int curl_code = 0;
  std::string curl_error;  // curl's own detail for a failure, "" if none
  long status = 0;
  std::multimap<std::string, std::string> headers;
  bool connected = false;        // a TCP connection was established
  bool received_data = false;    // the server sent any payload bytes at all
  bool header_complete = false;  // the last response's header ended with its blank line
  bool header_too_long = false;  // a header line exceeded kMaxHeaderLine (aborted)
  std::chrono::milliseconds elapsed{0};
};

// The process-wide HTTP client: one thread drives a libcurl multi handle, so any number of
// probes are in flight at once without a thread each. Probers submit a request and wait for its
// result; curl bounds each transfer by its timeout (connect, redirects and all), and the waiting
// caller gives up a little later on its own should the engine be late.
class TransferEngine {
 public:
  static constexpr int kMaxRedirects = 5;
  static constexpr std::size_t kMaxHeaderLine = 8 * 1024;

  // The engine of the process, started on first use (this also initializes libcurl, once).
  static TransferEngine& Instance();

  // Runs one HEAD exchange and blocks until it ends. Thread-safe.
  HeadResult Head(const HeadRequest& request);

  ~TransferEngine();
  TransferEngine(const TransferEngine&) = delete;
  TransferEngine& operator=(const TransferEngine&) = delete;

  struct Transfer;  // one exchange in flight (defined in the .cc)

 private:
  TransferEngine();
  void Run();

  void* multi_ = nullptr;  // CURLM*
  std::mutex mutex_;
  std::vector<std::shared_ptr<Transfer>> submitted_;  // not yet added to the multi handle
  std::vector<std::shared_ptr<Transfer>> abandoned_;  // callers gave up: remove them now
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace freshness
