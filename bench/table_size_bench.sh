#!/usr/bin/env bash
# Cost versus table size: how long the real exporter's `runs` and `duplicates` collections take
# when the watched tables hold 10^5, 10^6 and 10^7 rows, with and without an index on the time
# column. The windows read the same rows at every size, so a flat line means the cost does not
# grow with the table (README: "with an index on that column their cost does not grow").
#
# Data (SQL generate_series into a throwaway PostgreSQL 15 on 127.0.0.1): two tables of N rows
# each spread over 30 days. The newest 23 hours always hold the same 4,000 rows (28 of them inside
# a 10-minute window, 1 in 10 unfinished, 20 duplicated keys); the other N - 4,000 rows
# are spread evenly over the 29 days before, with old unfinished runs and old duplicated keys
# that the windows must not count. Each size grows the tables of the size before.
#
# Checks (one collection at a time, --collector.workers=1, interval 1s):
#   runs_10m    kind runs,       table bench.runs,       window 10m
#   runs_24h    kind runs,       table bench.runs,       window 24h
#   dups_24h    kind duplicates, table bench.executions, window 24h
# For each size, without and then with an index on the time column, the exporter runs until it
# has reported --samples collections per check after a first (warm-up) one; the figure is the
# median of freshness_check_duration_seconds over those collections (it includes the exporter's
# per-transaction SET commands and the result parsing, not the connection, which stays open).
# For scale, a full-table `SELECT count(*)` (EXPLAIN ANALYZE execution time, median of 3).
#
# usage: bench/table_size_bench.sh [--exporter=PATH] [--sizes=N,N,...] [--samples=N]
#                                  [--no-index-samples=N] [--explain]
#   --exporter          freshness_exporter binary (default build/release/exporter/freshness_exporter)
#   --sizes             table sizes in rows, ascending (default 100000,1000000,10000000)
#   --samples           collections per check with the index (default 7; the median is quoted)
#   --no-index-samples  collections per check without it (default 3; 0 skips that phase)
#   --explain           also print EXPLAIN (ANALYZE, BUFFERS) of each check's SQL per size
# Needs: postgresql-15, curl. About three minutes with the defaults (the 10^7 load takes about a
# minute). Loopback only. Not part of the test suite.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=bench/lib/common.sh
source bench/lib/common.sh

exporter=build/release/exporter/freshness_exporter
sizes=100000,1000000,10000000
samples=7
no_index_samples=3
explain=false
readonly recent_rows=4000 checks="runs_10m runs_24h dups_24h"
command_line="bench/table_size_bench.sh${*:+ $*}"

for argument in "$@"; do
  case $argument in
    --exporter=*) exporter=${argument#*=} ;;
    --sizes=*) sizes=${argument#*=} ;;
    --samples=*) samples=${argument#*=} ;;
    --no-index-samples=*) no_index_samples=${argument#*=} ;;
    --explain) explain=true ;;
    -h | --help) usage ;;
    *)
      echo "table_size_bench: unknown argument $argument" >&2
      usage
      ;;
  esac
done
log() { printf 'table_size_bench: %s\n' "$*" >&2; }
[[ $samples =~ ^[1-9][0-9]?$ && $no_index_samples =~ ^[0-9][0-9]?$ ]] || {
  log "--samples must be 1 to 99, --no-index-samples 0 to 99"
  exit 2
}
IFS=, read -r -a size_list <<<"$sizes"
previous=$recent_rows
for size in "${size_list[@]}"; do
  if ! [[ $size =~ ^[0-9]+$ ]] || ((size <= previous || size > 100000000)); then
    log "--sizes: ascending row counts above $recent_rows and at most 10^8"
    exit 2
  fi
  previous=$size
done
[[ -x $exporter ]] || {
  log "no exporter at $exporter; build it first:"
  log "  cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo && make -C build/release -j2 freshness_exporter"
  exit 1
}

# --- work directory and database (bench/lib/common.sh) ---------------------------------------
bench_workdir freshness-table-bench
bench_postgres
psql "$(pg_dsn "$pg_port")" --no-psqlrc -qc 'CREATE DATABASE bench'
dsn=$(pg_dsn "$pg_port" bench)
sql() { psql "$dsn" --no-psqlrc -qAt -v ON_ERROR_STOP=1 "$@"; }
sql <<'SQL'
CREATE SCHEMA bench;
CREATE TABLE bench.runs (id bigint NOT NULL, started_at timestamptz NOT NULL, finished_at timestamptz);
CREATE TABLE bench.executions (id bigint NOT NULL, recommendation_id bigint NOT NULL,
                               executed_at timestamptz NOT NULL);
SQL

# grow_history FROM TO: history rows FROM..TO, older than 24 h, spread evenly over 29 days by a
# golden-ratio sequence (so every prefix, hence every size, is spread evenly too).
grow_history() {
  sql -v from="$1" -v to="$2" <<'SQL'
SET maintenance_work_mem = '256MB';
SET client_min_messages = warning;
DROP INDEX IF EXISTS bench.runs_started_at, bench.executions_executed_at;
INSERT INTO bench.runs
SELECT i, t, CASE WHEN i % 1000 = 0 THEN NULL ELSE t + interval '90 seconds' END
FROM generate_series(:from::bigint, :to::bigint) AS i,
     LATERAL (SELECT now() - interval '24 hours'
                     - ((i * 0.6180339887498949) % 1) * interval '29 days' AS t) AS s;
-- Keys repeat every 500th row: old duplicates, outside the 24 h window.
INSERT INTO bench.executions
SELECT i, CASE WHEN i % 500 = 0 THEN i - 1 ELSE i END, t
FROM generate_series(:from::bigint, :to::bigint) AS i,
     LATERAL (SELECT now() - interval '24 hours'
                     - ((i * 0.6180339887498949) % 1) * interval '29 days' AS t) AS s;
SQL
}

# refresh_recent: the newest 23 hours again relative to now() (negative ids), so each size's
# windows hold the same rows however long the loading took.
refresh_recent() {
  sql -v recent="$recent_rows" <<'SQL'
DELETE FROM bench.runs WHERE id < 0;
DELETE FROM bench.executions WHERE id < 0;
-- Over the newest 23 hours, one run every 20.7 s; 1 in 10 and the three newest unfinished.
INSERT INTO bench.runs
SELECT -j, t, CASE WHEN j % 10 = 0 OR j <= 3 THEN NULL ELSE t + interval '15 seconds' END
FROM generate_series(1, :recent) AS j,
     LATERAL (SELECT now() - j * (interval '23 hours' / :recent) AS t) AS s;
-- 20 keys executed twice inside the window.
INSERT INTO bench.executions
SELECT -j, 1000000000 + j, now() - j * (interval '23 hours' / :recent)
FROM generate_series(1, :recent) AS j;
INSERT INTO bench.executions
SELECT -1000000 - j, 1000000000 + j, now() - j * (interval '23 hours' / :recent) + interval '1 second'
FROM generate_series(200, :recent, 200) AS j;
SQL
  # INDEX_CLEANUP ON: PostgreSQL 14+ otherwise leaves the index entries of the deleted rows when
  # they sit in under 2% of the pages (every size from 10^6 up here), and the windows read them.
  sql -c 'VACUUM (INDEX_CLEANUP ON, ANALYZE) bench.runs' \
    -c 'VACUUM (INDEX_CLEANUP ON, ANALYZE) bench.executions'
}

create_indexes() {
  sql <<'SQL'
SET maintenance_work_mem = '256MB';
CREATE INDEX runs_started_at ON bench.runs (started_at);
CREATE INDEX executions_executed_at ON bench.executions (executed_at);
ANALYZE bench.runs;
ANALYZE bench.executions;
SQL
}

# The exporter's own SQL for each check (runs_check.cc, duplicates_check.cc), for EXPLAIN.
declare -A check_sql
check_sql[runs_10m]="SELECT count(*), min(started_at) FROM bench.runs WHERE started_at >= now() - interval '600 seconds' AND finished_at IS NULL"
check_sql[runs_24h]="SELECT count(*), min(started_at) FROM bench.runs WHERE started_at >= now() - interval '86400 seconds' AND finished_at IS NULL"
check_sql[dups_24h]="SELECT count(*) FROM (SELECT 1 FROM bench.executions WHERE executed_at >= now() - interval '86400 seconds' GROUP BY recommendation_id HAVING count(*) > 1) AS duplicated_keys"
# scan_node CHECK: the plan's scan on the table (Index Scan, Bitmap Heap Scan, Seq Scan, ...).
scan_node() {
  sql -c "EXPLAIN ${check_sql[$1]}" \
    | grep -oE '(Parallel )?(Index Only Scan|Index Scan|Bitmap Heap Scan|Seq Scan)' | head -n 1
}
# execution_ms QUERY: server-side execution time, median of three EXPLAIN ANALYZE runs.
execution_ms() {
  local times=() _
  for _ in 1 2 3; do
    times+=("$(sql -c "EXPLAIN (ANALYZE, TIMING OFF) $1" | awk '/^Execution Time:/ { print $3 }')")
  done
  median "${times[@]}"
}

cat >"$workdir/freshness.yml" <<'YAML'
global: {interval: 1s, timeout: 60s, timezone: UTC}
targets:
  bench: {dsn_env: BENCH_DSN, max_connections: 1}
checks:
  - {name: runs_10m, kind: runs, target: bench, table: bench.runs, started_column: started_at,
     finished_column: finished_at, window: 10m, max_duration: 5m}
  - {name: runs_24h, kind: runs, target: bench, table: bench.runs, started_column: started_at,
     finished_column: finished_at, window: 24h}
  - {name: dups_24h, kind: duplicates, target: bench, table: bench.executions,
     key: [recommendation_id], time_column: executed_at, window: 24h}
YAML

# measure LABEL N: runs the exporter until every check has N collections after its first, then
# stores the median duration in ms per check in result[LABEL,CHECK] and the last values seen.
declare -A result value
measure() {
  local label=$1 wanted=$2 port check metrics stamp duration deadline
  port=$(free_port)
  BENCH_DSN=$dsn "$exporter" --config.file="$workdir/freshness.yml" --collector.workers=1 \
    --web.listen-address="127.0.0.1:$port" --log.level=warn >>"$workdir/exporter.log" 2>&1 &
  exporter_pid=$!
  declare -A last_stamp=() durations=() count=()
  for check in $checks; do count[$check]=-1; done
  deadline=$((SECONDS + 60 + wanted * 30))
  while :; do
    local done_checks=0
    metrics=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/metrics" 2>/dev/null || true)
    for check in $checks; do
      read -r stamp duration < <(printf '%s\n' "$metrics" | awk -v c="check=\"$check\"" '
        index($1, c) && $1 ~ /^freshness_check_last_success_timestamp_seconds\{/ { s = $2 }
        index($1, c) && $1 ~ /^freshness_check_duration_seconds\{/ { d = $2 }
        END { print (s == "" ? "-" : s), (d == "" ? "-" : d) }')
      if [[ $stamp != - && $stamp != "${last_stamp[$check]:-}" ]]; then
        last_stamp[$check]=$stamp
        count[$check]=$((count[$check] + 1))
        # The first collection seen may have opened the connection: a warm-up, not counted.
        ((count[$check] < 1)) || durations[$check]+="$duration "
      fi
      ((count[$check] < wanted)) || done_checks=$((done_checks + 1))
    done
    ((done_checks < 3)) || break
    if ((SECONDS >= deadline)) || ! kill -0 "$exporter_pid" 2>/dev/null; then
      log "the exporter did not report $wanted collections of every check in time"
      exit 1
    fi
    sleep 0.2
  done
  for check in $checks; do
    # shellcheck disable=SC2086 # a list of numbers
    result[$label,$check]=$(median ${durations[$check]} | awk '{ printf "%.2f", $1 * 1000 }')
    value[$check]=$(printf '%s\n' "$metrics" | awk -v c="check=\"$check\"" '
      index($1, c) && $1 ~ /^freshness_(unfinished_runs|duplicate_executions)\{/ { print $2 }')
  done
  bench_stop_exporter
}

declare -A load_seconds table_mb count_ms scan_plain scan_indexed counted
explained=""
loaded=0
for size in "${size_list[@]}"; do
  history=$((size - recent_rows))
  log "$size rows per table: loading history rows $((loaded + 1))..$history"
  started=$(date +%s.%N)
  grow_history $((loaded + 1)) "$history"
  load_seconds[$size]=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  loaded=$history
  table_mb[$size]=$(sql -c "SELECT round((pg_table_size('bench.runs') + pg_table_size('bench.executions')) / 1048576.0)")
  count_ms[$size]=$(execution_ms 'SELECT count(*) FROM bench.runs')
  if ((no_index_samples > 0)); then
    refresh_recent
    scan_plain[$size]=$(scan_node runs_10m)/$(scan_node dups_24h)
    log "$size rows: ${no_index_samples} collections per check without an index"
    measure "plain,$size" "$no_index_samples"
  fi
  log "$size rows: indexing the time columns"
  create_indexes
  refresh_recent
  scan_indexed[$size]=$(scan_node runs_10m)/$(scan_node dups_24h)
  log "$size rows: $samples collections per check with the index"
  measure "indexed,$size" "$samples"
  counted[$size]="${value[runs_10m]}/${value[runs_24h]}/${value[dups_24h]}"
  if $explain; then
    for check in $checks; do
      explained+="--- $size rows, $check (with the index)"$'\n'
      explained+=$(sql -c "EXPLAIN (ANALYZE, BUFFERS) ${check_sql[$check]}")$'\n'
    done
  fi
done

# --- report --------------------------------------------------------------------------------------
echo
echo "command: $command_line"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo);" \
  "PostgreSQL $(sql -c 'SHOW server_version' | cut -d' ' -f1), shared_buffers 16MB"
echo "collection time of each check, ms, median of $samples (indexed) / $no_index_samples (no index)" \
  "collections; freshness_check_duration_seconds"
echo
printf '%-10s %9s %9s %9s | %9s %9s %9s | %10s | %-33s %8s %7s %s\n' rows runs_10m runs_24h \
  dups_24h runs_10m runs_24h dups_24h 'count(*)' 'scan runs/dups' 'found' 'load s' 'MB'
printf '%-10s %29s | %29s | %10s |\n' '' 'with index on the time column' 'without index' 'full table'
for size in "${size_list[@]}"; do
  plain=()
  for check in $checks; do plain+=("${result[plain,$size,$check]:--}"); done
  printf '%-10s %9s %9s %9s | %9s %9s %9s | %10s | %-33s %8s %7s %s\n' "$size" \
    "${result[indexed,$size,runs_10m]}" "${result[indexed,$size,runs_24h]}" \
    "${result[indexed,$size,dups_24h]}" "${plain[@]}" "${count_ms[$size]}" \
    "${scan_indexed[$size]}" "${counted[$size]}" "${load_seconds[$size]}" "${table_mb[$size]}"
done
first=${size_list[0]}
last=${size_list[-1]}
echo
for check in $checks; do
  printf '  %s: %s rows / %s rows = %s with the index' "$check" "$last" "$first" \
    "$(awk -v a="${result[indexed,$last,$check]}" -v b="${result[indexed,$first,$check]}" \
      'BEGIN { printf "%.2fx", a / b }')"
  if [[ -n ${result[plain,$last,$check]:-} ]]; then
    printf '; without it %sx slower at %s rows' \
      "$(awk -v a="${result[plain,$last,$check]}" -v b="${result[indexed,$last,$check]}" \
        'BEGIN { printf "%.0f", a / b }')" "$last"
  fi
  echo
done
echo "found: unfinished runs in 10m / in 24h / duplicated keys in 24h (expected 5/403/20)"
echo "scan: the plan's scan node for runs_10m / dups_24h with the index" \
  "(without: ${scan_plain[$last]:-not measured})"
echo "count(*): EXPLAIN ANALYZE of SELECT count(*) FROM bench.runs (median of 3), ms"
echo "load s: time to grow both tables to that size; MB: both tables, without indexes"
if [[ -n $explained ]]; then
  echo
  printf '%s' "$explained"
fi
