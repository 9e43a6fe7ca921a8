#include "probes/s3_prober.h"

#include <cstdlib>

#include "probes/aws_credentials.h"
#include "probes/http_head.h"
#include "probes/sigv4_signer.h"
#include "util/check_error.h"

namespace freshness {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

S3Prober::S3Prober(S3Options options) : options_(std::move(options)) {}

ObjectInfo S3Prober::Probe(const std::string& location, std::chrono::milliseconds timeout,
                           TimePoint) const {
  constexpr std::string_view kScheme = "s3://";
  const std::string rest = location.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  if (location.rfind(kScheme.data(), 0) != 0 || slash == std::string::npos || slash == 0) {
    throw CheckError(ErrorReason::kProbe, "not an s3://bucket/key location: " + location);
  }
  const std::string bucket = rest.substr(0, slash);
  const std::string key = rest.substr(slash + 1);
  const std::string shown = "s3://" + bucket + "/" + key;

  std::string region = options_.region;
  if (region.empty()) region = Env("AWS_REGION");
  if (region.empty()) region = Env("AWS_DEFAULT_REGION");
  if (region.empty()) region = "us-east-1";
  const std::string endpoint =
      options_.endpoint.empty() ? "https://s3." + region + ".amazonaws.com" : options_.endpoint;
  const bool path_style = options_.path_style.value_or(!options_.endpoint.empty());

  HttpUrl url = ParseHttpUrl(endpoint);
  std::string base_path = url.path_and_query;
  while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
  const std::string encoded_key = UriEncode(key, true);
  if (path_style) {
    url.path_and_query = base_path + "/" + UriEncode(bucket, false) + "/" + encoded_key;
  } else {
    url.host = bucket + "." + url.host;
    url.path_and_query = base_path + "/" + encoded_key;
  }
  const bool default_port =
      (url.scheme == "https" && url.port == 443) || (url.scheme == "http" && url.port == 80);
  const std::string host_header = url.host + (default_port ? "" : ":" + std::to_string(url.port));

  const AwsCredentials credentials =
      ResolveAwsCredentials(options_.profile, options_.credentials_file);
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  SignableRequest request;
  request.method = "HEAD";
  request.canonical_uri = url.path_and_query;
  request.payload_sha256_hex = Sha256Hex("");
  request.headers["host"] = host_header;
  request.headers["x-amz-content-sha256"] = request.payload_sha256_hex;
  request.headers["x-amz-date"] = AmzDate(now);
  if (!credentials.session_token.empty()) {
    request.headers["x-amz-security-token"] = credentials.session_token;
  }
  const SigV4Signer signer(region, "s3");
  std::multimap<std::string, std::string> headers;
  headers.emplace("Host", host_header);
  for (const auto& [name, value] : request.headers) {
    if (name != "host") headers.emplace(name, value);
  }
  headers.emplace("Authorization", signer.Authorization(request, credentials, now));
  // S3 does not redirect HEAD usefully (a wrong region answers 301 without a body).
  ObjectInfo info = HeadObject(url, headers, timeout, shown, false);
  info.location = shown;
  return info;
}

}  // namespace freshness
