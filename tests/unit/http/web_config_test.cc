#include "http/web_config.h"

#include <crypt.h>
#include <gtest/gtest.h>

#include "config/config_error.h"
#include "http/web_server.h"
#include "support/child_process.h"

namespace freshness {
namespace {

std::string BcryptHash(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt), nullptr);
  crypt_data data{};
  return crypt_r(password.c_str(), salt, &data);
}

TEST(WebConfigTest, VerifiesBcryptPasswords) {
  const std::string hash = BcryptHash("correct horse");
  EXPECT_TRUE(VerifyBcrypt("correct horse", hash));
  EXPECT_FALSE(VerifyBcrypt("correct horse ", hash));
  EXPECT_FALSE(VerifyBcrypt("", hash));
  EXPECT_FALSE(VerifyBcrypt("correct horse", "not-a-hash"));
}

TEST(WebConfigTest, LoadsUsersAndRejectsPlainPasswordsAndUnknownKeys) {
  testing::TempDir dir;
  const std::string hash = BcryptHash("secret");
  const WebConfig config =
      LoadWebConfig(dir.Write("ok.yml", "basic_auth_users:\n  prometheus: '" + hash + "'\n"));
  EXPECT_TRUE(config.auth());
  EXPECT_FALSE(config.tls());
  EXPECT_EQ(config.basic_auth_users.at("prometheus"), hash);

  const std::string plain = dir.Write("plain.yml", "basic_auth_users:\n  prometheus: secret\n");
  try {
    LoadWebConfig(plain);
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_EQ(
        std::string(error.what()),
        plain + ":1:1: basic_auth_users: user \"prometheus\": password must be a bcrypt hash");
    EXPECT_EQ(std::string(error.what()).find("secret\""), std::string::npos);
  }
  const std::string unknown = dir.Write("unknown.yml", "http_server_config: {http2: true}\n");
  EXPECT_THROW(LoadWebConfig(unknown), ConfigError);
  const std::string missing_cert =
      dir.Write("tls.yml", "tls_server_config: {cert_file: nope.crt, key_file: nope.key}\n");
  try {
    LoadWebConfig(missing_cert);
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("tls_server_config.cert_file: cannot read"),
              std::string::npos)
        << error.what();
  }
}

TEST(ListenAddressTest, ParsesHostPortForms) {
  EXPECT_EQ(ParseListenAddress(":9560"), (std::pair<std::string, int>{"0.0.0.0", 9560}));
  EXPECT_EQ(ParseListenAddress("127.0.0.1:0"), (std::pair<std::string, int>{"127.0.0.1", 0}));
  EXPECT_EQ(ParseListenAddress("[::1]:80"), (std::pair<std::string, int>{"::1", 80}));
  EXPECT_THROW(ParseListenAddress("9560"), std::invalid_argument);
  EXPECT_THROW(ParseListenAddress("host:port"), std::invalid_argument);
  EXPECT_THROW(ParseListenAddress("host:70000"), std::invalid_argument);
  EXPECT_THROW(ParseListenAddress("host:80x"), std::invalid_argument);
}

}  // namespace
}  // namespace freshness
