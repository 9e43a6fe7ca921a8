#include "checks/artifact_evaluator.h"

#include <map>

#include "probes/scheme_router.h"
#include "schedule/rfc3339.h"
#include "util/check_error.h"

namespace freshness {
namespace {

// Probes each location at most once per evaluation, within one budget for all probes.
class ProbeSession {
 public:
  ProbeSession(const ObjectProber& prober, const MonotonicClock& elapsed, Duration budget,
               TimePoint not_after)
      : prober_(prober),
        elapsed_(elapsed),
        budget_(budget),
        deadline_(elapsed.Now() + budget),
        not_after_(not_after) {}

  const ObjectInfo& Probe(const std::string& location) {
    if (const auto found = cache_.find(location); found != cache_.end()) return found->second;
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - elapsed_.Now());
    if (remaining.count() <= 0) {
      throw CheckError(ErrorReason::kProbe, "timeout: probe budget of " + FormatDuration(budget_) +
                                                " used up before " + DisplayLocation(location));
    }
    ObjectInfo info = prober_.Probe(location, remaining, not_after_);
    return cache_.emplace(location, std::move(info)).first->second;
  }

 private:
  const ObjectProber& prober_;
  const MonotonicClock& elapsed_;
  Duration budget_;
  MonotonicTime deadline_;
  TimePoint not_after_;
  std::map<std::string, ObjectInfo> cache_;
};

// How the sources of a check stand for one slot (or for "now" under max_age).
struct SourceFindings {
  std::optional<ObjectInfo> satisfying;  // newest object that satisfies
  std::optional<ObjectInfo> too_old;     // newest undated object modified before the previous slot
  bool saw_empty = false;
  // Modified after `now`: did not exist yet at the evaluated instant.
  std::optional<TimePoint> future_modified;
};

class Evaluator {
 public:
  Evaluator(const ArtifactSpec& spec, const ObjectProber& prober, const MonotonicClock& elapsed,
            TimePoint now, Duration budget, std::optional<MissedSlotsMemo>& memo)
      : spec_(spec),
        session_(prober, elapsed, budget, now + ArtifactEvaluator::kClockSkewTolerance),
        now_(now),
        memo_(memo) {}

  ArtifactEvaluation Run() {
    if (spec_.max_age) return RunMaxAge();
    return RunSchedule();
  }

 private:
  std::string Expand(const PathTemplate& source, date::sys_days partition) const {
    std::optional<std::string> location = source.Expand(partition);
    if (!location) {
      throw CheckError(ErrorReason::kProbe,
                       "template \"" + DisplayLocation(source.text()) + "\" cannot expand for " +
                           FormatPartitionDay(partition) + " (longer than " +
                           std::to_string(PathTemplate::kMaxExpandedLength) + " characters)");
    }
    return *location;
  }

  // `previous_due`: due time of the slot before, which undated objects must be newer than.
  SourceFindings Inspect(date::sys_days partition, std::optional<TimePoint> previous_due) {
    SourceFindings findings;
    for (const PathTemplate& source : spec_.sources) {
      const ObjectInfo& info = session_.Probe(Expand(source, partition));
      if (!info.exists) continue;
      if (info.modified > now_ + ArtifactEvaluator::kClockSkewTolerance) {
        if (!findings.future_modified || info.modified > *findings.future_modified) {
          findings.future_modified = info.modified;
        }
        continue;
      }
      if (info.size && *info.size == 0) {
        findings.saw_empty = true;
        continue;
      }
      const bool recent_enough = source.dated() || !previous_due || info.modified > *previous_due;
      std::optional<ObjectInfo>& slot = recent_enough ? findings.satisfying : findings.too_old;
      if (!slot || info.modified > slot->modified) slot = info;
    }
    return findings;
  }

  std::optional<TimePoint> PreviousDue(const Slot& slot) const {
    const std::optional<Slot> previous = spec_.schedule->LatestBefore(slot.due, false);
    if (!previous) return std::nullopt;
    return previous->due;
  }

  SourceFindings InspectSlot(const Slot& slot) {
    return Inspect(slot.partition, PreviousDue(slot));
  }

  // Why a slot is not satisfied when nothing usable was found ("" when simply absent).
  static std::string NothingThere(const SourceFindings& findings) {
    if (findings.saw_empty) return ", only empty objects";
    if (findings.future_modified) {
      return ", not yet at this instant (modified " + FormatRfc3339(*findings.future_modified) +
             ")";
    }
    return "";
  }

  std::string WhereFor(date::sys_days partition) const {
    return DescribeArtifactLocation(ArtifactLocationFor(spec_, partition));
  }

  ArtifactEvaluation RunMaxAge() {
    ArtifactEvaluation result;
    const date::sys_days partition = MaxAgePartition(spec_, now_);
    result.slot = ArtifactLocationFor(spec_, partition);
    const SourceFindings findings = Inspect(partition, std::nullopt);
    if (!findings.satisfying) {
      result.state = ArtifactState::kMissing;
      result.detail = WhereFor(partition) + NothingThere(findings);
      return result;
    }
    result.modified = findings.satisfying->modified;
    result.deadline = *result.modified + *spec_.max_age;
    result.state = now_ <= *result.deadline ? ArtifactState::kFresh : ArtifactState::kStale;
    result.detail = WhereFor(partition) +
                    (result.state == ArtifactState::kFresh ? " within" : " older than") +
                    " max_age " + FormatDuration(*spec_.max_age);
    return result;
  }

  ArtifactEvaluation RunSchedule() {
    ArtifactEvaluation result;
    const ScheduleEvaluator& schedule = *spec_.schedule;
    const SlotPosition position = schedule.Locate(now_);
    result.slot = ArtifactSlotLocation(spec_, position);
    const auto next_deadline = [&]() -> std::optional<TimePoint> {
      if (position.next) return position.next->deadline;
      return std::nullopt;
    };
    // A pending slot that is already satisfied makes the artifact fresh, whatever the slot in
    // force: the producer has caught up (docs/artifacts.md, "Semantics").
    std::optional<SourceFindings> pending;
    if (position.pending) {
      pending = InspectSlot(*position.pending);
      if (pending->satisfying) {
        result.state = ArtifactState::kFresh;
        result.modified = pending->satisfying->modified;
        result.deadline = next_deadline();
        result.missed_slots = 0;
        result.detail = WhereFor(position.pending->partition) + " delivered";
        return result;
      }
    }
    // A pending slot that nothing satisfies yet: the artifact is late for it.
    const auto mark_pending_late = [&] {
      result.state = ArtifactState::kLate;
      result.deadline = position.pending->deadline;
      result.detail = WhereFor(position.pending->partition) + NothingThere(*pending);
    };
    if (!position.in_force) {
      result.missed_slots = 0;
      if (position.pending) {
        mark_pending_late();
      } else {
        result.state = ArtifactState::kUnknown;
        result.deadline = next_deadline();
        result.detail = "no slot due yet";
      }
      return result;
    }
    const Slot& in_force = *position.in_force;
    const SourceFindings current = InspectSlot(in_force);
    if (current.satisfying) {
      result.modified = current.satisfying->modified;
      result.missed_slots = 0;
      if (position.pending) {
        mark_pending_late();
      } else {
        result.state = ArtifactState::kFresh;
        result.deadline = next_deadline();
        result.detail = WhereFor(in_force.partition) + " delivered";
      }
      return result;
    }
    result.deadline = in_force.deadline;
    if (current.too_old) {
      result.state = ArtifactState::kStale;
      result.modified = current.too_old->modified;
      result.detail = WhereFor(in_force.partition) + " not updated since the previous slot";
    } else {
      result.state = ArtifactState::kMissing;
      result.detail = WhereFor(in_force.partition) + NothingThere(current);
    }
    // Count the due slots missed since the last satisfied one, looking back a bounded number.
    // Older slots are walked once per slot in force; later collections reuse the count.
    if (memo_ && memo_->in_force_due == in_force.due) {
      result.missed_slots = memo_->missed_slots;
      if (!result.modified) result.modified = memo_->earlier_modified;
      return result;
    }
    std::optional<TimePoint> earlier_modified;
    int missed = 1;
    Slot cursor = in_force;
    while (missed < spec_.missed_slots_lookback) {
      const std::optional<Slot> previous = schedule.LatestBefore(cursor.due, false);
      if (!previous) break;
      const SourceFindings earlier = InspectSlot(*previous);
      if (earlier.satisfying) {
        earlier_modified = earlier.satisfying->modified;
        break;
      }
      ++missed;
      cursor = *previous;
    }
    if (!result.modified) result.modified = earlier_modified;
    result.missed_slots = missed;
    memo_ = MissedSlotsMemo{in_force.due, missed, earlier_modified};
    return result;
  }

  const ArtifactSpec& spec_;
  ProbeSession session_;
  TimePoint now_;
  std::optional<MissedSlotsMemo>& memo_;
};

}  // namespace

ArtifactEvaluator::ArtifactEvaluator(ArtifactSpec spec, std::shared_ptr<const ObjectProber> prober)
    : spec_(std::move(spec)), prober_(std::move(prober)) {}

ArtifactEvaluation ArtifactEvaluator::Evaluate(TimePoint now, Duration budget,
                                               const MonotonicClock& elapsed) const {
  if (spec_.paused_until && now < *spec_.paused_until) {
    ArtifactEvaluation paused;
    paused.state = ArtifactState::kPaused;
    paused.detail = "paused until " + FormatRfc3339(*spec_.paused_until);
    paused.slot = ArtifactSlotLocation(spec_, now);
    return paused;
  }
  ArtifactEvaluation result;
  try {
    std::lock_guard<std::mutex> lock(memo_mutex_);
    result = Evaluator(spec_, *prober_, elapsed, now, budget, memo_).Run();
  } catch (const CheckError& error) {
    result = ArtifactEvaluation{};
    result.state = ArtifactState::kProbeFailed;
    result.detail = error.what();
    result.failure = Observation::Failure{ErrorReason::kProbe, error.what()};
    result.slot = ArtifactSlotLocation(spec_, now);
    return result;
  } catch (const std::exception& error) {
    result = ArtifactEvaluation{};
    result.state = ArtifactState::kProbeFailed;
    result.detail = std::string("probe error: ") + error.what();
    result.failure = Observation::Failure{ErrorReason::kProbe, result.detail};
    result.slot = ArtifactSlotLocation(spec_, now);
    return result;
  }
  if (const Calendar* calendar = spec_.calendar.get()) {
    const date::sys_days today = calendar->LocalDay(now);
    if (calendar->IsPastValidThrough(today)) {
      result.failure = Observation::Failure{
          ErrorReason::kConfig, "calendar \"" + calendar->name() + "\" is valid through " +
                                    FormatPartitionDay(*calendar->valid_through()) +
                                    " but evaluated on " + FormatPartitionDay(today) +
                                    "; extend its holidays and valid_through"};
    }
  }
  return result;
}

}  // namespace freshness
