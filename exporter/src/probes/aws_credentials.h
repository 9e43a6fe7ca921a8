#pragma once

#include <string>

namespace freshness {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

// Resolves AWS credentials the standard way: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
// (+ AWS_SESSION_TOKEN), else a profile of the shared credentials file. `profile` and `file`
// may be empty for the defaults ($AWS_PROFILE or "default"; $AWS_SHARED_CREDENTIALS_FILE or
// ~/.aws/credentials). Throws CheckError (reason probe) naming where it looked, never a value.
AwsCredentials ResolveAwsCredentials(const std::string& profile, const std::string& file);

}  // namespace freshness
