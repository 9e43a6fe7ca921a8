#!/usr/bin/env bash
# Artifact benchmark: one collection cycle over N file artifacts (default 10,000) with the real
# binary, `freshness_exporter --once --at=... --output=json`, pinned to 2 CPUs. Prints the
# wall time of the whole run, of config loading alone (--config.check), their difference (the
# collection cycle plus the JSON report), the sum and maximum of the checks' own durations, the
# peak resident memory, and how many artifacts ended in each state.
#
# The artifacts mix what a registry holds: dated partitions on a weekday schedule (same_day and
# previous_business_day), undated files, globs, rolling max_age, and 10% with nothing there
# (those walk back up to missed_slots_lookback slots, the worst case for probes).
#
# usage: bench/artifact_bench.sh [--exporter=PATH] [--artifacts=N] [--workers=N]
#   --exporter   freshness_exporter binary (default build/release/exporter/freshness_exporter)
#   --artifacts  number of artifact checks (default 10000)
#   --workers    --collector.workers (default 2)
# Needs: python3, GNU time (/usr/bin/time), taskset (util-linux). Not part of the test suite.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exporter=$repo/build/release/exporter/freshness_exporter
artifacts=10000
workers=2
for argument in "$@"; do
  case $argument in
    --exporter=*) exporter=${argument#*=} ;;
    --artifacts=*) artifacts=${argument#*=} ;;
    --workers=*) workers=${argument#*=} ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $argument" >&2; exit 2 ;;
  esac
done
[[ -x $exporter ]] || { echo "no exporter binary at $exporter (build it first)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "GNU time (/usr/bin/time) is needed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
readonly at=2026-07-08T10:00:00-04:00  # a Wednesday, after the 06:00 deadline

python3 - "$work" "$artifacts" <<'PY'
import os, sys, datetime
work, count = sys.argv[1], int(sys.argv[2])
ny = datetime.timezone(datetime.timedelta(hours=-4))
def stamp(day, hour):
    return datetime.datetime(2026, 7, day, hour, 0, tzinfo=ny).timestamp()
def touch(path, when, content=b"x\n"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)
    os.utime(path, (when, when))
lines = ["global: {timezone: America/New_York, interval: 1m, timeout: 10s}",
         "calendars:",
         "  xnys: {timezone: America/New_York, weekend: [sat, sun],",
         "         holidays: {2026-07-03: Independence Day}, valid_through: 2026-12-31}",
         "checks:"]
# calendar and grace are written into each check rather than defaults.artifact, so the figure
# measures loading and evaluating artifacts, not the merging of defaults.
for i in range(count):
    d = f"{work}/data/a{i}"
    kind = i % 10
    if kind < 4:    # dated, same_day: today's partition delivered at 05:40
        touch(f"{d}/2026-07-08/part.csv", stamp(8, 5) + 2400)
        src, expect = f"{d}/{{as_of:%Y-%m-%d}}/part.csv", '{schedule: "0 6 * * mon-fri"}'
    elif kind < 6:  # dated, previous business day
        touch(f"{d}/2026-07-07/part.csv", stamp(8, 1))
        src = f"{d}/{{as_of:%Y-%m-%d}}/part.csv"
        expect = '{schedule: "0 6 * * mon-fri", as_of: previous_business_day}'
    elif kind < 7:  # undated, rewritten every morning
        touch(f"{d}/latest.csv", stamp(8, 5))
        src, expect = f"{d}/latest.csv", '{schedule: "0 6 * * mon-fri"}'
    elif kind < 8:  # glob over a few parts
        for part in range(3):
            touch(f"{d}/parts/p{part}.csv", stamp(7 + part % 2, 4 + part))
        src, expect = f"{d}/parts/p*.csv", "{max_age: 26h}"
    elif kind < 9:  # rolling max_age
        touch(f"{d}/snapshot.json", stamp(7, 20))
        src, expect = f"{d}/snapshot.json", "{max_age: 26h}"
    else:           # nothing there: walks back the whole lookback
        src, expect = f"{d}/{{as_of:%Y-%m-%d}}/part.csv", '{schedule: "0 6 * * mon-fri"}'
    lines.append(f'  - {{name: a{i}, kind: artifact, calendar: xnys, grace: 30m, source: "{src}",'
                 f' expect: {expect}}}')
with open(f"{work}/freshness.yml", "w") as f:
    f.write("\n".join(lines) + "\n")
PY

pin=()
command -v taskset >/dev/null && pin=(taskset -c 0,1)
measure() {  # prints "seconds max_rss_kb" of one run
  /usr/bin/time -f '%e %M' -o "$work/time" "${pin[@]}" "$@" >"$work/out" 2>"$work/err" || true
  tail -n 1 "$work/time"
}
read -r load_s load_kb < <(measure "$exporter" --config.file="$work/freshness.yml" --config.check)
read -r once_s once_kb < <(measure "$exporter" --config.file="$work/freshness.yml" --once \
  --at="$at" --output=json --collector.workers="$workers")
python3 - "$work/out" "$artifacts" "$workers" "$load_s" "$once_s" "$once_kb" "$load_kb" <<'PY'
import json, sys, collections
path, count, workers, load_s, once_s, once_kb, load_kb = sys.argv[1:]
report = json.load(open(path))
checks = report["checks"] if isinstance(report, dict) else report
states = collections.Counter(c["state"] for c in checks)
durations = [c.get("duration_seconds") or 0 for c in checks]
print(f"artifacts            {len(checks)} (asked {count}), workers {workers}")
print(f"--once wall          {float(once_s):.2f} s")
print(f"config load only     {float(load_s):.2f} s (--config.check)")
print(f"cycle + report       {float(once_s) - float(load_s):.2f} s (difference)")
print(f"check durations      sum {sum(durations):.3f} s, max {max(durations) * 1000:.2f} ms")
print(f"peak RSS             {int(once_kb) / 1024:.1f} MB (--config.check alone {int(load_kb) / 1024:.1f} MB)")
print("states               " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
PY
