#include "probes/transfer_engine.h"

#include <curl/curl.h>
#include <linux/tcp.h>  // the kernel's tcp_info, with tcpi_data_segs_in
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <string_view>

namespace freshness {

// One exchange. The engine thread owns it from submission until `done`; the caller reads
// `result` only after that (both under the engine's mutex).
struct TransferEngine::Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  std::chrono::steady_clock::time_point started;
  HeadResult result;
  bool done = false;
  std::condition_variable finished;  // notified (under the engine's mutex) once `done`

  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
  }
};

namespace {

using Transfer = TransferEngine::Transfer;

// The last response's header lines; a status line (a new response, after a redirect or a 100)
// starts over, a blank line ends it. A line longer than kMaxHeaderLine aborts the transfer.
// (curl reports a header cut short by the server's close as a complete HEAD response.)
std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  transfer->result.received_data = true;
  if (length > TransferEngine::kMaxHeaderLine) {
    transfer->result.header_too_long = true;
    return 0;
  }
  std::string_view line(data, length);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    transfer->result.headers.clear();
    transfer->result.header_complete = false;
    return length;
  }
  if (line.empty()) {
    transfer->result.header_complete = true;
    return length;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return length;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  transfer->result.headers.emplace(std::move(name), std::string(value));
  return length;
}

// HEAD has no body; anything else the server sends is dropped, never printed.
std::size_t Discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

// Before curl closes a connection (connections are never reused, so this is the transfer's
// own), the kernel tells whether the server sent any payload: curl reports a reset, a close and
// an unparsable answer with similar codes.
int OnCloseSocket(void* user, curl_socket_t socket) {
  auto* transfer = static_cast<Transfer*>(user);
  tcp_info info{};
  socklen_t length = sizeof info;
  // tcpi_bytes_received would count a FIN as one byte; data segments carry payload only.
  if (::getsockopt(socket, IPPROTO_TCP, TCP_INFO, &info, &length) == 0 &&
      info.tcpi_data_segs_in > 0) {
    transfer->result.received_data = true;
  }
  return ::close(socket);
}

// Reads what curl knows about a finished transfer into its result.
void Finish(Transfer& transfer, CURLcode code) {
  HeadResult& result = transfer.result;
  result.curl_code = code;
  result.curl_error = transfer.error;
  if (result.curl_error.empty() && code != CURLE_OK) result.curl_error = curl_easy_strerror(code);
  long status = 0;
  curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &status);
  result.status = status;
  curl_off_t connect_time = 0;
  curl_easy_getinfo(transfer.easy, CURLINFO_CONNECT_TIME_T, &connect_time);
  result.connected = connect_time > 0 || status != 0;
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - transfer.started);
}

}  // namespace

TransferEngine& TransferEngine::Instance() {
  static TransferEngine engine;
  return engine;
}

TransferEngine::TransferEngine() {
  // Once per process (this constructor runs once); no signal handlers are installed because
  // every handle sets CURLOPT_NOSIGNAL.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  multi_ = curl_multi_init();
  thread_ = std::thread([this] { Run(); });
}

TransferEngine::~TransferEngine() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  if (thread_.joinable()) thread_.join();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
  curl_global_cleanup();
}

HeadResult TransferEngine::Head(const HeadRequest& request) {
  auto transfer = std::make_shared<Transfer>();
  CURL* easy = curl_easy_init();
  transfer->easy = easy;
  const long timeout_ms = std::max<long>(1, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, static_cast<long>(kMaxRedirects));
  curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L);  // sent exactly as given (and as signed)
  curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "freshness_exporter/" FRESHNESS_VERSION);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &OnCloseSocket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, transfer.get());
  for (const std::string& header : request.headers) {
    transfer->headers = curl_slist_append(transfer->headers, header.c_str());
  }
  if (transfer->headers != nullptr) curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers);
  if (!request.aws_sigv4.empty()) {
    curl_easy_setopt(easy, CURLOPT_AWS_SIGV4, request.aws_sigv4.c_str());
    curl_easy_setopt(easy, CURLOPT_USERNAME, request.access_key_id.c_str());
    curl_easy_setopt(easy, CURLOPT_PASSWORD, request.secret_access_key.c_str());
  }
  transfer->started = std::chrono::steady_clock::now();

  std::unique_lock<std::mutex> lock(mutex_);
  submitted_.push_back(transfer);
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  // curl ends the transfer at its timeout; this bound only guards against a stalled engine.
  const auto give_up = transfer->started + request.timeout + std::chrono::seconds(2);
  if (transfer->finished.wait_until(lock, give_up, [&] { return transfer->done; })) {
    return std::move(transfer->result);
  }
  abandoned_.push_back(transfer);
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  HeadResult late;
  late.curl_code = CURLE_OPERATION_TIMEDOUT;
  late.curl_error = "the transfer engine did not answer in time";
  late.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - transfer->started);
  return late;
}

void TransferEngine::Run() {
  auto* multi = static_cast<CURLM*>(multi_);
  std::map<CURL*, std::shared_ptr<Transfer>> active;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) break;
      for (std::shared_ptr<Transfer>& transfer : submitted_) {
        if (curl_multi_add_handle(multi, transfer->easy) == CURLM_OK) {
          active.emplace(transfer->easy, std::move(transfer));
        } else {
          transfer->result.curl_code = CURLE_FAILED_INIT;
          transfer->result.curl_error = "cannot start the transfer";
          transfer->done = true;
          transfer->finished.notify_one();
        }
      }
      submitted_.clear();
      for (const std::shared_ptr<Transfer>& transfer : abandoned_) {
        const auto found = active.find(transfer->easy);
        if (found == active.end()) continue;
        curl_multi_remove_handle(multi, transfer->easy);
        active.erase(found);
      }
      abandoned_.clear();
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      const CURLcode code = message->data.result;
      const auto found = active.find(easy);
      curl_multi_remove_handle(multi, easy);  // `message` is invalid from here on
      if (found == active.end()) continue;
      Finish(*found->second, code);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        found->second->done = true;
        found->second->finished.notify_one();
      }
      active.erase(found);
    }
    curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  // Stopping: whatever is still in flight ends now.
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [easy, transfer] : active) {
    curl_multi_remove_handle(multi, easy);
    transfer->result.curl_code = CURLE_ABORTED_BY_CALLBACK;
    transfer->result.curl_error = "the exporter is shutting down";
    transfer->done = true;
    transfer->finished.notify_one();
  }
  for (std::shared_ptr<Transfer>& transfer : submitted_) {
    transfer->result.curl_code = CURLE_ABORTED_BY_CALLBACK;
    transfer->result.curl_error = "the exporter is shutting down";
    transfer->done = true;
    transfer->finished.notify_one();
  }
  submitted_.clear();
}

}  // namespace freshness
