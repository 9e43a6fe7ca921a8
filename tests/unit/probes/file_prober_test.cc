#include "probes/file_prober.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "probes/scheme_router.h"
#include "util/check_error.h"

namespace freshness {
namespace {

constexpr TimePoint kAnyTime = TimePoint::max();

namespace fs = std::filesystem;

class FileProberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "file_prober_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::permissions(dir_ / "locked", fs::perms::owner_all, ignored);
    fs::remove_all(dir_, ignored);
  }
  fs::path Write(const std::string& name, const std::string& content, TimePoint modified) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << content;
    const auto since_epoch = modified.time_since_epoch();
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const struct timespec times[2] = {
        {secs.count(), 0},
        {secs.count(), static_cast<long>((since_epoch - secs) / std::chrono::nanoseconds(1))}};
    EXPECT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    return path;
  }

  fs::path dir_;
  FileProber prober_;
  const std::chrono::milliseconds timeout_{1000};
  const TimePoint t0_ = TimePoint(std::chrono::seconds(1'780'000'000));
};

TEST_F(FileProberTest, ReportsModificationTimeAndSize) {
  const fs::path path = Write("a.csv", "12345", t0_);
  const ObjectInfo info = prober_.Probe(path.string(), timeout_, kAnyTime);
  EXPECT_TRUE(info.exists);
  EXPECT_EQ(info.modified, t0_);
  EXPECT_EQ(info.size, 5u);
  EXPECT_EQ(prober_.Probe("file://" + path.string(), timeout_, kAnyTime).modified, t0_);
}

TEST_F(FileProberTest, MissingFileIsNotAnError) {
  EXPECT_FALSE(prober_.Probe((dir_ / "nope.csv").string(), timeout_, kAnyTime).exists);
  EXPECT_FALSE(prober_.Probe((dir_ / "no/such/dir/*.csv").string(), timeout_, kAnyTime).exists);
}

TEST_F(FileProberTest, GlobReportsTheNewestNonEmptyMatch) {
  Write("part-1.csv", "x", t0_);
  Write("part-2.csv", "xy", t0_ + std::chrono::hours(1));
  Write("part-3.csv", "", t0_ + std::chrono::hours(2));  // newest, but empty
  fs::create_directories(dir_ / "part-9.csv");           // directories are ignored
  const ObjectInfo info = prober_.Probe((dir_ / "part-*.csv").string(), timeout_, kAnyTime);
  EXPECT_TRUE(info.exists);
  EXPECT_EQ(info.modified, t0_ + std::chrono::hours(1));
  EXPECT_EQ(info.location, (dir_ / "part-2.csv").string());
}

// Replaying an earlier instant: a match written later did not exist yet, so the newest match
// that did is the answer; with only later matches, the newest of those (the caller sees its
// time and calls it not there yet).
TEST_F(FileProberTest, GlobAsOfAnEarlierInstantIgnoresLaterMatches) {
  Write("part-1.csv", "x", t0_);
  Write("part-2.csv", "xy", t0_ + std::chrono::hours(24));
  const std::string glob = (dir_ / "part-*.csv").string();
  const ObjectInfo then = prober_.Probe(glob, timeout_, t0_ + std::chrono::hours(1));
  EXPECT_TRUE(then.exists);
  EXPECT_EQ(then.location, (dir_ / "part-1.csv").string());
  const ObjectInfo before_any = prober_.Probe(glob, timeout_, t0_ - std::chrono::hours(1));
  EXPECT_TRUE(before_any.exists);
  EXPECT_EQ(before_any.modified, t0_ + std::chrono::hours(24));
  EXPECT_EQ(prober_.Probe(glob, timeout_, kAnyTime).location, (dir_ / "part-2.csv").string());
}

TEST_F(FileProberTest, SymlinkLoopIsAProbeError) {
  fs::create_symlink(dir_ / "loop", dir_ / "loop");
  try {
    prober_.Probe((dir_ / "loop").string(), timeout_, kAnyTime);
    FAIL() << "no error";
  } catch (const CheckError& error) {
    EXPECT_EQ(error.reason(), ErrorReason::kProbe);
    EXPECT_NE(std::string(error.what()).find("Too many levels of symbolic links"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(FileProberTest, PermissionDeniedIsAProbeError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads through any permission";
  Write("locked/a.csv", "x", t0_);
  fs::permissions(dir_ / "locked", fs::perms::none);
  EXPECT_THROW(prober_.Probe((dir_ / "locked/a.csv").string(), timeout_, kAnyTime), CheckError);
}

TEST(DisplayLocationTest, DropsUserInfoAndQuery) {
  EXPECT_EQ(DisplayLocation("https://user:pw@host/a/b?X-Amz-Signature=s#f"), "https://host/a/b");
  EXPECT_EQ(DisplayLocation("s3://bucket/key"), "s3://bucket/key");
  EXPECT_EQ(DisplayLocation("/data/a@b.csv"), "/data/a@b.csv");
}

}  // namespace
}  // namespace freshness
