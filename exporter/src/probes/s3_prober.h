#pragma once

#include <optional>
#include <string>

#include "probes/object_prober.h"

namespace freshness {

// Where and how to reach an S3 API (AWS or an S3-compatible store).
struct S3Options {
  std::string endpoint;  // "" = https://s3.<region>.amazonaws.com
  std::string region;    // "" = $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1
  // Path-style (endpoint/bucket/key) or virtual-hosted (bucket.endpoint/key) addressing;
  // unset = path-style for a custom endpoint, virtual-hosted for AWS.
  std::optional<bool> path_style;
  std::string profile;           // "" = $AWS_PROFILE, else "default"
  std::string credentials_file;  // "" = $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
};

// s3://bucket/key: a HeadObject request signed with AWS Signature Version 4. Credentials are
// read at each probe (so rotated keys are picked up) and never appear in errors. 404 means
// missing; 403 and other statuses are probe errors.
class S3Prober final : public ObjectProber {
 public:
  explicit S3Prober(S3Options options);
  ObjectInfo Probe(const std::string& location, std::chrono::milliseconds timeout,
                   TimePoint not_after) const override;
  const S3Options& options() const { return options_; }

 private:
  S3Options options_;
};

}  // namespace freshness
