#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace freshness {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

// One request to sign. Header names are lower case; `canonical_uri` is already URI-encoded
// exactly as it is sent; `query` holds decoded name/value pairs.
struct SignableRequest {
  std::string method;
  std::string canonical_uri;
  std::vector<std::pair<std::string, std::string>> query;
  std::map<std::string, std::string> headers;
  std::string payload_sha256_hex;
};

// AWS Signature Version 4 (docs.aws.amazon.com, "Signature Version 4 signing process").
// The S3 prober lets libcurl sign its requests (CURLOPT_AWS_SIGV4); this signer is what the
// tests' S3 server helper signs with (and UriEncode and Sha256Hex serve the prober too).
class SigV4Signer {
 public:
  SigV4Signer(std::string region, std::string service);

  // The Authorization header value for `request` at `time`; the request's headers must
  // already hold x-amz-date (the same `time`) and every header to sign.
  std::string Authorization(const SignableRequest& request, const AwsCredentials& credentials,
                            std::chrono::sys_seconds time) const;

  // The intermediate strings, exposed for tests against the published examples.
  std::string CanonicalRequest(const SignableRequest& request) const;
  std::string StringToSign(const SignableRequest& request, std::chrono::sys_seconds time) const;

 private:
  std::string Scope(std::chrono::sys_seconds time) const;

  std::string region_;
  std::string service_;
};

// "20130524T000000Z", the x-amz-date format.
std::string AmzDate(std::chrono::sys_seconds time);
// RFC 3986 percent-encoding of everything but unreserved characters (and '/' when kept).
std::string UriEncode(const std::string& text, bool keep_slash);
std::string Sha256Hex(const std::string& data);

}  // namespace freshness
