#include "probes/aws_credentials.h"

#include <cstdlib>
#include <fstream>

#include "util/check_error.h"

namespace freshness {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string Trim(const std::string& text) {
  const std::size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

}  // namespace

AwsCredentials ResolveAwsCredentials(const std::string& profile, const std::string& file) {
  AwsCredentials credentials;
  credentials.access_key_id = Env("AWS_ACCESS_KEY_ID");
  credentials.secret_access_key = Env("AWS_SECRET_ACCESS_KEY");
  if (!credentials.access_key_id.empty() && !credentials.secret_access_key.empty()) {
    credentials.session_token = Env("AWS_SESSION_TOKEN");
    return credentials;
  }
  std::string path = file;
  if (path.empty()) path = Env("AWS_SHARED_CREDENTIALS_FILE");
  if (path.empty() && !Env("HOME").empty()) path = Env("HOME") + "/.aws/credentials";
  std::string wanted = profile;
  if (wanted.empty()) wanted = Env("AWS_PROFILE");
  if (wanted.empty()) wanted = "default";
  const std::string missing =
      "no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and profile \"" +
      wanted + "\" ";
  std::ifstream input(path);
  if (path.empty() || !input) {
    throw CheckError(ErrorReason::kProbe, missing + "cannot be read (credentials file " +
                                              (path.empty() ? "unset" : path) + ")");
  }
  AwsCredentials from_file;
  bool in_profile = false;
  for (std::string line; std::getline(input, line);) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_profile = Trim(line.substr(1, line.size() - 2)) == wanted;
      continue;
    }
    if (!in_profile) continue;
    const std::size_t equals = line.find('=');
    if (equals == std::string::npos) continue;
    const std::string key = Trim(line.substr(0, equals));
    const std::string value = Trim(line.substr(equals + 1));
    if (key == "aws_access_key_id") from_file.access_key_id = value;
    if (key == "aws_secret_access_key") from_file.secret_access_key = value;
    if (key == "aws_session_token") from_file.session_token = value;
  }
  if (from_file.access_key_id.empty() || from_file.secret_access_key.empty()) {
    throw CheckError(ErrorReason::kProbe, missing +
                                              "has no aws_access_key_id and "
                                              "aws_secret_access_key in " +
                                              path);
  }
  return from_file;
}

}  // namespace freshness
