#include "probes/aws_credentials.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "util/check_error.h"

namespace freshness {
namespace {

// Saves and restores the AWS variables so each test controls its environment.
class AwsCredentialsTest : public ::testing::Test {
 protected:
  static constexpr const char* kVariables[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                               "AWS_SESSION_TOKEN", "AWS_PROFILE",
                                               "AWS_SHARED_CREDENTIALS_FILE"};
  void SetUp() override {
    for (const char* name : kVariables) {
      if (const char* value = std::getenv(name)) saved_[name] = value;
      ::unsetenv(name);
    }
    std::string pattern =
        (std::filesystem::temp_directory_path() / "aws_credentials_XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    ASSERT_GE(fd, 0);
    ::close(fd);
    file_ = pattern;
    std::ofstream(file_) << "[default]\naws_access_key_id = DEFAULTID\n"
                            "aws_secret_access_key = defaultsecret\n\n"
                            "[ci]\naws_access_key_id=CIID\naws_secret_access_key=cisecret\n"
                            "aws_session_token=citoken\n";
  }
  void TearDown() override {
    for (const char* name : kVariables) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
    std::filesystem::remove(file_);
  }
  std::map<std::string, std::string> saved_;
  std::string file_;
};

TEST_F(AwsCredentialsTest, EnvironmentWins) {
  ::setenv("AWS_ACCESS_KEY_ID", "ENVID", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  const AwsCredentials credentials = ResolveAwsCredentials("", file_);
  EXPECT_EQ(credentials.access_key_id, "ENVID");
  EXPECT_EQ(credentials.secret_access_key, "envsecret");
}

TEST_F(AwsCredentialsTest, ProfilesFromTheCredentialsFile) {
  EXPECT_EQ(ResolveAwsCredentials("", file_).access_key_id, "DEFAULTID");
  const AwsCredentials ci = ResolveAwsCredentials("ci", file_);
  EXPECT_EQ(ci.secret_access_key, "cisecret");
  EXPECT_EQ(ci.session_token, "citoken");
  ::setenv("AWS_PROFILE", "ci", 1);
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", file_.c_str(), 1);
  EXPECT_EQ(ResolveAwsCredentials("", "").access_key_id, "CIID");
}

TEST_F(AwsCredentialsTest, MissingProfileErrorNamesNoSecret) {
  try {
    ResolveAwsCredentials("nope", file_);
    FAIL() << "no error";
  } catch (const CheckError& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.reason(), ErrorReason::kProbe);
    EXPECT_NE(message.find("profile \"nope\""), std::string::npos) << message;
    EXPECT_EQ(message.find("defaultsecret"), std::string::npos) << message;
    EXPECT_EQ(message.find("cisecret"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace freshness
