#include "probes/file_prober.h"

#include <glob.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "probes/scheme_router.h"
#include "util/check_error.h"

namespace freshness {
namespace {

bool IsGlob(const std::string& path) { return path.find_first_of("*?[") != std::string::npos; }

TimePoint ModifiedTime(const struct stat& status) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::seconds(status.st_mtim.tv_sec) +
      std::chrono::nanoseconds(status.st_mtim.tv_nsec)));
}

// nullopt when the file does not exist; throws for any other failure.
std::optional<ObjectInfo> StatFile(const std::string& path, bool skip_directories) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    const int error = errno;
    if (error == ENOENT) return std::nullopt;
    throw CheckError(ErrorReason::kProbe, "stat " + path + ": " + std::strerror(error));
  }
  if (S_ISDIR(status.st_mode)) {
    if (skip_directories) return std::nullopt;
    throw CheckError(ErrorReason::kProbe, path + " is a directory, not a file");
  }
  ObjectInfo info;
  info.exists = true;
  info.modified = ModifiedTime(status);
  info.size = static_cast<std::uint64_t>(status.st_size);
  info.location = path;
  return info;
}

// Set by the glob error callback; glob(3) offers no user pointer, so it is thread-local.
thread_local std::string glob_error;

int OnGlobError(const char* path, int error) {
  if (error == ENOENT || error == ENOTDIR) return 0;
  glob_error = std::string(path) + ": " + std::strerror(error);
  return 1;
}

class GlobResult {
 public:
  GlobResult() = default;
  ~GlobResult() { ::globfree(&result_); }
  GlobResult(const GlobResult&) = delete;
  GlobResult& operator=(const GlobResult&) = delete;
  glob_t* get() { return &result_; }

 private:
  glob_t result_{};
};

}  // namespace

std::string FilePathOf(const std::string& location) {
  constexpr std::string_view kScheme = "file://";
  if (location.compare(0, kScheme.size(), kScheme) == 0) return location.substr(kScheme.size());
  return location;
}

ObjectInfo FileProber::Probe(const std::string& location, std::chrono::milliseconds,
                             TimePoint not_after) const {
  const std::string path = FilePathOf(location);
  if (!IsGlob(path)) {
    std::optional<ObjectInfo> info = StatFile(path, false);
    if (!info) return ObjectInfo{false, {}, std::nullopt, path};
    return *info;
  }
  glob_error.clear();
  GlobResult result;
  const int status = ::glob(path.c_str(), 0, OnGlobError, result.get());
  if (status == GLOB_NOMATCH) return ObjectInfo{false, {}, std::nullopt, path};
  if (status != 0) {
    throw CheckError(ErrorReason::kProbe,
                     "glob " + path + ": " + (glob_error.empty() ? "read error" : glob_error));
  }
  std::optional<ObjectInfo> newest;
  std::optional<ObjectInfo> newest_non_empty;
  std::optional<ObjectInfo> newest_later;  // only reported when nothing existed by not_after
  for (std::size_t i = 0; i < result.get()->gl_pathc; ++i) {
    std::optional<ObjectInfo> info = StatFile(result.get()->gl_pathv[i], true);
    if (!info) continue;  // a directory, or removed between glob and stat
    if (info->modified > not_after) {
      if (!newest_later || info->modified > newest_later->modified) newest_later = info;
      continue;
    }
    if (!newest || info->modified > newest->modified) newest = info;
    if (info->size.value_or(1) > 0 &&
        (!newest_non_empty || info->modified > newest_non_empty->modified)) {
      newest_non_empty = info;
    }
  }
  if (newest_non_empty) return *newest_non_empty;
  if (newest) return *newest;
  if (newest_later) return *newest_later;
  return ObjectInfo{false, {}, std::nullopt, path};
}

namespace {

std::optional<std::string> ValidateFileLocation(const std::string& location) {
  if (FilePathOf(location).empty()) return "empty path";
  return std::nullopt;
}

// Relative paths are relative to the config file, like holidays_file.
std::string ResolveFileLocation(const std::string& location, const std::string& config_dir) {
  const std::string path = FilePathOf(location);
  if (std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(config_dir) / path).lexically_normal().string();
}

}  // namespace

FRESHNESS_REGISTER_PROBE_SCHEME((ProbeScheme{
    {"file"},
    true,
    "a path, file://",
    10,
    ValidateFileLocation,
    [](const ProbeOptions&) { return std::make_shared<FileProber>(); },
    ResolveFileLocation}))

}  // namespace freshness
