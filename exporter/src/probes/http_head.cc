#include "probes/http_head.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

#include "probes/transfer_engine.h"
#include "util/check_error.h"
#include "util/duration.h"

namespace freshness {
namespace {

[[noreturn]] void Fail(const std::string& shown, const std::string& why) {
  throw CheckError(ErrorReason::kProbe, "HEAD " + shown + ": " + why);
}

// Host and port of the URL the failure happened at (the last hop of a redirect chain), without
// any user info.
std::string Endpoint(const std::string& url) {
  CURLU* parsed = curl_url();
  std::string endpoint = "the server";
  if (curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(parsed, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      endpoint = std::string(host) + ":" + port;
    }
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(parsed);
  return endpoint;
}

std::string HostOf(const std::string& endpoint) { return endpoint.substr(0, endpoint.rfind(':')); }

bool IsRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Why an exchange ended without a response, in the words the probe errors have always used.
std::string DescribeFailure(const HeadResult& result, const std::string& url,
                            std::chrono::milliseconds timeout) {
  const std::string within = FormatDuration(timeout);
  const std::string after = "after " + FormatDuration(result.elapsed);
  const auto code = static_cast<CURLcode>(result.curl_code);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return "DNS: cannot resolve " + HostOf(Endpoint(url)) + " (" + result.curl_error + ")";
    case CURLE_COULDNT_CONNECT:
      return "cannot connect to " + Endpoint(url) + " (refused, unreachable or timed out)";
    case CURLE_OPERATION_TIMEDOUT:
      if (!result.connected) {
        return "timeout: cannot connect to " + Endpoint(url) + " within " + within;
      }
      if (!result.received_data) {
        return "timeout: no response within " + within + " (connected; nothing received)";
      }
      return "timeout: no complete response header within " + within +
             " (bytes arrived, but too slowly or without end)";
    case CURLE_TOO_MANY_REDIRECTS:
      return "more than " + std::to_string(TransferEngine::kMaxRedirects) + " redirects";
    case CURLE_URL_MALFORMAT:
      return "malformed URL";
    case CURLE_WRITE_ERROR:
      if (result.header_too_long) {
        return "malformed or incomplete response (a header line longer than " +
               std::to_string(TransferEngine::kMaxHeaderLine / 1024) + " KiB; " + after + ")";
      }
      break;
    case CURLE_UNSUPPORTED_PROTOCOL:
      // An answer that is not HTTP (curl takes it for HTTP/0.9, which it refuses), or a
      // redirect to a scheme other than http and https.
      if (result.status == 0 && result.received_data) break;
      return "unsupported protocol (" + result.curl_error + ")";
    case CURLE_SEND_ERROR:
      if (!result.received_data) {
        return "connection closed or reset by the server while sending the request (" + after + ")";
      }
      break;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
      break;
    default:
      return result.curl_error;
  }
  if (result.received_data) {
    return "malformed or incomplete response (the server sent bytes that are not a complete "
           "HTTP response header; " +
           after + ")";
  }
  return "connection closed or reset by the server before any response (" + after + ")";
}

const std::string* Header(const HeadResult& result, const std::string& name) {
  const auto found = result.headers.find(name);
  return found == result.headers.end() ? nullptr : &found->second;
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

std::string FormatHttpUrl(const HttpUrl& url) {
  const bool ipv6 = url.host.find(':') != std::string::npos;
  const std::string host = ipv6 ? "[" + url.host + "]" : url.host;
  const bool default_port =
      (url.scheme == "https" && url.port == 443) || (url.scheme == "http" && url.port == 80);
  return url.scheme + "://" + host + (default_port ? "" : ":" + std::to_string(url.port)) +
         url.path_and_query;
}

std::optional<TimePoint> ParseLastModified(const std::string& text) {
  const time_t seconds = curl_getdate(text.c_str(), nullptr);
  // curl_getdate takes every HTTP date form (and some looser ones); -1 is its failure. A date
  // past the clock's range (year 2262 in nanoseconds) would overflow.
  const auto latest =
      std::chrono::duration_cast<std::chrono::seconds>(TimePoint::max().time_since_epoch());
  if (seconds < 0 || seconds >= latest.count()) return std::nullopt;
  return TimePoint(std::chrono::seconds(seconds));
}

ObjectInfo HeadObject(const std::string& url, const std::vector<std::string>& headers,
                      const std::optional<AwsSigning>& signing, std::chrono::milliseconds timeout,
                      const std::string& shown, bool follow_redirects) {
  HeadRequest request;
  request.url = url;
  request.headers = headers;
  request.follow_redirects = follow_redirects;
  request.timeout = timeout;
  if (signing) {
    request.aws_sigv4 = "aws:amz:" + signing->region + ":" + signing->service;
    request.access_key_id = signing->access_key_id;
    request.secret_access_key = signing->secret_access_key;
  }
  const HeadResult result = TransferEngine::Instance().Head(request);
  if (result.curl_code != CURLE_OK) Fail(shown, DescribeFailure(result, url, timeout));
  if (!result.header_complete) {
    Fail(shown,
         "malformed or incomplete response (the server closed the connection within the response "
         "header; after " +
             FormatDuration(result.elapsed) + ")");
  }
  const long status = result.status;
  if (status == 404 || status == 410) return ObjectInfo{false, {}, std::nullopt, shown};
  if (status == 401 || status == 403) {
    Fail(shown, "HTTP " + std::to_string(status) + " (access denied or invalid credentials)");
  }
  if (status >= 500 && status <= 599) {
    Fail(shown, "HTTP " + std::to_string(status) + " (server error)");
  }
  if (follow_redirects && IsRedirect(status)) Fail(shown, "redirect without a Location");
  if (status < 200 || status > 299) Fail(shown, "HTTP " + std::to_string(status));
  ObjectInfo info;
  info.exists = true;
  info.location = shown;
  const std::string* last_modified = Header(result, "last-modified");
  if (last_modified == nullptr) Fail(shown, "response has no Last-Modified header");
  const std::optional<TimePoint> modified = ParseLastModified(*last_modified);
  if (!modified) Fail(shown, "malformed Last-Modified \"" + last_modified->substr(0, 64) + "\"");
  info.modified = *modified;
  if (const std::string* length = Header(result, "content-length")) {
    if (length->empty() || length->size() > 19 ||
        !std::all_of(length->begin(), length->end(), ::isdigit)) {
      Fail(shown, "malformed Content-Length \"" + length->substr(0, 32) + "\"");
    }
    info.size = std::stoull(*length);
  }
  return info;
}

}  // namespace freshness
