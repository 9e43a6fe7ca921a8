#!/usr/bin/env bash
# Grouped lag at scale: the collection time of a `lag` check with `group_by` in its two forms,
# side by side in one run, at 10^5, 10^6 and 10^7 rows (10^8 with --with-1e8), with 10, 100 and
# 1,000 groups, and of the runs and duplicates checks on the same table.
#
#   loose    the exporter's own statement when the table has an index on (group, ts): a loose
#            index scan (recursive CTE, one index probe per group, then max(ts) per group)
#   group_by the statement it runs without that index, SELECT g::text, max(ts) ... GROUP BY g,
#            given to the same exporter as a custom `sql:` so both run against the same table,
#            the same indexes and the same cache, interleaved
#
# Data (SQL generate_series into a throwaway PostgreSQL 15 on 127.0.0.1): one table
# bench.events (id, g10, g100, g1000, ts, finished_at) of N rows, one every 26 s back from the
# start of the run (see grow); row i belongs to group i % 10, i % 100 and i % 1000; 1 run in
# 1,000 unfinished, 1 id in 50 executed twice. Indexes: (g10, ts), (g100, ts), (g1000, ts) and (ts). Each size grows the table
# of the size before (the indexes are rebuilt after each load).
#
# Checks (one collection at a time, --collector.workers=1, interval 1s):
#   loose_10, loose_100, loose_1000        kind lag, group_by [gN] (the exporter picks the form)
#   group_by_10, group_by_100, group_by_1000  kind lag, sql: the GROUP BY statement
#   runs_24h                                kind runs, started ts, finished finished_at, window 24h
#   failed_24h                              the same with failed_when (1 run in 7 failed): also the
#                                           failure streak and the last successful run
#   dups_24h                                kind duplicates, key [id], time ts, window 24h
#   volume_1h                               kind volume, rows in the last hour against the same
#                                           hour one day ago
# The figure is the median of freshness_check_duration_seconds over --samples collections after
# a first (warm-up) one; it includes the exporter's per-transaction settings and result parsing.
#
# usage: bench/grouped_lag_bench.sh [--exporter=PATH] [--sizes=N,N,...] [--with-1e8]
#                                   [--samples=N] [--shared-buffers=SIZE] [--without-group-by]
#                                   [--explain]
#   --exporter  freshness_exporter binary (default build/release/exporter/freshness_exporter)
#   --sizes     table sizes in rows, ascending (default 100000,1000000,10000000)
#   --with-1e8  add 100000000 rows (about 10 GB of table and indexes, half an hour of loading)
#   --samples   collections per check (default 7; the median is quoted)
#   --shared-buffers  the server's shared_buffers (default that of scripts/lib/postgres.sh, 16MB)
#   --without-group-by  leave the GROUP BY checks out: their whole-index reads evict the pages
#               the loose scan reads between two of its collections, which a live table, whose
#               newest entries are where its inserts land, keeps in memory
#   --explain   also print EXPLAIN (ANALYZE, BUFFERS) of the loose statement for 1,000 groups per
#               size, after the measurements
# Needs: postgresql-15, curl. Loopback only. Not part of the test suite.
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
shared_buffers=""
explain=false
with_group_by=true
readonly groups="10 100 1000"
checks="loose_10 group_by_10 loose_100 group_by_100 loose_1000 group_by_1000 runs_24h failed_24h
dups_24h volume_1h"
command_line="bench/grouped_lag_bench.sh${*:+ $*}"

for argument in "$@"; do
  case $argument in
    --exporter=*) exporter=${argument#*=} ;;
    --sizes=*) sizes=${argument#*=} ;;
    --with-1e8) sizes+=,100000000 ;;
    --samples=*) samples=${argument#*=} ;;
    --shared-buffers=*) shared_buffers=${argument#*=} ;;
    --explain) explain=true ;;
    --without-group-by) with_group_by=false ;;
    -h | --help) usage ;;
    *)
      echo "grouped_lag_bench: unknown argument $argument" >&2
      usage
      ;;
  esac
done
log() { printf 'grouped_lag_bench: %s\n' "$*" >&2; }
[[ $samples =~ ^[1-9][0-9]?$ ]] || {
  log "--samples must be 1 to 99"
  exit 2
}
IFS=, read -r -a size_list <<<"$sizes"
previous=1000
for size in "${size_list[@]}"; do
  if ! [[ $size =~ ^[0-9]+$ ]] || ((size <= previous || size > 100000000)); then
    log "--sizes: ascending row counts above 1000 and at most 10^8"
    exit 2
  fi
  previous=$size
done
[[ -x $exporter ]] || {
  log "no exporter at $exporter; build it first:"
  log "  cmake --preset release && cmake --build --preset release -j2 --target freshness_exporter"
  exit 1
}

$with_group_by || checks=$(printf '%s\n' $checks | grep -v '^group_by_' | tr '\n' ' ')
bench_workdir freshness-grouped-lag-bench
bench_postgres
if [[ -n $shared_buffers ]]; then
  [[ $shared_buffers =~ ^[0-9]+(kB|MB|GB)$ ]] || {
    log "--shared-buffers: a size such as 2GB"
    exit 2
  }
  psql "$(pg_dsn "$pg_port")" --no-psqlrc -qc "ALTER SYSTEM SET shared_buffers = '$shared_buffers'"
  pg_stop "$pgdata"
  pg_start "$pgdata" "$pg_port"
fi
psql "$(pg_dsn "$pg_port")" --no-psqlrc -qc 'CREATE DATABASE bench'
dsn=$(pg_dsn "$pg_port" bench)
sql() { psql "$dsn" --no-psqlrc -qAt -v ON_ERROR_STOP=1 "$@"; }
sql <<'SQL'
CREATE SCHEMA bench;
CREATE TABLE bench.events (id bigint NOT NULL, g10 int NOT NULL, g100 int NOT NULL,
                           g1000 int NOT NULL, ts timestamptz NOT NULL, finished_at timestamptz);
SQL

# grow FROM TO: rows FROM..TO; row i is i * 26 s older than the first load, so every size holds
# the same newest rows (3,323 in the 24 hours before the first load) and a longer history (30 days at
# 10^5 rows, 8 years at 10^7).
grow() {
  sql -v from="$1" -v to="$2" -v epoch="$epoch" <<'SQL'
SET maintenance_work_mem = '512MB';
SET client_min_messages = warning;
DROP INDEX IF EXISTS bench.events_g10_ts, bench.events_g100_ts, bench.events_g1000_ts,
  bench.events_ts;
INSERT INTO bench.events
SELECT i, i % 10, i % 100, i % 1000, :'epoch'::timestamptz - i * interval '26 seconds',
       CASE WHEN i % 1000 = 0 THEN NULL ELSE :'epoch'::timestamptz END
FROM generate_series(:from::bigint, :to::bigint) AS i;
-- Duplicated ids: every 50th id again, a second later.
INSERT INTO bench.events
SELECT i, i % 10, i % 100, i % 1000,
       :'epoch'::timestamptz - i * interval '26 seconds' + interval '1 second', now()
FROM generate_series(:from::bigint, :to::bigint) AS i WHERE i % 50 = 0;
CREATE INDEX events_g10_ts ON bench.events (g10, ts);
CREATE INDEX events_g100_ts ON bench.events (g100, ts);
CREATE INDEX events_g1000_ts ON bench.events (g1000, ts);
CREATE INDEX events_ts ON bench.events (ts);
VACUUM (ANALYZE) bench.events;
SQL
}

{
  echo 'global: {interval: 1s, timeout: 120s, timezone: UTC}'
  echo 'targets:'
  echo '  bench: {dsn_env: BENCH_DSN, max_connections: 1}'
  echo 'checks:'
  for g in $groups; do
    echo "  - {name: loose_$g, kind: lag, target: bench, table: bench.events, column: ts,"
    echo "     group_by: [g$g], max_series: 1000, warn_after: 1d}"
    # The exporter's GROUP BY form of the same check (checks/grouped_lag_sql.cc).
    $with_group_by || continue
    echo "  - {name: group_by_$g, kind: lag, target: bench, warn_after: 1d, group_by: [g$g],"
    echo "     max_series: 1000,"
    echo "     sql: 'SELECT \"g$g\"::text, max(\"ts\") FROM \"bench\".\"events\" GROUP BY \"g$g\"" \
      "ORDER BY max(\"ts\") ASC NULLS FIRST LIMIT 1000'}"
  done
  echo '  - {name: runs_24h, kind: runs, target: bench, table: bench.events, started_column: ts,'
  echo '     finished_column: finished_at, window: 24h, max_duration: 30m}'
  echo '  - {name: failed_24h, kind: runs, target: bench, table: bench.events, started_column: ts,'
  echo '     finished_column: finished_at, window: 24h, max_duration: 30m,'
  echo '     failed_when: "id % 7 = 0"}'
  echo '  - {name: dups_24h, kind: duplicates, target: bench, table: bench.events, key: [id],'
  echo '     time_column: ts, window: 24h}'
  echo '  - {name: volume_1h, kind: volume, target: bench, table: bench.events, time_column: ts,'
  echo '     period: 1h, expect: {days_ago: 1}}'
} >"$workdir/freshness.yml"

# measure SIZE: runs the exporter until every check has --samples collections after its first,
# then stores the median duration in ms per check in result[SIZE,CHECK] and its series count.
declare -A result series
measure() {
  local size=$1 port check metrics stamp duration deadline total
  port=$(free_port)
  BENCH_DSN=$dsn "$exporter" --config.file="$workdir/freshness.yml" --collector.workers=1 \
    --web.listen-address="127.0.0.1:$port" --log.level=warn >>"$workdir/exporter.log" 2>&1 &
  exporter_pid=$!
  declare -A last_stamp=() durations=() count=()
  total=0
  for check in $checks; do
    count[$check]=-1
    total=$((total + 1))
  done
  deadline=$((SECONDS + 300 + samples * size / 100000))
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
        # The first collection opened the connection and read the catalog: a warm-up.
        ((count[$check] < 1)) || durations[$check]+="$duration "
      fi
      ((count[$check] < samples)) || done_checks=$((done_checks + 1))
    done
    ((done_checks < total)) || break
    if ((SECONDS >= deadline)) || ! kill -0 "$exporter_pid" 2>/dev/null; then
      log "the exporter did not report $samples collections of every check in time"
      exit 1
    fi
    sleep 0.2
  done
  for check in $checks; do
    # shellcheck disable=SC2086 # a list of numbers
    result[$size,$check]=$(median ${durations[$check]} | awk '{ printf "%.2f", $1 * 1000 }')
    series[$size,$check]=$(printf '%s\n' "$metrics" |
      awk -v c="check=\"$check\"" 'index($1, c) && $1 ~ /^freshness_lag_seconds\{/ { n++ } END { print n + 0 }')
  done
  bench_stop_exporter
}

# The exporter's loose statement for group_by [g1000] (checks/grouped_lag_sql.cc; g1000 and ts
# are NOT NULL, so one backward probe per group and no NULL probe), for --explain.
loose_1000_sql='WITH RECURSIVE freshness_walk("g1000", freshness_newest) AS ((SELECT t."g1000",
 t."ts" FROM "bench"."events" t WHERE "g1000" IS NOT NULL ORDER BY t."g1000" DESC, t."ts" DESC
 LIMIT 1) UNION ALL SELECT n.* FROM freshness_walk w CROSS JOIN LATERAL (SELECT t."g1000", t."ts"
 FROM "bench"."events" t WHERE t."g1000" < w."g1000" ORDER BY t."g1000" DESC, t."ts" DESC LIMIT 1)
 n), freshness_groups("g1000", freshness_newest) AS (SELECT * FROM freshness_walk)
 SELECT "g1000"::text, freshness_newest FROM freshness_groups
 ORDER BY freshness_newest ASC NULLS FIRST LIMIT 1000'
explained=""
declare -A load_seconds total_mb
epoch=$(sql -c 'SELECT now()')
loaded=0
for size in "${size_list[@]}"; do
  log "$size rows: loading rows $((loaded + 1))..$size and indexing"
  started=$(date +%s.%N)
  grow $((loaded + 1)) "$size"
  load_seconds[$size]=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  loaded=$size
  total_mb[$size]=$(sql -c "SELECT round(pg_total_relation_size('bench.events') / 1048576.0)")
  log "$size rows: $samples collections per check"
  measure "$size"
  if $explain; then
    explained+="--- $size rows, loose_1000"$'\n'
    plan=$(sql -c "EXPLAIN (ANALYZE, BUFFERS) $loose_1000_sql")
    explained+=$(printf '%s\n' "$plan" | grep -m 1 'Buffers:')$'\n'
    explained+=$(printf '%s\n' "$plan" | grep 'Execution Time')$'\n'
  fi
done

# --- report --------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b > 0) printf "%.1fx", a / b; else print "-" }'; }
echo
echo "command: $command_line"
echo "exporter: $("$exporter" --version)"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo);" \
  "PostgreSQL $(sql -c 'SHOW server_version' | cut -d' ' -f1)," \
  "shared_buffers $(sql -c 'SHOW shared_buffers')"
echo "collection time, ms, median of $samples collections (freshness_check_duration_seconds)"
echo
printf '%-10s %6s | %9s %9s %7s | %8s %10s %8s %9s | %6s %7s\n' rows groups loose group_by \
  ratio runs_24h failed_24h dups_24h volume_1h 'MB' 'load s'
for size in "${size_list[@]}"; do
  for g in $groups; do
    printf '%-10s %6s | %9s %9s %7s | %8s %10s %8s %9s | %6s %7s\n' "$size" "$g" \
      "${result[$size,loose_$g]}" "${result[$size,group_by_$g]:--}" \
      "$(ratio "${result[$size,group_by_$g]:--}" "${result[$size,loose_$g]}")" \
      "${result[$size,runs_24h]}" "${result[$size,failed_24h]}" "${result[$size,dups_24h]}" \
      "${result[$size,volume_1h]}" "${total_mb[$size]}" "${load_seconds[$size]}"
  done
done
echo
first=${size_list[0]}
last=${size_list[-1]}
for g in $groups; do
  printf '  loose, %4s groups: %s rows / %s rows = %s; series %s (loose) / %s (group_by)\n' "$g" \
    "$last" "$first" \
    "$(awk -v a="${result[$last,loose_$g]}" -v b="${result[$first,loose_$g]}" \
      'BEGIN { printf "%.2fx", a / b }')" "${series[$last,loose_$g]}" "${series[$last,group_by_$g]:--}"
done
echo "ratio: group_by / loose; MB: table and its four indexes; load s: rows and indexes"
if [[ -n $explained ]]; then
  echo
  printf '%s' "$explained"
fi
