#!/usr/bin/env bash
# Resource benchmark: resident memory at rest and after an hour's worth of reloads, and CPU per
# collection, for freshness_exporter and (memory and CPU only: they have no reload) Debian's
# prometheus-sql-exporter and prometheus-postgres-exporter, all running the demo's seven queries
# (examples/demo/freshness.yml; bench/peers/ for the peers) against one throwaway PostgreSQL 15
# on 127.0.0.1 holding --backfill seconds of demo data, each exporter on its own database copy.
#
# Phases, after every exporter served its first results and --settle seconds passed:
#   1. idle: --window seconds in which each exporter is scraped once every 5 s, as a Prometheus
#      with a 5 s scrape interval would. CPU over the window is the sum of the process's threads'
#      run time (/proc/PID/task/*/schedstat, nanoseconds; a thread that exits inside the window
#      takes its time with it) and, as a cross-check, utime + stime from /proc/PID/stat (1/100 s
#      ticks). "per cycle" divides it by the window's 5 s cycles (freshness_exporter and
#      sql-exporter run their queries every 5 s in the background, postgres-exporter at each
#      scrape); "per xact" by the database transactions of the window (one per check run for
#      freshness_exporter), counted over the window plus the 11 s statistics flush and scaled
#      back to the window.
#   2. reloads (freshness_exporter): --reloads `POST /-/reload` (240 = one every 15 s for an
#      hour), sent back to back, each waiting for its answer; then 15 s to let replaced collectors
#      finish. Resident memory, threads, open fds and database connections before and after, and
#      after a second idle window.
# RSS is VmRSS from /proc/PID/status, split into anonymous (the process's own) and file-backed
# (mapped shared libraries); peak is VmHWM.
#
# usage: bench/resource_bench.sh [--exporter=PATH] [--window=SECONDS] [--reloads=N]
#                                [--settle=SECONDS] [--backfill=SECONDS]
#   --exporter  freshness_exporter binary (default build/release/exporter/freshness_exporter)
#   --window    idle window in seconds (default 60)
#   --reloads   reloads of freshness_exporter (default 240)
#   --settle    wait after startup before measuring (default 20)
#   --backfill  seconds of demo history to load (default 3600)
# Needs: postgresql-15, curl; the peers are skipped when not installed. About four minutes with
# the defaults. Loopback only. Not part of the test suite.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=bench/lib/common.sh
source bench/lib/common.sh
# shellcheck source=bench/lib/demo_exporters.sh
source bench/lib/demo_exporters.sh

exporter=build/release/exporter/freshness_exporter
window=60
reloads=240
settle=20
backfill=3600
readonly scrape_every=5 stats_flush_seconds=11 reload_settle=15
command_line="bench/resource_bench.sh${*:+ $*}"

for argument in "$@"; do
  case $argument in
    --exporter=*) exporter=${argument#*=} ;;
    --window=*) window=${argument#*=} ;;
    --reloads=*) reloads=${argument#*=} ;;
    --settle=*) settle=${argument#*=} ;;
    --backfill=*) backfill=${argument#*=} ;;
    -h | --help) usage ;;
    *)
      echo "resource_bench: unknown argument $argument" >&2
      usage
      ;;
  esac
done
log() { printf 'resource_bench: %s\n' "$*" >&2; }
if ! [[ $window =~ ^[0-9]+$ && $reloads =~ ^[0-9]+$ && $settle =~ ^[0-9]+$ && $backfill =~ ^[0-9]+$ ]] \
  || ((window < scrape_every || window > 600 || reloads > 10000 || settle > 600 || backfill > 86400)); then
  log "--window 5 to 600, --reloads at most 10000, --settle at most 600, --backfill at most 86400"
  exit 2
fi
[[ -x $exporter ]] || {
  log "no exporter at $exporter; build it first (bench/README.md)"
  exit 1
}

# --- database and exporters (bench/lib/) -----------------------------------------------------
bench_workdir freshness-resource-bench
bench_demo_database "$backfill"
bench_start_exporters "$exporter"

# --- probes --------------------------------------------------------------------------------------
clock_ticks=$(getconf CLK_TCK)
# cpu_seconds PID: user + system CPU of the process so far (fields 14 and 15 of /proc/PID/stat;
# the command name in field 2 may hold spaces, so count from the closing parenthesis).
cpu_seconds() {
  local stat
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) }
  # shellcheck disable=SC2086 # split into fields on purpose
  set -- $stat
  awk -v u="${12}" -v s="${13}" -v t="$clock_ticks" 'BEGIN { printf "%.2f", (u + s) / t }'
}
# run_seconds PID: CPU run time of the process's live threads, from the scheduler (ns).
run_seconds() {
  cat "/proc/$1"/task/*/schedstat 2>/dev/null | awk '{ ns += $1 } END { printf "%.4f", ns / 1e9 }'
}
# memory PID: "RSS anon file hwm threads fds" in MB (threads and fds as counts).
memory() {
  local fds
  fds=$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  awk -v fds="$fds" '/^(VmRSS|RssAnon|RssFile|VmHWM|Threads):/ { v[$1] = $2 }
    END { printf "%.1f %.1f %.1f %.1f %d %d\n", v["VmRSS:"] / 1024, v["RssAnon:"] / 1024,
          v["RssFile:"] / 1024, v["VmHWM:"] / 1024, v["Threads:"], fds }' "/proc/$1/status"
}
transactions() {
  psql "$admin_dsn" --no-psqlrc -Atc \
    "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$1'"
}
connections() {
  psql "$admin_dsn" --no-psqlrc -Atc "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1'"
}

# idle_window LABEL: scrapes every exporter every 5 s for --window seconds; stores CPU seconds
# and transactions (after the statistics flush) per exporter.
declare -A cpu_used run_used tx_used scrapes
idle_window() {
  local label=$1 name cycle cycles=$((window / scrape_every)) started
  declare -A cpu_before run_before tx_before
  for name in "${names[@]}"; do
    cpu_before[$name]=$(cpu_seconds "${pid[$name]}")
    run_before[$name]=$(run_seconds "${pid[$name]}")
    tx_before[$name]=$(transactions "${database[$name]}")
  done
  started=$(date +%s.%N)
  for ((cycle = 1; cycle <= cycles; cycle++)); do
    for name in "${names[@]}"; do
      curl -fsS --max-time 5 -o /dev/null "${url[$name]}/metrics"
    done
    # Sleep to the next 5 s mark of the window (the scrapes themselves take some time).
    sleep "$(awk -v s="$started" -v c="$cycle" -v e="$scrape_every" -v n="$(date +%s.%N)" \
      'BEGIN { d = s + c * e - n; printf "%.3f", (d > 0 ? d : 0) }')"
  done
  for name in "${names[@]}"; do
    cpu_used[$label,$name]=$(awk -v a="${cpu_before[$name]}" -v b="$(cpu_seconds "${pid[$name]}")" \
      'BEGIN { printf "%.2f", b - a }')
    run_used[$label,$name]=$(awk -v a="${run_before[$name]}" -v b="$(run_seconds "${pid[$name]}")" \
      'BEGIN { printf "%.4f", b - a }')
    scrapes[$label,$name]=$cycles
  done
  sleep "$stats_flush_seconds"
  for name in "${names[@]}"; do
    tx_used[$label,$name]=$(($(transactions "${database[$name]}") - tx_before[$name]))
  done
}

declare -A memory_at connections_at
snapshot() {
  local label=$1 name
  for name in "${names[@]}"; do
    memory_at[$label,$name]=$(memory "${pid[$name]}")
    connections_at[$label,$name]=$(connections "${database[$name]}")
  done
}

log "every exporter serves its results; settling ${settle}s"
sleep "$settle"
snapshot rest
log "idle window 1: ${window}s, one scrape every ${scrape_every}s"
idle_window first
snapshot after_idle

name=freshness_exporter
reload_failures=0
reload_started=$(date +%s.%N)
log "$name: $reloads reloads (POST /-/reload), back to back"
for ((reload = 0; reload < reloads; reload++)); do
  status=$(curl -sS --max-time 30 -o /dev/null -w '%{http_code}' -X POST "${url[$name]}/-/reload") \
    || status=000
  [[ $status == 200 ]] || reload_failures=$((reload_failures + 1))
done
reload_seconds=$(awk -v a="$reload_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
sleep "$reload_settle"
snapshot after_reloads
curl -fsS --max-time 5 "${url[$name]}/metrics" >"$workdir/after_reloads.txt"
failing=$(grep -c '^freshness_check_success{.* 0$' "$workdir/after_reloads.txt" || true)
log "idle window 2: ${window}s, one scrape every ${scrape_every}s"
idle_window second
snapshot end

# --- report --------------------------------------------------------------------------------------
echo
echo "command: $command_line"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo);" \
  "PostgreSQL $(psql "$admin_dsn" --no-psqlrc -Atc 'SHOW server_version' | cut -d' ' -f1);" \
  "$(psql "$pipeline_dsn" --no-psqlrc -Atc 'SELECT count(*) FROM ops.lane_telemetry') telemetry rows"
echo
echo "memory, MB: RSS (anonymous + file-backed), peak; threads, open fds, database connections"
printf '%-20s %-14s %7s %7s %7s %7s %8s %5s %6s\n' exporter when RSS anon file peak threads fds \
  'db conn'
for name in "${names[@]}"; do
  for when in rest after_idle after_reloads end; do
    [[ $name == freshness_exporter || $when == rest || $when == end ]] || continue
    read -r rss anon file hwm threads fds <<<"${memory_at[$when,$name]}"
    printf '%-20s %-14s %7s %7s %7s %7s %8s %5s %6s\n' "$name" "$when" "$rss" "$anon" "$file" \
      "$hwm" "$threads" "$fds" "${connections_at[$when,$name]}"
  done
done
echo "  rest: ${settle}s after the first results; after_idle: after idle window 1;"
echo "  after_reloads: $reloads reloads in ${reload_seconds}s ($reload_failures failed)" \
  "+ ${reload_settle}s, $failing failing checks then; end: after idle window 2"
echo
echo "CPU over each ${window}s idle window (one scrape every ${scrape_every}s)"
printf '%-20s %-8s %8s %9s %9s %8s %8s %9s\n' exporter window 'run ms' 'ticks ms' 'ms/cycle' \
  'cpu %' xact 'ms/xact'
for name in "${names[@]}"; do
  for label in first second; do
    # Transactions were counted over the window plus the flush: scale back to the window.
    in_window=$(awk -v t="${tx_used[$label,$name]}" -v w="$window" -v f="$stats_flush_seconds" \
      'BEGIN { printf "%.1f", t * w / (w + f) }')
    printf '%-20s %-8s %8s %9s %9s %8s %8s %9s\n' "$name" "$label" \
      "$(awk -v c="${run_used[$label,$name]}" 'BEGIN { printf "%.1f", c * 1000 }')" \
      "$(awk -v c="${cpu_used[$label,$name]}" 'BEGIN { printf "%.0f", c * 1000 }')" \
      "$(awk -v c="${run_used[$label,$name]}" -v n="${scrapes[$label,$name]}" \
        'BEGIN { printf "%.2f", c * 1000 / n }')" \
      "$(awk -v c="${run_used[$label,$name]}" -v w="$window" 'BEGIN { printf "%.3f", c * 100 / w }')" \
      "$in_window" \
      "$(awk -v c="${run_used[$label,$name]}" -v t="$in_window" \
        'BEGIN { printf "%.3f", (t > 0 ? c * 1000 / t : 0) }')"
  done
done
echo "  window first: before the reloads, second: after them"
echo "  run ms: CPU run time of the threads (schedstat); ticks ms: utime + stime, 10 ms resolution"
echo "  ms/cycle: run ms per ${scrape_every}s cycle (one scrape each); cpu %: of one core"
echo "  xact: database transactions in the window (counted with the ${stats_flush_seconds}s flush," \
  "scaled back); ms/xact: run ms per transaction"
