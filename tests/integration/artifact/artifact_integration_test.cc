#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <vector>

#include "checks/artifact_check.h"
#include "loader/config_loader.h"
#include "metrics/metric_names.h"
#include "support/child_process.h"
#include "support/fake_clock.h"
#include "support/fault_server.h"
#include "support/http_fixture_server.h"
#include "support/s3rver_server.h"

namespace freshness {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;

TimePoint NewYork(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  return date::locate_zone("America/New_York")
      ->to_sys(date::local_days(date::year{y} / m / d) + hours(hour) + minutes(minute),
               date::choose::earliest);
}

fs::path MakeTempDir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "_XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

void WriteFile(const fs::path& path, const std::string& content, TimePoint modified) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << content;
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(modified.time_since_epoch());
  const struct timespec times[2] = {{secs.count(), 0}, {secs.count(), 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

struct Outcome {
  std::string state;
  std::optional<Observation::Failure> failure;
  std::optional<double> modified;
  std::optional<double> missed_slots;
  CheckSummary summary;
};

// Loads a config and collects every check once at `now`, as one cycle of the collector would:
// each check within its own `timeout`, unless `budget` overrides them all.
std::map<std::string, Outcome> CollectAll(const std::string& yaml, const fs::path& config_file,
                                          TimePoint now,
                                          std::optional<Duration> budget = std::nullopt) {
  const Config config = LoadConfigString(yaml, config_file.string());
  testing::FakeClock clock(now);
  std::map<std::string, Outcome> outcomes;
  for (const auto& check : config.checks) {
    CollectContext context;
    context.clock = &clock;
    context.budget = budget.value_or(check->spec().timeout);
    const Observation observation = check->Collect(context);
    Outcome outcome;
    for (const Sample& sample : observation.samples) {
      if (sample.metric == metric::kArtifactState && sample.value == 1) {
        outcome.state = sample.labels.at("state");
      }
      if (sample.metric == metric::kArtifactModified) outcome.modified = sample.value;
      if (sample.metric == metric::kArtifactMissedSlots) outcome.missed_slots = sample.value;
    }
    outcome.failure = observation.failure;
    outcome.summary = check->Summarize(observation, now);
    outcomes[check->spec().name] = outcome;
  }
  return outcomes;
}

const char* const kCalendar = R"(
global: {timezone: America/New_York}
calendars:
  xnys:
    timezone: America/New_York
    weekend: [sat, sun]
    holidays: {2026-07-03: Independence Day (observed)}
    valid_through: 2026-12-31
defaults:
  artifact: {calendar: xnys, grace: 30m}
)";

class FileArtifactTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("artifact_files"); }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path dir_;
};

TEST_F(FileArtifactTest, SchedulesAgainstRealModificationTimes) {
  WriteFile(dir_ / "out/2026-07-02/done.csv", "a,b\n", NewYork(2026, 7, 2, 5, 40));
  WriteFile(dir_ / "out/2026-07-06/empty.csv", "", NewYork(2026, 7, 6, 5, 40));
  WriteFile(dir_ / "latest.csv", "a,b\n", NewYork(2026, 7, 1, 7));
  WriteFile(dir_ / "parts/p-1.csv", "1\n", NewYork(2026, 7, 2, 7));
  WriteFile(dir_ / "parts/p-2.csv", "2\n", NewYork(2026, 7, 6, 7));
  const std::string yaml = std::string(kCalendar) + R"(
checks:
  - {name: same_day, kind: artifact, source: "out/{as_of:%Y-%m-%d}/done.csv",
     expect: {schedule: "0 6 * * mon-fri"}}
  - {name: previous_business_day, kind: artifact, source: "file://)" +
                           dir_.string() + R"(/out/{as_of:%Y-%m-%d}/done.csv",
     expect: {schedule: "0 6 * * mon-fri", as_of: previous_business_day}}
  - {name: empty, kind: artifact, source: "out/{as_of:%Y-%m-%d}/empty.csv",
     expect: {schedule: "0 6 * * mon-fri"}}
  - {name: undated, kind: artifact, source: latest.csv, expect: {schedule: "0 6 * * mon-fri"}}
  - {name: glob, kind: artifact, source: "parts/p-*.csv", expect: {max_age: 26h}}
)";
  const fs::path config = dir_ / "freshness.yml";
  // Monday 6 July 2026, 05:00: Thursday's file covers the holiday and the weekend.
  auto early = CollectAll(yaml, config, NewYork(2026, 7, 6, 5));
  EXPECT_EQ(early["same_day"].state, "fresh");
  EXPECT_EQ(early["same_day"].modified, ToUnixSeconds(NewYork(2026, 7, 2, 5, 40)));
  EXPECT_EQ(early["undated"].state, "fresh");  // modified after Wednesday's 06:00 slot
  // The replayed instant of the issue: 2026-07-06T10:00:00-04:00.
  auto replay = CollectAll(yaml, config, NewYork(2026, 7, 6, 10));
  EXPECT_EQ(replay["same_day"].state, "missing");
  EXPECT_EQ(replay["same_day"].missed_slots, 1);
  EXPECT_EQ(replay["same_day"].summary.level, Level::kWarning);
  EXPECT_EQ(replay["previous_business_day"].state, "fresh");
  EXPECT_EQ(replay["previous_business_day"].summary.level, Level::kOk);
  EXPECT_EQ(replay["empty"].state, "missing");
  EXPECT_EQ(replay["undated"].state, "stale");
  EXPECT_EQ(replay["glob"].state, "fresh");
  EXPECT_EQ(replay["glob"].modified, ToUnixSeconds(NewYork(2026, 7, 6, 7)));
  for (const auto& [name, outcome] : replay) EXPECT_FALSE(outcome.failure) << name;
}

TEST_F(FileArtifactTest, OneFailingProbeDoesNotStopTheOthers) {
  WriteFile(dir_ / "good.csv", "x\n", NewYork(2026, 7, 6, 9));
  fs::create_symlink(dir_ / "loop.csv", dir_ / "loop.csv");
  const std::string yaml = std::string(kCalendar) + R"(
checks:
  - {name: good, kind: artifact, source: good.csv, expect: {max_age: 2h}}
  - {name: loop, kind: artifact, source: loop.csv, expect: {max_age: 2h}}
  - {name: dns, kind: artifact, source: "http://freshness-test.invalid/x.csv",
     expect: {max_age: 2h}}
  - {name: absent, kind: artifact, source: absent.csv, expect: {max_age: 2h}}
)";
  auto outcomes = CollectAll(yaml, dir_ / "freshness.yml", NewYork(2026, 7, 6, 10));
  EXPECT_EQ(outcomes["good"].state, "fresh");
  EXPECT_EQ(outcomes["absent"].state, "missing");
  for (const char* failing : {"loop", "dns"}) {
    SCOPED_TRACE(failing);
    EXPECT_EQ(outcomes[failing].state, "probe_failed");
    ASSERT_TRUE(outcomes[failing].failure.has_value());
    EXPECT_EQ(outcomes[failing].failure->reason, ErrorReason::kProbe);
    EXPECT_EQ(outcomes[failing].summary.reason.rfind("probe_failed: ", 0), 0u)
        << outcomes[failing].summary.reason;
  }
  EXPECT_NE(outcomes["loop"].failure->message.find("symbolic links"), std::string::npos);
  EXPECT_NE(outcomes["dns"].failure->message.find("DNS: cannot resolve freshness-test.invalid"),
            std::string::npos)
      << outcomes["dns"].failure->message;
}

TEST_F(FileArtifactTest, PermissionDeniedIsProbeFailed) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads through any permission";
  WriteFile(dir_ / "locked/a.csv", "x\n", NewYork(2026, 7, 6, 9));
  fs::permissions(dir_ / "locked", fs::perms::none);
  const std::string yaml = std::string(kCalendar) + R"(
checks:
  - {name: locked, kind: artifact, source: locked/a.csv, expect: {max_age: 2h}}
)";
  auto outcomes = CollectAll(yaml, dir_ / "freshness.yml", NewYork(2026, 7, 6, 10));
  fs::permissions(dir_ / "locked", fs::perms::owner_all);
  EXPECT_EQ(outcomes["locked"].state, "probe_failed");
  EXPECT_NE(outcomes["locked"].failure->message.find("Permission denied"), std::string::npos);
}

class HttpArtifactTest : public ::testing::Test {
 protected:
  testing::HttpFixtureServer server_;
};

TEST_F(HttpArtifactTest, HeadRequestsGiveStates) {
  const TimePoint now = NewYork(2026, 7, 6, 10);
  server_.Put("/reports/2026-07-06/daily.json", "{}", NewYork(2026, 7, 6, 5, 50));
  server_.Put("/reports/empty.json", "", NewYork(2026, 7, 6, 5, 50));
  server_.Put("/reports/old.json", "{}", NewYork(2026, 7, 1, 5, 50));
  const std::string yaml =
      std::string(kCalendar) + "checks:\n" + "  - {name: fresh, kind: artifact, source: \"" +
      server_.url("/reports/{as_of:%Y-%m-%d}/daily.json") +
      "\", expect: {schedule: \"0 6 * * mon-fri\"}}\n" +
      "  - {name: redirected, kind: artifact, source: \"" +
      server_.url("/redirect/reports/2026-07-06/daily.json") + "\", expect: {max_age: 26h}}\n" +
      "  - {name: missing, kind: artifact, source: \"" + server_.url("/reports/nope.json") +
      "\", expect: {max_age: 26h}}\n" + "  - {name: empty, kind: artifact, source: \"" +
      server_.url("/reports/empty.json") + "\", expect: {max_age: 26h}}\n" +
      "  - {name: old, kind: artifact, source: \"" + server_.url("/reports/old.json") +
      "\", expect: {max_age: 26h}}\n";
  auto outcomes = CollectAll(yaml, "/nonexistent/freshness.yml", now);
  EXPECT_EQ(outcomes["fresh"].state, "fresh");
  EXPECT_EQ(outcomes["fresh"].modified, ToUnixSeconds(NewYork(2026, 7, 6, 5, 50)));
  EXPECT_EQ(outcomes["redirected"].state, "fresh");
  EXPECT_EQ(outcomes["missing"].state, "missing");
  EXPECT_EQ(outcomes["empty"].state, "missing");
  EXPECT_EQ(outcomes["old"].state, "stale");
  for (const auto& [name, outcome] : outcomes) EXPECT_FALSE(outcome.failure) << name;
}

TEST_F(HttpArtifactTest, MalformedResponsesAndTimeoutsAreProbeFailed) {
  const std::string yaml =
      std::string(kCalendar) + "checks:\n" +
      "  - {name: no_last_modified, kind: artifact, source: \"" + server_.url("/no-last-modified") +
      "\", expect: {max_age: 1h}}\n" + "  - {name: bad_last_modified, kind: artifact, source: \"" +
      server_.url("/bad-last-modified") + "\", expect: {max_age: 1h}}\n" +
      "  - {name: forbidden, kind: artifact, source: \"" + server_.url("/forbidden") +
      "\", expect: {max_age: 1h}}\n" + "  - {name: slow, kind: artifact, timeout: 1s, source: \"" +
      server_.url("/slow") + "\", expect: {max_age: 1h}}\n" +
      "  - {name: redirect_loop, kind: artifact, source: \"" +
      server_.url("/redirect/redirect/redirect/redirect/redirect/redirect/reports/old.json") +
      "\", expect: {max_age: 1h}}\n";
  const auto started = std::chrono::steady_clock::now();
  auto outcomes =
      CollectAll(yaml, "/nonexistent/freshness.yml", NewYork(2026, 7, 6, 10), Duration(1'000));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_LT(elapsed, std::chrono::milliseconds(2'900)) << "the slow probe was not cut off";
  const std::map<std::string, std::string> expected = {
      {"no_last_modified", "no Last-Modified header"},
      {"bad_last_modified", "malformed Last-Modified"},
      {"forbidden", "HTTP 403"},
      {"slow", "HEAD http://127.0.0.1:"},
      {"redirect_loop", "more than 5 redirects"}};
  for (const auto& [name, fragment] : expected) {
    SCOPED_TRACE(name);
    EXPECT_EQ(outcomes[name].state, "probe_failed");
    ASSERT_TRUE(outcomes[name].failure.has_value());
    EXPECT_NE(outcomes[name].failure->message.find(fragment), std::string::npos)
        << outcomes[name].failure->message;
  }
}

// One s3rver for the whole suite.
class S3ArtifactTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (testing::S3rverServer::Binary().empty()) return;
    server_ = new testing::S3rverServer("research");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << "s3rver not installed; run scripts/install-deps.sh";
    dir_ = MakeTempDir("artifact_s3");
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }
  std::string CredentialsFile(const std::string& id, const std::string& secret) {
    const fs::path path = dir_ / ("credentials_" + id);
    std::ofstream(path) << "[default]\naws_access_key_id = " << id
                        << "\naws_secret_access_key = " << secret << "\n";
    return path.string();
  }
  std::string Check(const std::string& name, const std::string& source,
                    const std::string& credentials_file, const std::string& expect,
                    const std::string& extra = "") {
    return "  - {name: " + name + ", kind: artifact, source: \"" + source + "\"" + extra +
           ", expect: " + expect + ", s3: {endpoint: \"" + server_->endpoint() +
           "\", region: us-east-1, credentials_file: \"" + credentials_file + "\"}}\n";
  }

  static std::string S3Check(const std::string& name, const std::string& source,
                             const std::string& endpoint, const std::string& region,
                             const std::string& credentials_file) {
    return "  - {name: " + name + ", kind: artifact, source: \"" + source +
           "\", expect: {max_age: 1h}, s3: {endpoint: \"" + endpoint + "\", region: " + region +
           ", credentials_file: \"" + credentials_file + "\"}}\n";
  }

  static testing::S3rverServer* server_;
  fs::path dir_;
};

testing::S3rverServer* S3ArtifactTest::server_ = nullptr;

TEST_F(S3ArtifactTest, SignedHeadObjectGivesStates) {
  const TimePoint now = std::chrono::system_clock::now();
  const std::string today = date::format("%F", date::floor<date::days>(now));
  ASSERT_TRUE(server_->PutObject("predictor/" + today + "/pit_parity.json", "{\"ok\":true}"));
  ASSERT_TRUE(server_->PutObject("predictor/empty.json", ""));
  const std::string good =
      CredentialsFile(testing::S3rverServer::kAccessKeyId, testing::S3rverServer::kSecretAccessKey);
  const std::string yaml =
      "global: {timezone: UTC}\nchecks:\n" +
      Check("dated", "s3://research/predictor/{as_of:%Y-%m-%d}/pit_parity.json", good,
            "{max_age: 1h}") +
      Check("missing_key", "s3://research/predictor/nope.json", good, "{max_age: 1h}") +
      Check("empty", "s3://research/predictor/empty.json", good, "{max_age: 1h}") +
      Check("recovered", "s3://research/nope/x.json", good, "{max_age: 1h}",
            ", any_of: [\"s3://research/predictor/{as_of:%Y-%m-%d}/pit_parity.json\"]");
  auto outcomes = CollectAll(yaml, dir_ / "freshness.yml", now);
  EXPECT_EQ(outcomes["dated"].state, "fresh");
  ASSERT_TRUE(outcomes["dated"].modified.has_value());
  EXPECT_NEAR(*outcomes["dated"].modified, ToUnixSeconds(now), 120);
  EXPECT_EQ(outcomes["missing_key"].state, "missing");
  EXPECT_EQ(outcomes["empty"].state, "missing");
  EXPECT_EQ(outcomes["recovered"].state, "fresh");
  for (const auto& [name, outcome] : outcomes) {
    EXPECT_FALSE(outcome.failure) << name << ": " << outcome.failure->message;
  }
  // Replayed a day earlier, the object written today did not exist yet.
  auto yesterday = CollectAll(yaml, dir_ / "freshness.yml", now - hours(24));
  EXPECT_EQ(yesterday["dated"].state, "missing");
}

// An access key id the server does not know, and no credentials at all.
TEST_F(S3ArtifactTest, WrongCredentialsAreProbeFailedAndNeverShown) {
  ASSERT_TRUE(server_->PutObject("predictor/wrong.json", "{}"));
  const std::string wrong_id = CredentialsFile("AKIAWRONGKEYID000000", "AnotherSecretValue98765");
  const std::string yaml =
      "global: {timezone: UTC}\nchecks:\n" +
      Check("wrong_id", "s3://research/predictor/wrong.json", wrong_id, "{max_age: 1h}") +
      Check("no_credentials", "s3://research/predictor/wrong.json", (dir_ / "absent").string(),
            "{max_age: 1h}");
  auto outcomes = CollectAll(yaml, dir_ / "freshness.yml", std::chrono::system_clock::now());
  for (const char* name : {"wrong_id", "no_credentials"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(outcomes[name].state, "probe_failed");
    ASSERT_TRUE(outcomes[name].failure.has_value());
    EXPECT_EQ(outcomes[name].failure->reason, ErrorReason::kProbe);
    EXPECT_EQ(outcomes[name].summary.reason.rfind("probe_failed: ", 0), 0u)
        << outcomes[name].summary.reason;
    for (const std::string& text : {outcomes[name].failure->message, outcomes[name].summary.value,
                                    outcomes[name].summary.reason}) {
      EXPECT_EQ(text.find("AnotherSecretValue98765"), std::string::npos) << text;
      EXPECT_EQ(text.find("AKIAWRONGKEYID000000"), std::string::npos) << text;
    }
  }
  EXPECT_NE(outcomes["wrong_id"].failure->message.find("HTTP 403"), std::string::npos)
      << outcomes["wrong_id"].failure->message;
  EXPECT_NE(outcomes["no_credentials"].failure->message.find("no AWS credentials"),
            std::string::npos)
      << outcomes["no_credentials"].failure->message;
}

TEST_F(S3ArtifactTest, CredentialsFromTheEnvironment) {
  ASSERT_TRUE(server_->PutObject("predictor/env.json", "{}"));
  ::setenv("AWS_ACCESS_KEY_ID", testing::S3rverServer::kAccessKeyId, 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", testing::S3rverServer::kSecretAccessKey, 1);
  const std::string yaml =
      "global: {timezone: UTC}\nchecks:\n" +
      Check("env", "s3://research/predictor/env.json", (dir_ / "absent").string(), "{max_age: 1h}");
  auto outcomes = CollectAll(yaml, dir_ / "freshness.yml", std::chrono::system_clock::now());
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(outcomes["env"].state, "fresh");
}

// The server checks every signature with AWS's own signer: the right credentials pass, a wrong
// secret key or region is refused, and the failure names the HTTP status but never the secret.
TEST_F(S3ArtifactTest, SignaturesAreVerified) {
  ASSERT_TRUE(server_->PutObject("predictor/signed.json", "{}"));
  // Every byte outside RFC 3986's unreserved set is percent-encoded in the canonical URI.
  const std::string odd_key = "predictor/odd key+(1)&=\xC3\xBC~.json";
  ASSERT_TRUE(server_->PutObject(odd_key, "{}"));
  const std::string good =
      CredentialsFile(testing::S3rverServer::kAccessKeyId, testing::S3rverServer::kSecretAccessKey);
  const std::string wrong_secret = (dir_ / "credentials_wrong_secret").string();
  std::ofstream(wrong_secret) << "[default]\naws_access_key_id = "
                              << testing::S3rverServer::kAccessKeyId
                              << "\naws_secret_access_key = NotTheSecret/Never-Shown+4242\n";
  const std::string source = "s3://research/predictor/signed.json";
  const std::string yaml =
      "global: {timezone: UTC}\nchecks:\n" +
      S3Check("good", source, server_->endpoint(), "us-east-1", good) +
      S3Check("odd_key", "s3://research/" + odd_key, server_->endpoint(), "us-east-1", good) +
      S3Check("wrong_secret", source, server_->endpoint(), "us-east-1", wrong_secret) +
      S3Check("wrong_region", source, server_->endpoint(), "us-west-2", good);
  auto outcomes = CollectAll(yaml, dir_ / "freshness.yml", std::chrono::system_clock::now());
  for (const char* name : {"good", "odd_key"}) {
    EXPECT_EQ(outcomes[name].state, "fresh") << name;
    EXPECT_FALSE(outcomes[name].failure) << name << ": " << outcomes[name].failure->message;
  }
  // S3 answers a bad signature 403 SignatureDoesNotMatch and a wrong region 400
  // AuthorizationHeaderMalformed; a HEAD response has no body, so the status is what the
  // exporter can report.
  const std::map<std::string, std::string> expected = {{"wrong_secret", "HTTP 403"},
                                                       {"wrong_region", "HTTP 400"}};
  for (const auto& [name, fragment] : expected) {
    SCOPED_TRACE(name);
    EXPECT_EQ(outcomes[name].state, "probe_failed");
    ASSERT_TRUE(outcomes[name].failure.has_value());
    EXPECT_EQ(outcomes[name].failure->reason, ErrorReason::kProbe);
    EXPECT_NE(outcomes[name].failure->message.find(fragment), std::string::npos)
        << outcomes[name].failure->message;
    EXPECT_NE(outcomes[name].failure->message.find(source), std::string::npos)
        << outcomes[name].failure->message;
    for (const std::string& text : {outcomes[name].failure->message, outcomes[name].summary.value,
                                    outcomes[name].summary.reason}) {
      EXPECT_EQ(text.find("NotTheSecret"), std::string::npos) << text;
      EXPECT_EQ(text.find(testing::S3rverServer::kSecretAccessKey), std::string::npos) << text;
    }
  }
}

// A request signed more than 15 minutes away from the server's clock is RequestTimeTooSkewed
// (403); within 15 minutes it passes. The servers' clocks are moved, not the exporter's.
TEST_F(S3ArtifactTest, SkewedClockIsRefused) {
  testing::S3rverServer::Options skewed;
  skewed.clock_offset = std::chrono::minutes(20);
  testing::S3rverServer::Options tolerated;
  tolerated.clock_offset = -std::chrono::minutes(10);
  testing::S3rverServer skewed_server("research", skewed);
  testing::S3rverServer tolerated_server("research", tolerated);
  ASSERT_TRUE(skewed_server.PutObject("predictor/skew.json", "{}"));
  ASSERT_TRUE(tolerated_server.PutObject("predictor/skew.json", "{}"));
  const std::string good =
      CredentialsFile(testing::S3rverServer::kAccessKeyId, testing::S3rverServer::kSecretAccessKey);
  const std::string source = "s3://research/predictor/skew.json";
  const std::string yaml =
      "global: {timezone: UTC}\nchecks:\n" +
      S3Check("skewed", source, skewed_server.endpoint(), "us-east-1", good) +
      S3Check("tolerated", source, tolerated_server.endpoint(), "us-east-1", good);
  auto outcomes = CollectAll(yaml, dir_ / "freshness.yml", std::chrono::system_clock::now());
  EXPECT_EQ(outcomes["tolerated"].state, "fresh");
  EXPECT_FALSE(outcomes["tolerated"].failure) << outcomes["tolerated"].failure->message;
  EXPECT_EQ(outcomes["skewed"].state, "probe_failed");
  ASSERT_TRUE(outcomes["skewed"].failure.has_value());
  EXPECT_NE(outcomes["skewed"].failure->message.find("HTTP 403"), std::string::npos)
      << outcomes["skewed"].failure->message;
  EXPECT_EQ(outcomes["skewed"].failure->message.find(testing::S3rverServer::kSecretAccessKey),
            std::string::npos);
}

// The value of a request header `name` in curl's verbose output ("> Name: value").
std::string SentHeader(const std::string& verbose, const std::string& name) {
  std::istringstream lines(verbose);
  std::string line;
  const std::string prefix = "> " + name + ": ";
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > prefix.size() &&
        std::equal(prefix.begin(), prefix.end(), line.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return line.substr(prefix.size());
    }
  }
  return "";
}

// A request signed by another client (curl's --aws-sigv4), replayed with its signature: as sent
// it is accepted, with one signed header changed it is 403 SignatureDoesNotMatch.
TEST_F(S3ArtifactTest, TamperedSignedHeaderIsRejected) {
  ASSERT_TRUE(server_->PutObject("predictor/tamper.json", "{\"ok\":true}"));
  const std::string url = server_->endpoint() + "/research/predictor/tamper.json";
  const std::string empty_sha256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  const std::string user = std::string(testing::S3rverServer::kAccessKeyId) + ":" +
                           testing::S3rverServer::kSecretAccessKey;
  const auto [signed_code, verbose] = testing::RunProgram(
      {"curl", "-sS", "-v", "-o", "/dev/null", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user",
       user, "-H", "x-amz-content-sha256: " + empty_sha256, "-H", "x-amz-meta-check: original",
       url});
  if (signed_code == 127 || verbose.find("aws-sigv4") != std::string::npos) {
    GTEST_SKIP() << "no curl with --aws-sigv4: " << verbose;
  }
  ASSERT_EQ(signed_code, 0) << verbose;
  const std::string authorization = SentHeader(verbose, "Authorization");
  const std::string amz_date = SentHeader(verbose, "X-Amz-Date");
  ASSERT_NE(authorization.find("x-amz-meta-check"), std::string::npos) << verbose;
  ASSERT_FALSE(amz_date.empty()) << verbose;
  const auto replay = [&](const std::string& check_value) {
    return testing::RunProgram({"curl", "-sS", "-w", "\nHTTP %{http_code}", "-H",
                                "Authorization: " + authorization, "-H", "X-Amz-Date: " + amz_date,
                                "-H", "x-amz-content-sha256: " + empty_sha256, "-H",
                                "x-amz-meta-check: " + check_value, url});
  };
  const auto [same_code, same] = replay("original");
  ASSERT_EQ(same_code, 0) << same;
  EXPECT_NE(same.find("HTTP 200"), std::string::npos) << same;
  EXPECT_NE(same.find("{\"ok\":true}"), std::string::npos) << same;
  const auto [tampered_code, tampered] = replay("changed");
  ASSERT_EQ(tampered_code, 0) << tampered;
  EXPECT_NE(tampered.find("HTTP 403"), std::string::npos) << tampered;
  EXPECT_NE(tampered.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos) << tampered;
  EXPECT_EQ(tampered.find("{\"ok\":true}"), std::string::npos) << tampered;
}

// Query strings are part of what is signed: a ListObjectsV2 request signed by curl passes with
// its prefix, and is refused once the prefix is changed after signing.
TEST_F(S3ArtifactTest, SignedQueryStringIsVerified) {
  ASSERT_TRUE(server_->PutObject("listing/one.json", "{}"));
  const std::string empty_sha256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  const std::string user = std::string(testing::S3rverServer::kAccessKeyId) + ":" +
                           testing::S3rverServer::kSecretAccessKey;
  // Already in canonical form (sorted, encoded): curl before 8.1 signs the query as given.
  const std::string url = server_->endpoint() + "/research?list-type=2&prefix=listing%2F";
  const auto [code, verbose] = testing::RunProgram(
      {"curl", "-sS", "-v", "-w", "\nHTTP %{http_code}", "--aws-sigv4", "aws:amz:us-east-1:s3",
       "--user", user, "-H", "x-amz-content-sha256: " + empty_sha256, url});
  if (code == 127 || verbose.find("aws-sigv4") != std::string::npos) {
    GTEST_SKIP() << "no curl with --aws-sigv4: " << verbose;
  }
  ASSERT_EQ(code, 0) << verbose;
  EXPECT_NE(verbose.find("HTTP 200"), std::string::npos) << verbose;
  EXPECT_NE(verbose.find("<Key>listing/one.json</Key>"), std::string::npos) << verbose;
  const auto [replay_code, replayed] =
      testing::RunProgram({"curl", "-sS", "-w", "\nHTTP %{http_code}", "-H",
                           "Authorization: " + SentHeader(verbose, "Authorization"), "-H",
                           "X-Amz-Date: " + SentHeader(verbose, "X-Amz-Date"), "-H",
                           "x-amz-content-sha256: " + empty_sha256,
                           server_->endpoint() + "/research?list-type=2&prefix=other%2F"});
  ASSERT_EQ(replay_code, 0) << replayed;
  EXPECT_NE(replayed.find("HTTP 403"), std::string::npos) << replayed;
  EXPECT_NE(replayed.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos) << replayed;
}

// The server accepts AWS's own published example (GET Object, "Signature Calculations for the
// Authorization Header: Transferring Payload in a Single Chunk"), signed on 2013-05-24 and sent
// to a server whose clock is set to that day; with its signed Range header changed it does not.
TEST(S3PublishedExampleTest, AcceptedAsSignedRefusedWhenChanged) {
  if (testing::S3rverServer::Binary().empty()) GTEST_SKIP() << "s3rver not installed";
  testing::S3rverServer::Options example;
  example.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  example.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  example.region = "us-east-1";
  const date::sys_days signed_at = date::year{2013} / 5 / 24;
  example.clock_offset =
      std::chrono::floor<std::chrono::seconds>(signed_at - std::chrono::system_clock::now());
  testing::S3rverServer server("examplebucket", example);
  ASSERT_TRUE(server.PutObject("test.txt", "Welcome to Amazon S3."));
  const auto get = [&](const std::string& range) {
    return testing::RunProgram(
        {"curl", "-sS", "-w", "\nHTTP %{http_code}", "-H", "Host: examplebucket.s3.amazonaws.com",
         "-H",
         "Authorization: AWS4-HMAC-SHA256 "
         "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
         "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
         "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
         "-H", "Range: " + range, "-H",
         "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         "-H", "x-amz-date: 20130524T000000Z", server.endpoint() + "/test.txt"});
  };
  const auto [code, as_signed] = get("bytes=0-9");
  if (code == 127) GTEST_SKIP() << "no curl";
  ASSERT_EQ(code, 0) << as_signed;
  EXPECT_EQ(as_signed, "Welcome to\nHTTP 206");
  const auto [changed_code, changed] = get("bytes=0-10");
  ASSERT_EQ(changed_code, 0) << changed;
  EXPECT_NE(changed.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos) << changed;
  EXPECT_NE(changed.find("HTTP 403"), std::string::npos) << changed;
}

// Sources that hang, reset, close, answer garbage, 5xx or broken headers, over real sockets:
// each is probe_failed with a message naming what happened, within the check's timeout, and the
// healthy artifacts of the same cycle are still evaluated.
struct FaultCase {
  testing::Fault fault;
  std::string message;  // a fragment the failure message must contain
};

std::string PrintFault(const ::testing::TestParamInfo<FaultCase>& info) {
  return testing::FaultName(info.param.fault);
}

void PrintTo(const FaultCase& fault_case, std::ostream* out) {
  *out << testing::FaultName(fault_case.fault);
}

const std::vector<FaultCase> kFaultCases = {
    {testing::Fault::kHang, "timeout: no response within"},
    {testing::Fault::kReset, "connection closed or reset by the server"},
    {testing::Fault::kCloseOnAccept, "connection closed or reset by the server"},
    {testing::Fault::kCloseWithoutResponse, "connection closed or reset by the server"},
    {testing::Fault::kGarbage, "malformed or incomplete response"},
    {testing::Fault::kStatus500WithBody, "HTTP 500 (server error)"},
    {testing::Fault::kStatus500WithoutBody, "HTTP 500 (server error)"},
    {testing::Fault::kStatus503WithBody, "HTTP 503 (server error)"},
    {testing::Fault::kStatus503WithoutBody, "HTTP 503 (server error)"},
    {testing::Fault::kTruncatedHeader, "malformed or incomplete response"},
    {testing::Fault::kOversizedHeader, "malformed or incomplete response"},
    {testing::Fault::kEndlessHeader, "timeout: no complete response header within"},
};

constexpr const char* kFaultAccessKeyId = "AKIAFAULTKEYID000000";
constexpr const char* kFaultSecretKey = "FaultSecret/DoNotShow+1234567890abcdef";
constexpr auto kFaultTimeout = std::chrono::milliseconds(1'000);  // `timeout: 1s` below
constexpr auto kFaultMargin = std::chrono::milliseconds(500);

class FaultArtifactTest : public ::testing::TestWithParam<FaultCase> {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("artifact_faults");
    WriteFile(dir_ / "good.csv", "x\n", NewYork(2026, 7, 6, 9));
    fixture_.Put("/reports/good.json", "{}", NewYork(2026, 7, 6, 9));
    credentials_ = (dir_ / "credentials").string();
    std::ofstream(credentials_) << "[default]\naws_access_key_id = " << kFaultAccessKeyId
                                << "\naws_secret_access_key = " << kFaultSecretKey << "\n";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // One cycle: the faulty check first, then a healthy HTTP artifact and a healthy file.
  std::map<std::string, Outcome> CollectWithHealthy(const std::string& faulty_check) {
    const std::string yaml = std::string(kCalendar) + "checks:\n" + faulty_check +
                             "  - {name: healthy_http, kind: artifact, timeout: 1s, source: \"" +
                             fixture_.url("/reports/good.json") + "\", expect: {max_age: 2h}}\n" +
                             "  - {name: healthy_file, kind: artifact, timeout: 1s, source: "
                             "good.csv, expect: {max_age: 2h}}\n";
    const auto started = std::chrono::steady_clock::now();
    // No override: each check runs within its own configured timeout, as in the collector.
    auto outcomes = CollectAll(yaml, dir_ / "freshness.yml", NewYork(2026, 7, 6, 10));
    elapsed_ = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return outcomes;
  }

  void ExpectProbeFailed(const std::map<std::string, Outcome>& outcomes, const std::string& name) {
    ASSERT_EQ(outcomes.count(name), 1u);
    const Outcome& faulty = outcomes.at(name);
    EXPECT_EQ(faulty.state, "probe_failed");
    ASSERT_TRUE(faulty.failure.has_value());
    EXPECT_EQ(faulty.failure->reason, ErrorReason::kProbe);
    EXPECT_EQ(faulty.summary.reason.rfind("probe_failed: ", 0), 0u) << faulty.summary.reason;
    EXPECT_NE(faulty.failure->message.find(GetParam().message), std::string::npos)
        << faulty.failure->message << " (after " << elapsed_.count() << " ms)";
    for (const std::string& text :
         {faulty.failure->message, faulty.summary.value, faulty.summary.reason}) {
      EXPECT_EQ(text.find(kFaultSecretKey), std::string::npos) << text;
      EXPECT_EQ(text.find(kFaultAccessKeyId), std::string::npos) << text;
    }
    EXPECT_LT(elapsed_, kFaultTimeout + kFaultMargin) << "the cycle outlived the check's timeout";
    EXPECT_EQ(outcomes.at("healthy_http").state, "fresh");
    EXPECT_FALSE(outcomes.at("healthy_http").failure.has_value());
    EXPECT_EQ(outcomes.at("healthy_file").state, "fresh");
    EXPECT_FALSE(outcomes.at("healthy_file").failure.has_value());
  }

  testing::HttpFixtureServer fixture_;
  testing::FaultServer server_{GetParam().fault};
  fs::path dir_;
  std::string credentials_;
  std::chrono::milliseconds elapsed_{0};
};

TEST_P(FaultArtifactTest, HttpSourceIsProbeFailedWithinItsTimeout) {
  auto outcomes =
      CollectWithHealthy("  - {name: faulty, kind: artifact, timeout: 1s, source: \"" +
                         server_.url("/reports/daily.json") + "\", expect: {max_age: 2h}}\n");
  ExpectProbeFailed(outcomes, "faulty");
  EXPECT_GE(server_.connections(), 1);
}

TEST_P(FaultArtifactTest, S3EndpointIsProbeFailedWithinItsTimeout) {
  auto outcomes = CollectWithHealthy(
      "  - {name: faulty, kind: artifact, timeout: 1s, source: \"s3://research/daily.json\", "
      "expect: {max_age: 2h}, s3: {endpoint: \"" +
      server_.endpoint() + "\", region: us-east-1, credentials_file: \"" + credentials_ + "\"}}\n");
  ExpectProbeFailed(outcomes, "faulty");
  EXPECT_GE(server_.connections(), 1);
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultArtifactTest, ::testing::ValuesIn(kFaultCases), PrintFault);

}  // namespace
}  // namespace freshness
