#include "checks/artifact_check.h"

#include <gtest/gtest.h>

#include "loader/config_loader.h"
#include "metrics/metric_names.h"
#include "support/fake_clock.h"
#include "unit/probes/fake_object_prober.h"

namespace freshness {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::FakeClock;
using testing::FakeObjectProber;

const date::time_zone* NewYork() { return date::locate_zone("America/New_York"); }

TimePoint Local(int y, unsigned m, unsigned d, int hour, int minute = 0, int second = 0) {
  const date::local_seconds local =
      date::local_days(date::year{y} / m / d) + hours(hour) + minutes(minute) + seconds(second);
  return NewYork()->to_sys(local, date::choose::earliest);
}

date::sys_days Day(int y, unsigned m, unsigned d) { return date::sys_days(date::year{y} / m / d); }

std::shared_ptr<const Calendar> Xnys(std::optional<date::sys_days> valid_through = Day(2026, 12,
                                                                                       31)) {
  return std::make_shared<const Calendar>(
      "xnys", "America/New_York", std::set<unsigned>{0, 6},
      std::map<date::sys_days, std::string>{{Day(2026, 7, 3), "Independence Day (observed)"}},
      valid_through);
}

constexpr const char* kDated = "/data/{as_of:%Y-%m-%d}/done.csv";
constexpr const char* kRecovery = "/recovery/{as_of:%Y-%m-%d}/done.csv";
constexpr const char* kUndated = "/data/latest.csv";

std::string DatedPath(const char* root, int y, unsigned m, unsigned d) {
  return std::string(root) + "/" + date::format("%F", Day(y, m, d)) + "/done.csv";
}

struct Options {
  std::vector<std::string> sources = {kDated};
  PartitionDate partition = PartitionDate::kSameDay;
  std::string mode = "enforce";
  std::optional<TimePoint> paused_until;
  std::optional<Duration> max_age;
  std::string cron = "0 6 * * mon-fri";
  std::shared_ptr<const Calendar> calendar = Xnys();
};

std::shared_ptr<ArtifactCheck> MakeCheck(const Options& options,
                                         std::shared_ptr<const ObjectProber> prober) {
  CheckSpec spec;
  spec.name = "pit_parity";
  spec.kind = "artifact";
  spec.mode = options.mode;
  ArtifactSpec artifact;
  for (const std::string& source : options.sources) artifact.sources.emplace_back(source);
  artifact.zone = NewYork();
  artifact.calendar = options.calendar;
  artifact.partition_date = options.partition;
  artifact.paused_until = options.paused_until;
  artifact.max_age = options.max_age;
  if (!options.max_age) {
    artifact.schedule.emplace(CronExpression(options.cron), NewYork(), options.calendar,
                              minutes(30), options.partition);
  }
  return std::make_shared<ArtifactCheck>(spec, std::move(artifact), std::move(prober));
}

Observation CollectAt(ArtifactCheck& check, TimePoint now) {
  FakeClock clock(now);
  CollectContext context;
  context.clock = &clock;
  context.budget = Duration(5'000);
  return check.Collect(context);
}

std::string StateOf(const Observation& observation) {
  std::string state;
  int hot = 0;
  for (const Sample& sample : observation.samples) {
    if (sample.metric != metric::kArtifactState) continue;
    if (sample.value == 1) {
      state = sample.labels.at("state");
      ++hot;
    } else {
      EXPECT_EQ(sample.value, 0);
    }
  }
  EXPECT_EQ(hot, 1) << "state must be one-hot";
  return state;
}

std::optional<double> ValueOf(const Observation& observation, const std::string& name) {
  for (const Sample& sample : observation.samples) {
    if (sample.metric == name) return sample.value;
  }
  return std::nullopt;
}

// One row of the semantics table: objects that exist, the instant, what must come out.
struct Object {
  std::string location;
  TimePoint modified;
  std::uint64_t size = 100;
};

struct SemanticsCase {
  std::string name;
  Options options;
  std::vector<Object> objects;
  TimePoint now;
  std::string state;
  std::optional<int> missed_slots;
  std::optional<TimePoint> deadline;
  std::optional<TimePoint> modified;
};

void PrintTo(const SemanticsCase& test, std::ostream* out) { *out << test.name; }

std::vector<SemanticsCase> SemanticsCases() {
  Options previous_business_day;
  previous_business_day.partition = PartitionDate::kPreviousBusinessDay;
  Options with_recovery;
  with_recovery.sources = {kDated, kRecovery};
  Options undated;
  undated.sources = {kUndated};
  Options observe;
  observe.mode = "observe";
  return {
      // Holiday (Fri 3 July) and weekend create no slot.
      {"thursday_file_covers_holiday_friday",
       {},
       {{DatedPath("/data", 2026, 7, 2), Local(2026, 7, 2, 5, 40)}},
       Local(2026, 7, 3, 10),
       "fresh",
       0,
       Local(2026, 7, 6, 6, 30),
       Local(2026, 7, 2, 5, 40)},
      {"thursday_file_covers_weekend_until_monday_slot",
       {},
       {{DatedPath("/data", 2026, 7, 2), Local(2026, 7, 2, 5, 40)}},
       Local(2026, 7, 6, 5, 0),
       "fresh",
       0,
       Local(2026, 7, 6, 6, 30),
       Local(2026, 7, 2, 5, 40)},
      {"missing_friday_file_stays_missing_saturday",
       {},
       {{DatedPath("/data", 2026, 7, 9), Local(2026, 7, 9, 5, 40)}},
       Local(2026, 7, 11, 12),
       "missing",
       1,
       Local(2026, 7, 10, 6, 30),
       Local(2026, 7, 9, 5, 40)},
      {"missing_friday_file_stays_missing_sunday",
       {},
       {{DatedPath("/data", 2026, 7, 9), Local(2026, 7, 9, 5, 40)}},
       Local(2026, 7, 12, 23),
       "missing",
       1,
       Local(2026, 7, 10, 6, 30),
       Local(2026, 7, 9, 5, 40)},
      {"missed_slots_count_back_to_the_last_satisfied",
       {},
       {{DatedPath("/data", 2026, 7, 7), Local(2026, 7, 7, 5, 40)}},
       Local(2026, 7, 10, 12),
       "missing",
       3,  // Wed, Thu, Fri
       Local(2026, 7, 10, 6, 30),
       Local(2026, 7, 7, 5, 40)},
      // Grace boundaries around the Tuesday 06:30 deadline.
      {"one_second_before_deadline_is_late",
       {},
       {{DatedPath("/data", 2026, 7, 6), Local(2026, 7, 6, 5, 40)}},
       Local(2026, 7, 7, 6, 29, 59),
       "late",
       0,
       Local(2026, 7, 7, 6, 30),
       Local(2026, 7, 6, 5, 40)},
      {"at_deadline_is_missing",
       {},
       {{DatedPath("/data", 2026, 7, 6), Local(2026, 7, 6, 5, 40)}},
       Local(2026, 7, 7, 6, 30, 0),
       "missing",
       1,
       Local(2026, 7, 7, 6, 30),
       Local(2026, 7, 6, 5, 40)},
      {"one_second_after_deadline_is_missing",
       {},
       {{DatedPath("/data", 2026, 7, 6), Local(2026, 7, 6, 5, 40)}},
       Local(2026, 7, 7, 6, 30, 1),
       "missing",
       1,
       Local(2026, 7, 7, 6, 30),
       Local(2026, 7, 6, 5, 40)},
      {"delivered_inside_grace_is_fresh",
       {},
       {{DatedPath("/data", 2026, 7, 7), Local(2026, 7, 7, 6, 20)}},
       Local(2026, 7, 7, 6, 29, 59),
       "fresh",
       0,
       Local(2026, 7, 8, 6, 30),
       Local(2026, 7, 7, 6, 20)},
      {"delivered_one_second_before_deadline_is_fresh_after_it",
       {},
       {{DatedPath("/data", 2026, 7, 7), Local(2026, 7, 7, 6, 29, 59)}},
       Local(2026, 7, 7, 6, 30, 1),
       "fresh",
       0,
       Local(2026, 7, 8, 6, 30),
       Local(2026, 7, 7, 6, 29, 59)},
      // DST: the Monday after spring forward and after fall back.
      {"spring_forward_monday_slot_at_local_six",
       {},
       {{DatedPath("/data", 2026, 3, 6), Local(2026, 3, 6, 5)}},
       Local(2026, 3, 9, 6, 29),
       "late",
       0,
       Local(2026, 3, 9, 6, 30),
       Local(2026, 3, 6, 5)},
      {"spring_forward_monday_missing_after_local_deadline",
       {},
       {{DatedPath("/data", 2026, 3, 6), Local(2026, 3, 6, 5)}},
       Local(2026, 3, 9, 6, 31),
       "missing",
       1,
       Local(2026, 3, 9, 6, 30),
       Local(2026, 3, 6, 5)},
      {"fall_back_monday_fresh_before_local_six",
       {},
       {{DatedPath("/data", 2026, 10, 30), Local(2026, 10, 30, 5)}},
       Local(2026, 11, 2, 5, 59),
       "fresh",
       0,
       Local(2026, 11, 2, 6, 30),
       Local(2026, 10, 30, 5)},
      {"fall_back_monday_missing_after_local_deadline",
       {},
       {{DatedPath("/data", 2026, 10, 30), Local(2026, 10, 30, 5)}},
       Local(2026, 11, 2, 6, 30),
       "missing",
       1,
       Local(2026, 11, 2, 6, 30),
       Local(2026, 10, 30, 5)},
      // Partition dates.
      {"previous_business_day_monday_reads_friday",
       previous_business_day,
       {{DatedPath("/data", 2026, 7, 10), Local(2026, 7, 11, 1)}},
       Local(2026, 7, 13, 10),
       "fresh",
       0,
       Local(2026, 7, 14, 6, 30),
       Local(2026, 7, 11, 1)},
      {"previous_business_day_skips_the_holiday",
       previous_business_day,
       {{DatedPath("/data", 2026, 7, 3), Local(2026, 7, 4, 1)}},
       Local(2026, 7, 6, 10),
       "missing",  // Monday's slot wants Thursday 2 July, not the holiday
       31,         // and no earlier partition exists within the lookback
       Local(2026, 7, 6, 6, 30),
       std::nullopt},
      // Alternative producers.
      {"recovery_output_satisfies_the_slot",
       with_recovery,
       {{DatedPath("/recovery", 2026, 7, 7), Local(2026, 7, 7, 6, 10)}},
       Local(2026, 7, 7, 9),
       "fresh",
       0,
       Local(2026, 7, 8, 6, 30),
       Local(2026, 7, 7, 6, 10)},
      {"newest_of_both_producers_is_reported",
       with_recovery,
       {{DatedPath("/data", 2026, 7, 7), Local(2026, 7, 7, 5)},
        {DatedPath("/recovery", 2026, 7, 7), Local(2026, 7, 7, 6, 10)}},
       Local(2026, 7, 7, 9),
       "fresh",
       0,
       Local(2026, 7, 8, 6, 30),
       Local(2026, 7, 7, 6, 10)},
      // Observe mode evaluates exactly like enforce.
      {"observe_mode_is_evaluated_the_same",
       observe,
       {},
       Local(2026, 7, 7, 9),
       "missing",
       31,  // nothing within the lookback
       Local(2026, 7, 7, 6, 30),
       std::nullopt},
      // Empty objects do not satisfy.
      {"empty_file_is_missing",
       {},
       {{DatedPath("/data", 2026, 7, 7), Local(2026, 7, 7, 5), 0},
        {DatedPath("/data", 2026, 7, 6), Local(2026, 7, 6, 5)}},
       Local(2026, 7, 7, 9),
       "missing",
       1,
       Local(2026, 7, 7, 6, 30),
       Local(2026, 7, 6, 5)},
      // Undated paths must be modified after the previous slot's due time.
      {"undated_modified_after_previous_slot_is_fresh",
       undated,
       {{kUndated, Local(2026, 7, 7, 7)}},
       Local(2026, 7, 8, 10),
       "fresh",
       0,
       Local(2026, 7, 9, 6, 30),
       Local(2026, 7, 7, 7)},
      {"undated_older_than_previous_slot_is_stale",
       undated,
       {{kUndated, Local(2026, 7, 6, 7)}},
       Local(2026, 7, 8, 10),
       "stale",
       1,  // Tuesday's slot was satisfied by Monday 07:00, Wednesday's was not
       Local(2026, 7, 8, 6, 30),
       Local(2026, 7, 6, 7)},
      {"undated_friday_file_fresh_on_monday_morning",
       undated,
       {{kUndated, Local(2026, 7, 10, 7)}},
       Local(2026, 7, 13, 10),
       "fresh",
       0,
       Local(2026, 7, 14, 6, 30),
       Local(2026, 7, 10, 7)},
      // A replay does not see objects written after the replayed instant.
      {"replay_ignores_objects_written_later",
       {},
       {{DatedPath("/data", 2026, 7, 7), Local(2026, 7, 7, 12)}},
       Local(2026, 7, 7, 9),
       "missing",
       31,
       Local(2026, 7, 7, 6, 30),
       std::nullopt},
  };
}

class ArtifactSemanticsTest : public ::testing::TestWithParam<SemanticsCase> {};

TEST_P(ArtifactSemanticsTest, EvaluatesAsSpecified) {
  const SemanticsCase& test = GetParam();
  auto prober = std::make_shared<FakeObjectProber>();
  for (const Object& object : test.objects)
    prober->Put(object.location, object.modified, object.size);
  const auto check = MakeCheck(test.options, prober);
  const Observation observation = CollectAt(*check, test.now);
  EXPECT_EQ(StateOf(observation), test.state);
  EXPECT_FALSE(observation.failure.has_value());
  const std::optional<double> missed = ValueOf(observation, metric::kArtifactMissedSlots);
  ASSERT_EQ(missed.has_value(), test.missed_slots.has_value());
  if (missed) {
    EXPECT_EQ(*missed, *test.missed_slots);
  }
  const std::optional<double> deadline = ValueOf(observation, metric::kArtifactDeadline);
  ASSERT_EQ(deadline.has_value(), test.deadline.has_value());
  if (deadline) {
    EXPECT_EQ(*deadline, ToUnixSeconds(*test.deadline));
  }
  const std::optional<double> modified = ValueOf(observation, metric::kArtifactModified);
  ASSERT_EQ(modified.has_value(), test.modified.has_value());
  if (modified) {
    EXPECT_EQ(*modified, ToUnixSeconds(*test.modified));
    // The age is computed at scrape time from the modification time.
    bool found_age = false;
    for (const Sample& sample : observation.samples) {
      if (sample.metric != metric::kArtifactAge) continue;
      found_age = true;
      ASSERT_TRUE(sample.since_unix_seconds.has_value());
      EXPECT_EQ(*sample.since_unix_seconds, ToUnixSeconds(*test.modified));
    }
    EXPECT_TRUE(found_age);
  }
  const CheckSummary summary = check->Summarize(observation, test.now);
  EXPECT_EQ(summary.state, test.state);
  // The default tiers: stale and missing are warnings, everything else is fine.
  EXPECT_EQ(summary.level,
            test.state == "stale" || test.state == "missing" ? Level::kWarning : Level::kOk);
}

INSTANTIATE_TEST_SUITE_P(Table, ArtifactSemanticsTest, ::testing::ValuesIn(SemanticsCases()),
                         [](const ::testing::TestParamInfo<SemanticsCase>& param_info) {
                           return param_info.param.name;
                         });

TEST(ArtifactCheckTest, ObserveModeIsMarkedInTheSummary) {
  Options options;
  options.mode = "observe";
  const auto check = MakeCheck(options, std::make_shared<FakeObjectProber>());
  const TimePoint now = Local(2026, 7, 7, 9);
  const CheckSummary summary = check->Summarize(CollectAt(*check, now), now);
  EXPECT_EQ(summary.state, "missing");
  EXPECT_NE(summary.value.find("observe mode"), std::string::npos) << summary.value;
}

TEST(ArtifactCheckTest, ProbeErrorMakesProbeFailedAndCountsAnError) {
  auto prober = std::make_shared<FakeObjectProber>();
  prober->FailOn(DatedPath("/data", 2026, 7, 7),
                 "stat /data/2026-07-07/done.csv: Permission denied");
  const auto check = MakeCheck({}, prober);
  const Observation observation = CollectAt(*check, Local(2026, 7, 7, 9));
  EXPECT_EQ(StateOf(observation), "probe_failed");
  ASSERT_TRUE(observation.failure.has_value());
  EXPECT_EQ(observation.failure->reason, ErrorReason::kProbe);
  EXPECT_NE(observation.failure->message.find("Permission denied"), std::string::npos);
  const CheckSummary summary = check->Summarize(observation, Local(2026, 7, 7, 9));
  EXPECT_EQ(summary.value, "probe failed");
}

TEST(ArtifactCheckTest, TemplateThatCannotExpandIsProbeFailed) {
  Options options;
  std::string long_path = "/d/";
  for (int i = 0; i < 500; ++i) long_path += "{as_of:%B}";
  options.sources = {long_path};
  const auto check = MakeCheck(options, std::make_shared<FakeObjectProber>());
  const Observation observation = CollectAt(*check, Local(2026, 9, 2, 9));
  EXPECT_EQ(StateOf(observation), "probe_failed");
  ASSERT_TRUE(observation.failure.has_value());
  EXPECT_NE(observation.failure->message.find("cannot expand for 2026-09-02"), std::string::npos)
      << observation.failure->message;
}

TEST(ArtifactCheckTest, PausedUntilSkipsProbes) {
  Options options;
  options.paused_until = Local(2026, 7, 10, 0);
  auto prober = std::make_shared<FakeObjectProber>();
  const auto check = MakeCheck(options, prober);
  EXPECT_EQ(StateOf(CollectAt(*check, Local(2026, 7, 9, 23, 59, 59))), "paused");
  EXPECT_TRUE(prober->probed().empty());
  EXPECT_EQ(StateOf(CollectAt(*check, Local(2026, 7, 10, 0))), "missing");
  EXPECT_FALSE(prober->probed().empty());
}

TEST(ArtifactCheckTest, NoSlotYetIsUnknown) {
  Options options;
  options.cron = "0 6 30 2 *";  // never fires
  const auto check = MakeCheck(options, std::make_shared<FakeObjectProber>());
  const Observation observation = CollectAt(*check, Local(2026, 7, 7, 9));
  EXPECT_EQ(StateOf(observation), "unknown");
  EXPECT_EQ(check->Summarize(observation, Local(2026, 7, 7, 9)).level, Level::kOk);
}

TEST(ArtifactCheckTest, MaxAgeStates) {
  Options options;
  options.max_age = hours(26);
  options.sources = {kUndated};
  auto prober = std::make_shared<FakeObjectProber>();
  const auto check = MakeCheck(options, prober);
  const TimePoint now = Local(2026, 7, 8, 10);
  EXPECT_EQ(StateOf(CollectAt(*check, now)), "missing");
  prober->Put(kUndated, now - hours(26) - seconds(1));
  Observation observation = CollectAt(*check, now);
  EXPECT_EQ(StateOf(observation), "stale");
  EXPECT_EQ(ValueOf(observation, metric::kArtifactDeadline), ToUnixSeconds(now - seconds(1)));
  EXPECT_FALSE(ValueOf(observation, metric::kArtifactMissedSlots).has_value());
  prober->Put(kUndated, now - hours(26));
  EXPECT_EQ(StateOf(CollectAt(*check, now)), "fresh");
}

TEST(ArtifactCheckTest, CalendarPastValidThroughIsAConfigFailure) {
  Options options;
  options.calendar = Xnys(Day(2026, 7, 6));
  auto prober = std::make_shared<FakeObjectProber>();
  prober->Put(DatedPath("/data", 2026, 7, 6), Local(2026, 7, 6, 5));
  prober->Put(DatedPath("/data", 2026, 7, 7), Local(2026, 7, 7, 5));
  const auto check = MakeCheck(options, prober);
  const Observation inside = CollectAt(*check, Local(2026, 7, 6, 23));
  EXPECT_FALSE(inside.failure.has_value());
  const Observation past = CollectAt(*check, Local(2026, 7, 7, 9));
  EXPECT_EQ(StateOf(past), "fresh");  // still evaluated
  ASSERT_TRUE(past.failure.has_value());
  EXPECT_EQ(past.failure->reason, ErrorReason::kConfig);
  EXPECT_NE(past.failure->message.find("valid through 2026-07-06"), std::string::npos)
      << past.failure->message;
}

TEST(ArtifactCheckTest, EachLocationIsProbedOncePerCollection) {
  Options options;
  options.sources = {kUndated};
  auto prober = std::make_shared<FakeObjectProber>();
  prober->Put(kUndated, Local(2026, 6, 1, 7));  // stale for weeks: the lookback walks back
  const auto check = MakeCheck(options, prober);
  EXPECT_EQ(StateOf(CollectAt(*check, Local(2026, 7, 8, 10))), "stale");
  EXPECT_EQ(prober->probed().size(), 1u);
}

TEST(ArtifactCheckTest, OlderSlotsAreWalkedOncePerSlotInForce) {
  auto prober = std::make_shared<FakeObjectProber>();
  prober->Put(DatedPath("/data", 2026, 7, 6), Local(2026, 7, 6, 5));
  const auto check = MakeCheck({}, prober);
  Observation first = CollectAt(*check, Local(2026, 7, 8, 10));
  EXPECT_EQ(ValueOf(first, metric::kArtifactMissedSlots), 2);  // Tuesday and Wednesday
  const std::size_t walked = prober->probed().size();
  EXPECT_EQ(walked, 3u);  // Wednesday, Tuesday, Monday
  Observation second = CollectAt(*check, Local(2026, 7, 8, 10, 15));
  EXPECT_EQ(ValueOf(second, metric::kArtifactMissedSlots), 2);
  EXPECT_EQ(ValueOf(second, metric::kArtifactModified), ToUnixSeconds(Local(2026, 7, 6, 5)));
  EXPECT_EQ(prober->probed().size(), walked + 1);  // only the slot in force again
  // Thursday's slot comes due and is missed too: walked again, counted from scratch.
  EXPECT_EQ(ValueOf(CollectAt(*check, Local(2026, 7, 9, 10)), metric::kArtifactMissedSlots), 3);
  // Delivered late: fresh, nothing missed.
  prober->Put(DatedPath("/data", 2026, 7, 9), Local(2026, 7, 9, 11));
  const Observation delivered = CollectAt(*check, Local(2026, 7, 9, 11, 30));
  EXPECT_EQ(StateOf(delivered), "fresh");
  EXPECT_EQ(ValueOf(delivered, metric::kArtifactMissedSlots), 0);
}

TEST(ArtifactCheckTest, TiersMakeStatesWarningsOrCritical) {
  Options options;
  auto prober = std::make_shared<FakeObjectProber>();
  auto check = MakeCheck(options, prober);  // defaults: warn_on [missing, stale]
  const TimePoint now = Local(2026, 7, 7, 9);
  EXPECT_EQ(check->Summarize(CollectAt(*check, now), now).level, Level::kWarning);
  std::vector<std::pair<Labels, double>> series;
  for (const Sample& sample : check->ConfigSamples()) {
    EXPECT_EQ(sample.metric, metric::kArtifactStateSeverity);
    series.emplace_back(sample.labels, sample.value);
  }
  EXPECT_EQ(series, (std::vector<std::pair<Labels, double>>{
                        {{{"state", "missing"}, {"severity", "warning"}}, 1},
                        {{{"state", "stale"}, {"severity", "warning"}}, 1}}));

  CheckSpec spec;
  spec.name = "signals";
  spec.kind = "artifact";
  ArtifactSpec artifact = check->artifact();
  artifact.warn_on = {ArtifactState::kLate};
  artifact.error_on = {ArtifactState::kMissing};
  auto paging = std::make_shared<ArtifactCheck>(spec, artifact, prober);
  EXPECT_EQ(paging->Summarize(CollectAt(*paging, now), now).level, Level::kCritical);
  // Tuesday 06:10: Monday's file is there, Tuesday's is due inside its grace.
  prober->Put(DatedPath("/data", 2026, 7, 6), Local(2026, 7, 6, 5));
  const TimePoint grace = Local(2026, 7, 7, 6, 10);
  const CheckSummary late = paging->Summarize(CollectAt(*paging, grace), grace);
  EXPECT_EQ(late.state, "late");
  EXPECT_EQ(late.level, Level::kWarning);
  EXPECT_EQ(late.reason,
            "late: /data/2026-07-07/done.csv (partition 2026-07-07), deadline in 20m00s");
  EXPECT_EQ(paging->ThresholdsJson(),
            nlohmann::json({{"warn_on", {"late"}}, {"error_on", {"missing"}}, {"grace", 1800}}));
}

// freshness_artifact_slot_info: the primary source expanded for the slot in force, else the
// pending one, else the next one; undated sources have no partition.
TEST(ArtifactCheckTest, SlotInfoNamesTheLocationAndPartitionProbed) {
  const auto slot_of = [](const Observation& observation) {
    std::optional<Labels> labels;
    for (const Sample& sample : observation.samples) {
      if (sample.metric == metric::kArtifactSlotInfo) {
        EXPECT_EQ(sample.value, 1);
        EXPECT_FALSE(labels.has_value()) << "one slot_info series";
        labels = sample.labels;
      }
    }
    return labels;
  };
  Options with_recovery;
  with_recovery.sources = {kDated, kRecovery};
  auto prober = std::make_shared<FakeObjectProber>();
  prober->Put(DatedPath("/recovery", 2026, 7, 6), Local(2026, 7, 6, 6, 10));
  const auto check = MakeCheck(with_recovery, prober);
  // Tuesday 10:00: Tuesday's slot is in force; the primary source names it.
  const Observation tuesday = CollectAt(*check, Local(2026, 7, 7, 10));
  EXPECT_EQ(slot_of(tuesday),
            (Labels{{"location", "/data/2026-07-07/done.csv"}, {"partition", "2026-07-07"}}));
  const CheckSummary summary = check->Summarize(tuesday, Local(2026, 7, 7, 10));
  ASSERT_TRUE(summary.artifact.has_value());
  EXPECT_EQ(summary.artifact->location, "/data/2026-07-07/done.csv");
  EXPECT_EQ(summary.artifact->partition, "2026-07-07");
  EXPECT_EQ(summary.reason,
            "missing: /data/2026-07-07/done.csv (partition 2026-07-07), deadline passed 3h30m ago");
  // An undated source has no partition.
  Options undated;
  undated.sources = {kUndated};
  const auto undated_check = MakeCheck(undated, prober);
  EXPECT_EQ(slot_of(CollectAt(*undated_check, Local(2026, 7, 7, 10))),
            (Labels{{"location", "/data/latest.csv"}, {"partition", ""}}));
  // Paused: nothing is probed, but the slot is still named.
  Options paused;
  paused.paused_until = Local(2026, 7, 10, 0);
  const auto paused_check = MakeCheck(paused, prober);
  const Observation paused_observation = CollectAt(*paused_check, Local(2026, 7, 8, 10));
  EXPECT_EQ(slot_of(paused_observation),
            (Labels{{"location", "/data/2026-07-08/done.csv"}, {"partition", "2026-07-08"}}));
  const CheckSummary paused_summary =
      paused_check->Summarize(paused_observation, Local(2026, 7, 8, 10));
  EXPECT_TRUE(paused_summary.paused);
  EXPECT_EQ(paused_summary.reason, "paused until 2026-07-10T04:00:00Z");
}

// When the pending slot is already satisfied, the artifact is fresh even though the slot in
// force is not (docs/artifacts.md): the producer has caught up.
TEST(ArtifactCheckTest, ASatisfiedPendingSlotWinsOverAnUnsatisfiedSlotInForce) {
  auto prober = std::make_shared<FakeObjectProber>();
  // Monday's file never came; Tuesday's is there at 06:05, inside Tuesday's grace.
  prober->Put(DatedPath("/data", 2026, 7, 7), Local(2026, 7, 7, 6, 5));
  const auto check = MakeCheck({}, prober);
  const TimePoint now = Local(2026, 7, 7, 6, 15);
  const Observation observation = CollectAt(*check, now);
  EXPECT_EQ(StateOf(observation), "fresh");
  EXPECT_EQ(ValueOf(observation, metric::kArtifactMissedSlots), 0);
  const CheckSummary summary = check->Summarize(observation, now);
  EXPECT_EQ(summary.level, Level::kOk);
  EXPECT_EQ(summary.reason,
            "fresh: /data/2026-07-07/done.csv (partition 2026-07-07) delivered, modified 10m00s "
            "ago");
  // Had it come only at 07:00, at 06:45 Tuesday's slot is in force and missing as usual.
  prober->Put(DatedPath("/data", 2026, 7, 7), Local(2026, 7, 7, 7));
  EXPECT_EQ(StateOf(CollectAt(*check, Local(2026, 7, 7, 6, 45))), "missing");
}

// Replays: an object modified inside the clock-skew tolerance after the instant counts with age
// 0; one modified later did not exist yet, and the reason says when it came.
TEST(ArtifactCheckTest, ReplayNeverShowsANegativeAgeAndSaysWhatCameLater) {
  auto prober = std::make_shared<FakeObjectProber>();
  const TimePoint now = Local(2026, 7, 7, 9);
  prober->Put(DatedPath("/data", 2026, 7, 7), now + seconds(20));
  const auto check = MakeCheck({}, prober);
  const Observation skewed = CollectAt(*check, now);
  EXPECT_EQ(StateOf(skewed), "fresh");
  for (const Sample& sample : skewed.samples) {
    if (sample.metric == metric::kArtifactAge) {
      EXPECT_EQ(ValueAt(sample, ToUnixSeconds(now)), 0);
    }
  }
  EXPECT_NE(check->Summarize(skewed, now).value.find("age 0.0s"), std::string::npos);

  prober->Put(DatedPath("/data", 2026, 7, 7), Local(2026, 7, 7, 12));
  const auto replay = MakeCheck({}, prober);
  const Observation before = CollectAt(*replay, now);
  EXPECT_EQ(StateOf(before), "missing");
  EXPECT_EQ(before.detail,
            "/data/2026-07-07/done.csv (partition 2026-07-07), not yet at this instant (modified "
            "2026-07-07T16:00:00Z)");
  EXPECT_EQ(replay->Summarize(before, now)
                .reason.rfind(
                    "missing: /data/2026-07-07/done.csv (partition 2026-07-07), not yet at this "
                    "instant (modified 2026-07-07T16:00:00Z), deadline passed 2h30m ago",
                    0),
            0u)
      << replay->Summarize(before, now).reason;
}

// Config: keys, defaults.artifact merging and positioned errors.
TEST(ArtifactConfigTest, DefaultsAreMergedAndOwnKeysWin) {
  const std::string text = R"(
calendars:
  xnys: {timezone: America/New_York, weekend: [sat, sun], valid_through: 2026-12-31}
defaults:
  artifact: {calendar: xnys, grace: 30m, error_on: [missing], expect: {max_age: 1h}}
checks:
  - name: a
    kind: artifact
    source: /data/{as_of:%Y-%m-%d}/a.csv
    expect: {schedule: "0 6 * * mon-fri", as_of: previous_business_day}
  - name: b
    kind: artifact
    source: relative/b.csv
    grace: 5m
)";
  const Config config = LoadConfigString(text, "/etc/freshness/freshness.yml");
  ASSERT_EQ(config.checks.size(), 2u);
  const auto* a = dynamic_cast<const ArtifactCheck*>(config.checks[0].get());
  ASSERT_NE(a, nullptr);
  // error_on from defaults.artifact; the default warn_on gives missing up to it.
  EXPECT_EQ(a->artifact().error_on, std::vector<ArtifactState>{ArtifactState::kMissing});
  EXPECT_EQ(a->artifact().warn_on, std::vector<ArtifactState>{ArtifactState::kStale});
  ASSERT_TRUE(a->artifact().schedule.has_value());
  EXPECT_EQ(a->artifact().schedule->grace(), minutes(30));
  EXPECT_EQ(a->artifact().schedule->zone()->name(), "America/New_York");
  EXPECT_EQ(a->artifact().calendar->name(), "xnys");
  const auto* b = dynamic_cast<const ArtifactCheck*>(config.checks[1].get());
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->artifact().max_age, hours(1));
  EXPECT_EQ(b->artifact().sources.at(0).text(), "/etc/freshness/relative/b.csv");
}

struct ConfigErrorCase {
  std::string name;
  std::string check_yaml;  // the body of one artifact check, indented by 4
  std::string expected;    // "line:column: key: message"
};

TEST(ArtifactConfigTest, ErrorsNameFileLineColumnAndKey) {
  const ConfigErrorCase cases[] = {
      {"bad_cron", "    source: /x\n    expect: {schedule: \"0 25 * * *\"}\n",
       "f.yml:6:24: checks[0].expect.schedule: invalid cron expression \"0 25 * * *\": hour field "
       "\"25\": out of range 0-23"},
      {"bad_template", "    source: /x/{date:%Y}\n    expect: {max_age: 1h}\n",
       "f.yml:5:13: checks[0].source: invalid template: unknown placeholder {date:%Y} (only "
       "{as_of:FMT})"},
      {"both_expectations", "    source: /x\n    expect: {max_age: 1h, schedule: \"0 6 * * *\"}\n",
       "f.yml:6:13: checks[0].expect: exactly one of schedule or max_age is required"},
      {"unknown_calendar", "    source: /x\n    calendar: nyse\n    expect: {max_age: 1h}\n",
       "f.yml:6:15: checks[0].calendar: unknown calendar \"nyse\" (did you mean \"xnys\"?)"},
      {"bad_zone", "    source: /x\n    expect: {max_age: 1h, timezone: Mars/Base}\n",
       "f.yml:6:37: checks[0].expect.timezone: unknown time zone \"Mars/Base\""},
      {"bad_scheme", "    source: ftp://h/x\n    expect: {max_age: 1h}\n",
       "f.yml:5:13: checks[0].source: unsupported scheme \"ftp\" (use a path, file://, http(s):// "
       "or s3://)"},
      {"bad_any_of",
       "    source: /x\n    any_of: [/y, \"s3://bucket\"]\n    expect: {max_age: 1h}\n",
       "f.yml:6:18: checks[0].any_of[1]: expected s3://bucket/key"},
      {"unknown_s3_key",
       "    source: s3://b/k\n    s3: {endpoint: http://127.0.0.1:1, bucket: b}\n    expect: "
       "{max_age: 1h}\n",
       "f.yml:6:40: checks[0].s3.bucket: unknown key"},
      {"bad_paused_until",
       "    source: /x\n    paused_until: tomorrow\n    expect: {max_age: 1h}\n",
       "f.yml:6:19: checks[0].paused_until: invalid timestamp \"tomorrow\" (RFC 3339, e.g. "
       "2026-07-10T00:00:00Z)"},
      {"missing_expect", "    source: /x\n",
       "f.yml:3:5: checks[0].expect: is required (schedule or max_age)"},
      {"unknown_key", "    source: /x\n    expect: {max_age: 1h}\n    sauce: 1\n",
       "f.yml:7:5: checks[0].sauce: unknown key (did you mean \"source\"?)"},
  };
  for (const ConfigErrorCase& test : cases) {
    SCOPED_TRACE(test.name);
    const std::string text =
        "calendars: {xnys: {timezone: UTC}}\nchecks:\n  - name: a\n"
        "    kind: artifact\n" +
        test.check_yaml;
    try {
      LoadConfigString(text, "f.yml");
      ADD_FAILURE() << "accepted";
    } catch (const ConfigError& error) {
      EXPECT_EQ(error.what(), test.expected);
    }
  }
}

}  // namespace
}  // namespace freshness
