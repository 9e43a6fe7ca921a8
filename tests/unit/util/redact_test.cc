#include "util/redact.h"

#include <gtest/gtest.h>

#include <sstream>

#include "log/logger.h"

namespace freshness {
namespace {

TEST(RedactTextTest, RemovesPasswordsFromConnectionStringsUrlsAndKeys) {
  EXPECT_EQ(RedactSecrets("host=db password=hunter2 user=x"), "host=db password=<redacted> user=x");
  EXPECT_EQ(RedactSecrets("host=db password='two words' user=x"),
            "host=db password=<redacted> user=x");
  EXPECT_EQ(RedactSecrets("postgres://app:hunter2@db:5432/x"),
            "postgres://app:<redacted>@db:5432/x");
  EXPECT_EQ(RedactSecrets("aws_secret_access_key = wJalrXUtnFEMI"),
            "aws_secret_access_key = <redacted>");
  EXPECT_EQ(RedactSecrets("nothing to hide here"), "nothing to hide here");
}

TEST(LoggerTest, WritesLogfmtAndJsonWithoutSecrets) {
  std::ostringstream logfmt_out;
  Logger logfmt(LogLevel::kInfo, LogFormat::kLogfmt, logfmt_out);
  logfmt.Debug("hidden");
  logfmt.Warn("check failed", {{"check", "telemetry"}, {"err", "password=hunter2 refused"}});
  const std::string line = logfmt_out.str();
  EXPECT_EQ(line.find("hidden"), std::string::npos);
  EXPECT_NE(line.find("level=warn msg=\"check failed\" check=telemetry "
                      "err=\"password=<redacted> refused\""),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find("hunter2"), std::string::npos);

  std::ostringstream json_out;
  Logger json(LogLevel::kDebug, LogFormat::kJson, json_out);
  json.Error("cannot connect", {{"dsn", "postgres://u:hunter2@h/db"}});
  EXPECT_NE(json_out.str().find("\"level\":\"error\""), std::string::npos);
  EXPECT_NE(json_out.str().find("\"msg\":\"cannot connect\""), std::string::npos);
  EXPECT_EQ(json_out.str().find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace freshness
