#include "probes/http_head.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "probes/connection_watchdog.h"
#include "probes/http_date.h"
#include "util/check_error.h"
#include "util/duration.h"
#include "util/first_success_latch.h"

namespace freshness {
namespace {

[[noreturn]] void Fail(const std::string& shown, const std::string& why) {
  throw CheckError(ErrorReason::kProbe, "HEAD " + shown + ": " + why);
}

// httplib reports every failure to connect alike; resolving again tells DNS apart (only on
// this failure path, so a healthy probe resolves once).
std::string DiagnoseConnection(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int status = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (found != nullptr) ::freeaddrinfo(found);
  if (status != 0) return "DNS: cannot resolve " + host + " (" + ::gai_strerror(status) + ")";
  return "cannot connect to " + host + ":" + std::to_string(port) +
         " (refused, unreachable or timed out)";
}

// httplib reports a reset, a clean close, a timeout and an unparsable answer alike (Read); the
// watchdog's deadline and whether any bytes arrived tell them apart. A reset and a clean close
// stay indistinguishable: httplib consumes the socket error.
std::string DescribeExchangeFailure(httplib::Error error, const HttpUrl& url,
                                    std::chrono::milliseconds timeout,
                                    std::chrono::milliseconds elapsed,
                                    const ConnectionWatchdog& watchdog) {
  const std::string within = FormatDuration(timeout);
  if (error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout) {
    if (watchdog.Expired()) {
      return "timeout: cannot connect to " + url.host + ":" + std::to_string(url.port) +
             " within " + within;
    }
    return DiagnoseConnection(url.host, url.port);
  }
  if (error != httplib::Error::Read && error != httplib::Error::Write &&
      error != httplib::Error::Canceled && error != httplib::Error::Unknown) {
    return httplib::to_string(error);
  }
  const bool received = watchdog.ReceivedData();
  if (watchdog.Expired()) {
    if (!received) {
      return "timeout: no response within " + within + " (connected; nothing received)";
    }
    return "timeout: no complete response header within " + within +
           " (bytes arrived, but too slowly or without end)";
  }
  const std::string after = "after " + FormatDuration(elapsed);
  if (received) {
    return "malformed or incomplete response (the server sent bytes that are not a complete "
           "HTTP response header; " +
           after + ")";
  }
  if (error == httplib::Error::Write) {
    return "connection closed or reset by the server while sending the request (" + after + ")";
  }
  return "connection closed or reset by the server before any response (" + after + ")";
}

}  // namespace

HttpUrl ParseHttpUrl(const std::string& url) {
  HttpUrl parsed;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) Fail(url, "not an absolute URL");
  parsed.scheme = url.substr(0, scheme_end);
  if (parsed.scheme != "http" && parsed.scheme != "https") Fail(url, "unsupported scheme");
  const std::size_t authority_start = scheme_end + 3;
  const std::size_t path_start = url.find_first_of("/?#", authority_start);
  const std::string authority =
      url.substr(authority_start, path_start == std::string::npos ? std::string::npos
                                                                  : path_start - authority_start);
  parsed.path_and_query = path_start == std::string::npos ? "/" : url.substr(path_start);
  parsed.path_and_query = parsed.path_and_query.substr(0, parsed.path_and_query.find('#'));
  if (parsed.path_and_query.empty() || parsed.path_and_query[0] != '/') {
    parsed.path_and_query = "/" + parsed.path_and_query;
  }
  parsed.port = parsed.scheme == "https" ? 443 : 80;
  std::string host = authority;
  if (!host.empty() && host[0] == '[') {  // [IPv6]:port
    const std::size_t close = host.find(']');
    if (close == std::string::npos) Fail(url, "malformed IPv6 host");
    if (close + 1 < host.size() && host[close + 1] == ':') {
      const std::string port = host.substr(close + 2);
      if (port.empty() || !std::all_of(port.begin(), port.end(), ::isdigit)) Fail(url, "bad port");
      parsed.port = std::stoi(port);
    }
    host = host.substr(1, close - 1);
  } else if (const std::size_t colon = host.rfind(':'); colon != std::string::npos) {
    const std::string port = host.substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit)) {
      Fail(url, "bad port");
    }
    parsed.port = std::stoi(port);
    host = host.substr(0, colon);
  }
  if (host.empty()) Fail(url, "no host");
  parsed.host = host;
  return parsed;
}

namespace {

constexpr int kMaxRedirects = 5;

// Under ThreadSanitizer, exchanges run one at a time until one has read a response (and so
// built httplib's response-line regex).
FirstSuccessLatch first_response;

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The target of a redirect, relative to the URL that answered it.
HttpUrl ResolveLocation(const HttpUrl& from, const std::string& location,
                        const std::string& shown) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) {
    return ParseHttpUrl(location);
  }
  if (location.rfind("//", 0) == 0) return ParseHttpUrl(from.scheme + ":" + location);
  if (location.empty()) Fail(shown, "redirect without a Location");
  HttpUrl to = from;
  if (location[0] == '/') {
    to.path_and_query = location;
  } else {  // relative to the directory of the current path
    const std::string path = from.path_and_query.substr(0, from.path_and_query.find('?'));
    to.path_and_query = path.substr(0, path.rfind('/') + 1) + location;
  }
  to.path_and_query = to.path_and_query.substr(0, to.path_and_query.find('#'));
  return to;
}

// One HEAD exchange, bounded as a whole by `deadline`. The client is built from host and port,
// and redirects are followed here, not by httplib: its URL-string constructor and its redirect
// code parse with function-local static regexes; here every hop shares the one deadline.
httplib::Result Exchange(const HttpUrl& url, const httplib::Headers& headers,
                         std::chrono::steady_clock::time_point deadline,
                         std::chrono::milliseconds timeout, const std::string& shown) {
  std::unique_ptr<httplib::ClientImpl> client;
  if (url.scheme == "https") {
    client = std::make_unique<httplib::SSLClient>(url.host, url.port);
  } else {
    client = std::make_unique<httplib::ClientImpl>(url.host, url.port);
  }
  if (!client->is_valid()) Fail(shown, "cannot create a client for this URL");
  // The watchdog owns the deadline of the whole exchange. httplib's own timeouts (per connect,
  // read and write) are only a backstop, set a little later so that they never fire first: a
  // timeout is then always reported as one, never as a closed connection.
  const auto started = std::chrono::steady_clock::now();
  const auto backstop = std::chrono::duration_cast<std::chrono::microseconds>(deadline - started) +
                        std::chrono::milliseconds(250);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(backstop);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(backstop - seconds);
  client->set_connection_timeout(static_cast<time_t>(seconds.count()),
                                 static_cast<time_t>(micros.count()));
  client->set_read_timeout(static_cast<time_t>(seconds.count()),
                           static_cast<time_t>(micros.count()));
  client->set_write_timeout(static_cast<time_t>(seconds.count()),
                            static_cast<time_t>(micros.count()));
  client->set_follow_location(false);
  client->set_url_encode(false);  // paths are sent exactly as given (and as signed)
  ConnectionWatchdog watchdog(deadline);
  client->set_socket_options([&watchdog](int socket) { watchdog.Attach(socket); });
  FirstSuccessLatch::Turn turn(first_response);
  httplib::Result result = client->Head(url.path_and_query.c_str(), headers);
  if (result) turn.Succeeded();
  if (!result) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    Fail(shown, DescribeExchangeFailure(result.error(), url, timeout, elapsed, watchdog));
  }
  return result;
}

}  // namespace

ObjectInfo HeadObject(const HttpUrl& url, const std::multimap<std::string, std::string>& headers,
                      std::chrono::milliseconds timeout, const std::string& shown,
                      bool follow_redirects) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const httplib::Headers request_headers(headers.begin(), headers.end());
  HttpUrl current = url;
  httplib::Result result = Exchange(current, request_headers, deadline, timeout, shown);
  for (int redirects = 0; follow_redirects && IsRedirect(result->status); ++redirects) {
    if (redirects == kMaxRedirects) {
      Fail(shown, "more than " + std::to_string(kMaxRedirects) + " redirects");
    }
    current = ResolveLocation(current, result->get_header_value("Location"), shown);
    result = Exchange(current, request_headers, deadline, timeout, shown);
  }
  const int status = result->status;
  if (status == 404 || status == 410) return ObjectInfo{false, {}, std::nullopt, shown};
  if (status == 401 || status == 403) {
    Fail(shown, "HTTP " + std::to_string(status) + " (access denied or invalid credentials)");
  }
  if (status >= 500 && status <= 599) {
    Fail(shown, "HTTP " + std::to_string(status) + " (server error)");
  }
  if (status < 200 || status > 299) Fail(shown, "HTTP " + std::to_string(status));
  ObjectInfo info;
  info.exists = true;
  info.location = shown;
  if (!result->has_header("Last-Modified")) Fail(shown, "response has no Last-Modified header");
  const std::string last_modified = result->get_header_value("Last-Modified");
  const std::optional<TimePoint> modified = ParseHttpDate(last_modified);
  if (!modified) Fail(shown, "malformed Last-Modified \"" + last_modified.substr(0, 64) + "\"");
  info.modified = *modified;
  if (result->has_header("Content-Length")) {
    const std::string length = result->get_header_value("Content-Length");
    if (length.empty() || length.size() > 19 ||
        !std::all_of(length.begin(), length.end(), ::isdigit)) {
      Fail(shown, "malformed Content-Length \"" + length.substr(0, 32) + "\"");
    }
    info.size = std::stoull(length);
  }
  return info;
}

}  // namespace freshness
