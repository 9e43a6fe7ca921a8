// Artifact benchmark, in process: N file artifacts (default 10,000) loaded from one config and
// collected once on W threads (default 2), as one cycle of the collector would. Prints the
// config load time, the cycle's wall time, per-artifact cost, states, and resident memory.
//
// usage: freshness_artifact_bench [artifacts] [threads]
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "checks/artifact_check.h"
#include "loader/config_loader.h"
#include "metrics/metric_names.h"

namespace {

namespace fs = std::filesystem;
using freshness::TimePoint;

class FixedClock final : public freshness::Clock {
 public:
  explicit FixedClock(TimePoint now) : now_(now) {}
  TimePoint Now() const override { return now_; }

 private:
  TimePoint now_;
};

TimePoint NewYork(int day, int hour, int minute = 0) {
  return date::locate_zone("America/New_York")
      ->to_sys(date::local_days(date::year{2026} / 7 / day) + std::chrono::hours(hour) +
                   std::chrono::minutes(minute),
               date::choose::earliest);
}

void Touch(const fs::path& path, TimePoint modified) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "x\n";
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(modified.time_since_epoch()).count();
  const struct timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ::utimensat(AT_FDCWD, path.c_str(), times, 0);
}

std::string StatusField(const std::string& name) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(name + ":", 0) == 0) {
      std::istringstream fields(line.substr(name.size() + 1));
      long kilobytes = 0;
      fields >> kilobytes;
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(kilobytes) / 1024.0);
      return buffer;
    }
  }
  return "?";
}

double Seconds(std::chrono::steady_clock::duration elapsed) {
  return std::chrono::duration<double>(elapsed).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int artifacts = argc > 1 ? std::atoi(argv[1]) : 10'000;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  std::string pattern = (fs::temp_directory_path() / "artifact_bench_XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return 2;
  const fs::path root = pattern;

  // The same mix as bench/artifact_bench.sh: dated same_day / previous_business_day, undated,
  // glob, max_age, and 10% with nothing there (the lookback walk, the worst case for probes).
  std::ostringstream yaml;
  yaml << "global: {timezone: America/New_York}\ncalendars:\n"
          "  xnys: {timezone: America/New_York, weekend: [sat, sun],\n"
          "         holidays: {2026-07-03: Independence Day}, valid_through: 2026-12-31}\n"
          "checks:\n";
  for (int i = 0; i < artifacts; ++i) {
    const fs::path dir = root / ("a" + std::to_string(i));
    std::string source;
    std::string expect = "{schedule: \"0 6 * * mon-fri\"}";
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        Touch(dir / "2026-07-08/part.csv", NewYork(8, 5, 40));
        source = (dir / "{as_of:%Y-%m-%d}/part.csv").string();
        break;
      case 4:
      case 5:
        Touch(dir / "2026-07-07/part.csv", NewYork(8, 1));
        source = (dir / "{as_of:%Y-%m-%d}/part.csv").string();
        expect = "{schedule: \"0 6 * * mon-fri\", as_of: previous_business_day}";
        break;
      case 6:
        Touch(dir / "latest.csv", NewYork(8, 5));
        source = (dir / "latest.csv").string();
        break;
      case 7:
        for (int part = 0; part < 3; ++part) {
          Touch(dir / "parts" / ("p" + std::to_string(part) + ".csv"),
                NewYork(7 + part % 2, 4 + part));
        }
        source = (dir / "parts/p*.csv").string();
        expect = "{max_age: 26h}";
        break;
      case 8:
        Touch(dir / "snapshot.json", NewYork(7, 20));
        source = (dir / "snapshot.json").string();
        expect = "{max_age: 26h}";
        break;
      default:
        source = (dir / "{as_of:%Y-%m-%d}/part.csv").string();
        break;
    }
    yaml << "  - {name: a" << i << ", kind: artifact, calendar: xnys, grace: 30m, source: \""
         << source << "\", expect: " << expect << "}\n";
  }

  const auto load_start = std::chrono::steady_clock::now();
  const freshness::Config config =
      freshness::LoadConfigString(yaml.str(), (root / "f.yml").string());
  const double load_seconds = Seconds(std::chrono::steady_clock::now() - load_start);

  const FixedClock clock(NewYork(8, 10));  // a Wednesday after the 06:00 deadline
  std::vector<freshness::Observation> observations(config.checks.size());
  std::atomic<std::size_t> next{0};
  const auto cycle_start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < config.checks.size(); i = next++) {
        freshness::CollectContext context;
        context.clock = &clock;
        context.budget = freshness::Duration(10'000);
        observations[i] = config.checks[i]->Collect(context);
      }
    });
  }
  for (std::thread& thread : pool) thread.join();
  const double cycle_seconds = Seconds(std::chrono::steady_clock::now() - cycle_start);

  std::map<std::string, int> states;
  for (const freshness::Observation& observation : observations) {
    for (const freshness::Sample& sample : observation.samples) {
      if (sample.metric == freshness::metric::kArtifactState && sample.value == 1) {
        ++states[sample.labels.at("state")];
      }
    }
  }
  std::printf("artifacts        %zu, threads %d\n", config.checks.size(), threads);
  std::printf("config load      %.3f s\n", load_seconds);
  std::printf("one cycle        %.3f s wall (%.1f us per artifact)\n", cycle_seconds,
              cycle_seconds * 1e6 / static_cast<double>(config.checks.size()));
  std::printf("resident memory  %s now, %s peak\n", StatusField("VmRSS").c_str(),
              StatusField("VmHWM").c_str());
  std::printf("states          ");
  for (const auto& [state, count] : states) std::printf(" %s %d", state.c_str(), count);
  std::printf("\n");
  std::error_code ignored;
  fs::remove_all(root, ignored);
  return 0;
}
