#include "probes/s3_prober.h"

#include <cstdlib>

#include "probes/aws_credentials.h"
#include "probes/http_head.h"
#include "probes/scheme_router.h"
#include "probes/uri_encode.h"
#include "util/check_error.h"

namespace freshness {
namespace {

// SHA-256 of the empty payload: a HEAD or GET sends none, and S3 wants its hash signed.
constexpr const char* kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

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
  const AwsCredentials credentials =
      ResolveAwsCredentials(options_.profile, options_.credentials_file);
  // libcurl signs (CURLOPT_AWS_SIGV4) every header sent, these included; S3 wants the payload's
  // hash in a header of its own, and curl (7.88) does not add it.
  std::vector<std::string> headers = {"x-amz-content-sha256: " + std::string(kEmptyPayloadSha256)};
  if (!credentials.session_token.empty()) {
    headers.push_back("x-amz-security-token: " + credentials.session_token);
  }
  const AwsSigning signing{region, "s3", credentials.access_key_id, credentials.secret_access_key};
  // S3 does not redirect HEAD usefully (a wrong region answers 301 without a body).
  ObjectInfo info = HeadObject(FormatHttpUrl(url), headers, signing, timeout, shown, false);
  info.location = shown;
  return info;
}

namespace {

std::optional<std::string> ValidateS3Location(const std::string& location) {
  const std::string rest = location.substr(location.find("://") + 3);
  const std::size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string::npos || slash + 1 == rest.size()) {
    return "expected s3://bucket/key";
  }
  return std::nullopt;
}

}  // namespace

FRESHNESS_REGISTER_PROBE_SCHEME((ProbeScheme{
    {"s3"}, false, "s3://", 30, ValidateS3Location, [](const ProbeOptions& options) {
      return std::make_shared<S3Prober>(options.s3);
    }}))

}  // namespace freshness
