#include "checks/artifact_evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "support/fake_clock.h"
#include "unit/probes/fake_object_prober.h"

namespace freshness {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::FakeClock;
using testing::FakeMonotonicClock;
using testing::FakeObjectProber;

const date::time_zone* NewYork() { return date::locate_zone("America/New_York"); }

TimePoint Local(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  const date::local_seconds local =
      date::local_days(date::year{y} / m / d) + hours(hour) + minutes(minute);
  return NewYork()->to_sys(local, date::choose::earliest);
}

std::string Dated(unsigned month, unsigned day) {
  return "/data/" + date::format("%F", date::sys_days(date::year{2026} / month / day)) +
         "/done.csv";
}

// Weekdays at 06:00 New York with 30 minutes of grace, no calendar.
ArtifactSpec Weekdays() {
  ArtifactSpec spec;
  spec.sources.emplace_back("/data/{as_of:%Y-%m-%d}/done.csv");
  spec.zone = NewYork();
  spec.schedule.emplace(CronExpression("0 6 * * mon-fri"), NewYork(), nullptr, minutes(30),
                        PartitionDate::kSameDay);
  return spec;
}

ArtifactSpec MaxAge(std::vector<std::string> sources, Duration max_age) {
  ArtifactSpec spec;
  for (const std::string& source : sources) spec.sources.emplace_back(source);
  spec.zone = NewYork();
  spec.max_age = max_age;
  return spec;
}

class ArtifactEvaluatorTest : public ::testing::Test {
 protected:
  ArtifactEvaluation EvaluateNow(const ArtifactEvaluator& evaluator) const {
    return evaluator.Evaluate(clock_.Now(), Duration(5'000), elapsed_);
  }

  std::shared_ptr<FakeObjectProber> prober_ = std::make_shared<FakeObjectProber>();
  FakeClock clock_;
  FakeMonotonicClock elapsed_;
};

// One schedule followed through a Monday morning on fake time: fresh from Friday's delivery,
// late inside Monday's grace, missing past its deadline, fresh once Monday's object lands.
TEST_F(ArtifactEvaluatorTest, FollowsTheScheduleAsTimeAdvances) {
  prober_->Put(Dated(7, 3), Local(2026, 7, 3, 5, 50));
  const ArtifactEvaluator evaluator(Weekdays(), prober_);
  clock_.Set(Local(2026, 7, 6, 5, 0));

  ArtifactEvaluation result = EvaluateNow(evaluator);
  EXPECT_EQ(result.state, ArtifactState::kFresh);
  EXPECT_EQ(result.modified, Local(2026, 7, 3, 5, 50));
  EXPECT_EQ(result.deadline, Local(2026, 7, 6, 6, 30));
  EXPECT_EQ(result.missed_slots, 0);

  clock_.Advance(minutes(70));  // 06:10, inside Monday's grace
  result = EvaluateNow(evaluator);
  EXPECT_EQ(result.state, ArtifactState::kLate);
  EXPECT_EQ(result.deadline, Local(2026, 7, 6, 6, 30));
  ASSERT_TRUE(result.slot.has_value());
  EXPECT_EQ(result.slot->partition, "2026-07-03");  // the slot in force until 06:30

  clock_.Advance(minutes(35));  // 06:45, past the deadline
  result = EvaluateNow(evaluator);
  EXPECT_EQ(result.state, ArtifactState::kMissing);
  EXPECT_EQ(result.missed_slots, 1);
  EXPECT_EQ(result.slot->partition, "2026-07-06");
  EXPECT_EQ(result.detail, Dated(7, 6) + " (partition 2026-07-06)");

  prober_->Put(Dated(7, 6), Local(2026, 7, 6, 6, 40));
  result = EvaluateNow(evaluator);
  EXPECT_EQ(result.state, ArtifactState::kFresh);
  EXPECT_EQ(result.modified, Local(2026, 7, 6, 6, 40));
  EXPECT_EQ(result.deadline, Local(2026, 7, 7, 6, 30));
  EXPECT_FALSE(result.failure.has_value());
}

// Older slots are probed once per slot in force; later evaluations reuse the count.
TEST_F(ArtifactEvaluatorTest, CountsMissedSlotsOncePerSlotInForce) {
  prober_->Put(Dated(7, 1), Local(2026, 7, 1, 5, 50));
  const ArtifactEvaluator evaluator(Weekdays(), prober_);
  clock_.Set(Local(2026, 7, 3, 7, 0));  // Friday, with Thursday and Friday missing

  ArtifactEvaluation result = EvaluateNow(evaluator);
  EXPECT_EQ(result.state, ArtifactState::kMissing);
  EXPECT_EQ(result.missed_slots, 2);
  EXPECT_EQ(result.modified, Local(2026, 7, 1, 5, 50));
  EXPECT_EQ(prober_->probed(), (std::vector<std::string>{Dated(7, 3), Dated(7, 2), Dated(7, 1)}));

  clock_.Advance(minutes(1));
  result = EvaluateNow(evaluator);
  EXPECT_EQ(result.missed_slots, 2);
  EXPECT_EQ(result.modified, Local(2026, 7, 1, 5, 50));
  EXPECT_EQ(prober_->probed().size(), 4u);  // only Friday again

  clock_.Set(Local(2026, 7, 6, 7, 0));  // Monday's slot is in force: walk back again
  result = EvaluateNow(evaluator);
  EXPECT_EQ(result.missed_slots, 3);
  EXPECT_EQ(prober_->probed().size(), 8u);
}

// Under max_age the artifact turns stale when the wall clock passes modified + max_age.
TEST_F(ArtifactEvaluatorTest, MaxAgeTurnsStaleAsTimeAdvances) {
  const TimePoint modified = Local(2026, 7, 7, 9, 0);
  prober_->Put("/data/latest.csv", modified);
  const ArtifactEvaluator evaluator(MaxAge({"/data/latest.csv"}, hours(1)), prober_);
  clock_.Set(modified + minutes(30));
  ArtifactEvaluation result = EvaluateNow(evaluator);
  EXPECT_EQ(result.state, ArtifactState::kFresh);
  EXPECT_EQ(result.deadline, modified + hours(1));
  EXPECT_FALSE(result.missed_slots.has_value());

  clock_.Advance(minutes(31));
  result = EvaluateNow(evaluator);
  EXPECT_EQ(result.state, ArtifactState::kStale);
  EXPECT_EQ(result.detail, "/data/latest.csv older than max_age 1h");
}

// Before paused_until nothing is probed; after it, the artifact is evaluated again.
TEST_F(ArtifactEvaluatorTest, PausedUntilIsJudgedAtTheGivenInstant) {
  ArtifactSpec spec = MaxAge({"/data/latest.csv"}, hours(1));
  clock_.Set(Local(2026, 7, 7, 9, 0));
  spec.paused_until = clock_.Now() + hours(1);
  const ArtifactEvaluator evaluator(std::move(spec), prober_);
  ArtifactEvaluation result = EvaluateNow(evaluator);
  EXPECT_EQ(result.state, ArtifactState::kPaused);
  EXPECT_TRUE(prober_->probed().empty());

  clock_.Advance(hours(2));
  result = EvaluateNow(evaluator);
  EXPECT_EQ(result.state, ArtifactState::kMissing);
  EXPECT_EQ(prober_->probed().size(), 1u);
}

// A prober whose every probe takes `cost` of the fake elapsed time, recording the timeout it
// was given.
class SlowProber final : public ObjectProber {
 public:
  SlowProber(FakeMonotonicClock& elapsed, std::chrono::nanoseconds cost)
      : elapsed_(elapsed), cost_(cost) {}
  ObjectInfo Probe(const std::string& location, milliseconds timeout, TimePoint) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    timeouts_.push_back(timeout);
    elapsed_.Advance(cost_);
    return ObjectInfo{false, {}, std::nullopt, location};
  }
  std::vector<milliseconds> timeouts() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return timeouts_;
  }

 private:
  FakeMonotonicClock& elapsed_;
  std::chrono::nanoseconds cost_;
  mutable std::mutex mutex_;
  mutable std::vector<milliseconds> timeouts_;
};

// All probes of one evaluation share the budget, measured on the injected clock and not on the
// wall clock (which stands still here).
TEST_F(ArtifactEvaluatorTest, ProbesShareOneBudgetOnTheInjectedClock) {
  auto slow = std::make_shared<SlowProber>(elapsed_, seconds(2));
  const ArtifactEvaluator evaluator(MaxAge({"/a.csv", "/b.csv", "/c.csv"}, hours(1)), slow);
  clock_.Set(Local(2026, 7, 7, 9, 0));

  ArtifactEvaluation result = evaluator.Evaluate(clock_.Now(), seconds(5), elapsed_);
  EXPECT_EQ(result.state, ArtifactState::kMissing);
  EXPECT_EQ(slow->timeouts(), (std::vector<milliseconds>{milliseconds(5'000), milliseconds(3'000),
                                                         milliseconds(1'000)}));

  result = evaluator.Evaluate(clock_.Now(), seconds(4), elapsed_);
  EXPECT_EQ(result.state, ArtifactState::kProbeFailed);
  ASSERT_TRUE(result.failure.has_value());
  EXPECT_EQ(result.failure->reason, ErrorReason::kProbe);
  EXPECT_EQ(result.detail, "timeout: probe budget of 4s used up before /c.csv");
  EXPECT_EQ(slow->timeouts().size(), 5u);  // /c.csv was not probed the second time
}

// A probe error is the artifact's state, never an exception.
TEST_F(ArtifactEvaluatorTest, AProbeErrorIsProbeFailed) {
  prober_->FailOn("/data/latest.csv", "permission denied");
  const ArtifactEvaluator evaluator(MaxAge({"/data/latest.csv"}, hours(1)), prober_);
  clock_.Set(Local(2026, 7, 7, 9, 0));
  const ArtifactEvaluation result = EvaluateNow(evaluator);
  EXPECT_EQ(result.state, ArtifactState::kProbeFailed);
  EXPECT_EQ(result.detail, "permission denied");
  ASSERT_TRUE(result.slot.has_value());
  EXPECT_EQ(result.slot->location, "/data/latest.csv");
}

}  // namespace
}  // namespace freshness
