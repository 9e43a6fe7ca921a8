#pragma once

#include <map>
#include <optional>
#include <string>

namespace freshness {

// --web.config.file in the Prometheus exporter-toolkit format (the subset this exporter
// serves): tls_server_config.{cert_file,key_file} and basic_auth_users {user: bcrypt hash}.
struct WebConfig {
  std::string cert_file;
  std::string key_file;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash

  bool tls() const { return !cert_file.empty(); }
  bool auth() const { return !basic_auth_users.empty(); }
};

// Throws ConfigError (file, line, column, key) for unknown keys, missing files or hashes that
// are not bcrypt.
WebConfig LoadWebConfig(const std::string& path);

// Checks a password against a bcrypt hash (libxcrypt); constant-time comparison of the result.
bool VerifyBcrypt(const std::string& password, const std::string& hash);

}  // namespace freshness
