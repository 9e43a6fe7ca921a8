#include "http/web_config.h"

#include <crypt.h>
#include <openssl/crypto.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config_error.h"
#include "config/mapping_reader.h"

namespace freshness {
namespace {

std::string Resolve(const std::string& base_file, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_file).parent_path() / path).lexically_normal().string();
}

}  // namespace

WebConfig LoadWebConfig(const std::string& path) {
  std::ifstream input(path);
  if (!input) throw ConfigError(path, "cannot read file");
  std::stringstream buffer;
  buffer << input.rdbuf();
  YAML::Node document;
  try {
    document = YAML::Load(buffer.str());
  } catch (const YAML::Exception& error) {
    throw ConfigError(ToSourceMark(path, error.mark), "", "invalid YAML: " + error.msg);
  }
  WebConfig config;
  if (!document.IsDefined() || document.IsNull()) return config;
  MappingReader root(document, path, "");
  if (std::optional<MappingReader> tls = root.OptionalMapping("tls_server_config")) {
    config.cert_file = Resolve(path, tls->RequiredString("cert_file"));
    config.key_file = Resolve(path, tls->RequiredString("key_file"));
    for (const auto& [key, file] :
         {std::pair{"cert_file", config.cert_file}, std::pair{"key_file", config.key_file}}) {
      if (!std::ifstream(file)) tls->Fail(key, "cannot read \"" + file + "\"");
    }
    tls->RejectUnknownKeys();
  }
  config.basic_auth_users = root.StringMap("basic_auth_users");
  for (const auto& [user, hash] : config.basic_auth_users) {
    if (hash.rfind("$2", 0) != 0) {
      root.Fail("basic_auth_users", "user \"" + user + "\": password must be a bcrypt hash");
    }
  }
  root.RejectUnknownKeys();
  return config;
}

bool VerifyBcrypt(const std::string& password, const std::string& hash) {
  crypt_data data{};
  const char* result = crypt_r(password.c_str(), hash.c_str(), &data);
  if (result == nullptr || result[0] == '*') return false;
  const std::string computed(result);
  return computed.size() == hash.size() &&
         CRYPTO_memcmp(computed.data(), hash.data(), hash.size()) == 0;
}

}  // namespace freshness
