#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "probes/transfer_engine.h"

namespace freshness {
namespace {

// Accepts one connection on 127.0.0.1, keeps the request header it reads and answers 200.
class CaptureServer {
 public:
  CaptureServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener_, 1), 0);
    EXPECT_EQ(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      const int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) return;
      char buffer[4096];
      while (request_.find("\r\n\r\n") == std::string::npos) {
        const ssize_t got = ::recv(connection, buffer, sizeof buffer, 0);
        if (got <= 0) break;
        request_.append(buffer, static_cast<std::size_t>(got));
      }
      const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
      [[maybe_unused]] const ssize_t sent = ::send(connection, answer.data(), answer.size(), 0);
      ::close(connection);
    });
  }
  ~CaptureServer() {
    ::shutdown(listener_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }
  CaptureServer(const CaptureServer&) = delete;
  CaptureServer& operator=(const CaptureServer&) = delete;

  int port() const { return port_; }
  // Waits for the exchange to end.
  const std::string& request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  int listener_ = -1;
  int port_ = 0;
  std::string request_;
  std::thread thread_;
};

// The S3 prober leaves the signature to libcurl (CURLOPT_AWS_SIGV4, provider "aws:amz",
// service "s3"). This holds curl to the "GET Object" example of the S3 Signature Version 4
// documentation.
TEST(CurlSigV4Test, MatchesThePublishedGetObjectExample) {
  TransferEngine::Instance();  // curl_global_init, once
  CaptureServer server;
  CURL* easy = curl_easy_init();
  curl_slist* connect_to = curl_slist_append(
      nullptr,
      ("examplebucket.s3.amazonaws.com:80:127.0.0.1:" + std::to_string(server.port())).c_str());
  curl_slist* headers = curl_slist_append(nullptr, "Range: bytes=0-9");
  headers = curl_slist_append(
      headers,
      "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  headers = curl_slist_append(headers, "x-amz-date: 20130524T000000Z");
  curl_easy_setopt(easy, CURLOPT_URL, "http://examplebucket.s3.amazonaws.com/test.txt");
  curl_easy_setopt(easy, CURLOPT_CONNECT_TO, connect_to);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
  curl_easy_setopt(easy, CURLOPT_USERNAME, "AKIAIOSFODNN7EXAMPLE");
  curl_easy_setopt(easy, CURLOPT_PASSWORD, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5'000L);
  const CURLcode code = curl_easy_perform(easy);
  curl_easy_cleanup(easy);
  curl_slist_free_all(headers);
  curl_slist_free_all(connect_to);
  ASSERT_EQ(code, CURLE_OK) << curl_easy_strerror(code);
  EXPECT_NE(server.request().find(
                "Authorization: AWS4-HMAC-SHA256 "
                "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\r\n"),
            std::string::npos)
      << server.request();
}

}  // namespace
}  // namespace freshness
