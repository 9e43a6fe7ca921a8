#!/usr/bin/env bash
# Render benchmark: how long a scrape of /metrics takes, and how large the answer is, when the
# exporter holds many series. A scrape renders the last results (it never queries the database),
# so this is the exposition's own cost. Scenarios, each in a fresh exporter:
#   baseline    one query check returning 1 row;
#   query       one query check returning --series rows (a `key` label each), max_series raised;
#   lag         one lag check grouped by `lane` over --series lanes (two series per lane; the lag
#               is computed at scrape time, from each lane's last event);
#   artifacts   --series / 10 artifact checks (max_age over one existing file): the per-check
#               series (info, success, duration, errors by reason, state one-hot, ...) dominate;
#   sql-exporter  the peer users run today, Debian's prometheus-sql-exporter, with the query
#               scenario's statement (--series rows, one `key` label each), in the same run, when
#               it is installed. It too runs its query in the background and serves the result.
# The rows come from generate_series in a throwaway PostgreSQL 15 on 127.0.0.1 (no tables).
#
# Measured per scenario, each --repeat times, median quoted: p50/p99 of sequential scrapes on one
# keep-alive connection (wrk -t1 -c1 --latency), the response size and number of samples, the
# exporter's resident memory after the scrapes. wrk, like this script, sends no Accept-Encoding
# unless --gzip is given; then every request asks for gzip, as Prometheus does, and the size of
# the compressed answer is reported too.
#
# usage: bench/render_bench.sh [--exporter=PATH] [--series=N] [--seconds=N] [--repeat=N] [--gzip]
#   --exporter  freshness_exporter binary (default build/release/exporter/freshness_exporter)
#   --series    series in the query and lag scenarios (default 10000; at most 100000)
#   --seconds   duration of one wrk run (default 5)
#   --repeat    wrk runs per scenario (default 3; the median is quoted)
#   --gzip      send Accept-Encoding: gzip with every scrape
# Needs: postgresql-15, wrk, curl. About a minute with the defaults. Not part of the test suite.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=bench/lib/common.sh
source bench/lib/common.sh

exporter=build/release/exporter/freshness_exporter
series=10000
seconds=5
repeat=3
gzip=0
command_line="bench/render_bench.sh${*:+ $*}"

for argument in "$@"; do
  case $argument in
    --exporter=*) exporter=${argument#*=} ;;
    --series=*) series=${argument#*=} ;;
    --seconds=*) seconds=${argument#*=} ;;
    --repeat=*) repeat=${argument#*=} ;;
    --gzip) gzip=1 ;;
    -h | --help) usage ;;
    *)
      echo "render_bench: unknown argument $argument" >&2
      usage
      ;;
  esac
done
log() { printf 'render_bench: %s\n' "$*" >&2; }
if ! [[ $series =~ ^[0-9]+$ ]] || ((series < 10 || series > 100000)); then
  log "--series must be 10 to 100000"
  exit 2
fi
for value in "$seconds" "$repeat"; do
  [[ $value =~ ^[1-9][0-9]*$ && $value -le 60 ]] || {
    log "--seconds and --repeat must be whole numbers from 1 to 60"
    exit 2
  }
done
[[ -x $exporter ]] || {
  log "no exporter at $exporter; build it first (bench/README.md)"
  exit 1
}
command -v wrk >/dev/null || {
  log "wrk is not installed (scripts/install-deps.sh)"
  exit 1
}

# --- work directory and database (bench/lib/common.sh) ---------------------------------------
bench_workdir freshness-render-bench
bench_postgres
dsn=$(pg_dsn "$pg_port")

# --- configurations ------------------------------------------------------------------------------
header() {
  cat <<'YAML'
global: {interval: 1h, timeout: 30s, timezone: UTC, labels: {env: bench}}
targets:
  bench: {dsn_env: BENCH_DSN, max_connections: 1}
checks:
YAML
}
query_check() {
  cat <<YAML
  - name: rows
    kind: query
    target: bench
    max_series: $1
    sql: "SELECT 'key' || i AS key, i * 1.5 AS value FROM generate_series(1, $1) AS i"
    metrics: [{name: bench_value, value: value, labels: [key], help: "A generated value."}]
YAML
}
{
  header
  query_check 1
} >"$workdir/baseline.yml"
{
  header
  query_check "$series"
} >"$workdir/query.yml"
{
  header
  cat <<YAML
  - name: lanes
    kind: lag
    target: bench
    group_by: [lane]
    max_series: $series
    sql: "SELECT 'lane' || i, now() - i * interval '1 second' FROM generate_series(1, $series) AS i"
YAML
} >"$workdir/lag.yml"
touch "$workdir/artifact.csv"
{
  header
  for ((i = 0; i < series / 10; i++)); do
    printf '  - {name: a%d, kind: artifact, source: "%s", expect: {max_age: 26h}}\n' \
      "$i" "$workdir/artifact.csv"
  done
} >"$workdir/artifacts.yml"

cat >"$workdir/sql-exporter.yml" <<YAML
jobs:
  - name: render
    interval: 1h
    keepalive: true
    connections: ['{{BENCH_SQL_EXPORTER_DSN}}']
    queries:
      - name: bench_value
        help: A generated value.
        labels: [key]
        values: [value]
        query: SELECT 'key' || i AS key, i * 1.5 AS value FROM generate_series(1, $series) AS i
YAML

# --- measurement ---------------------------------------------------------------------------------

scenarios=(baseline query lag artifacts)
if command -v prometheus-sql-exporter >/dev/null; then
  scenarios+=(sql-exporter)
else
  log "prometheus-sql-exporter is not installed: the peer is skipped (scripts/install-deps.sh)"
fi
# start SCENARIO PORT: starts the exporter of SCENARIO on PORT and sets exporter_pid.
start() {
  if [[ $1 == sql-exporter ]]; then
    BENCH_SQL_EXPORTER_DSN="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable" \
      LOGLEVEL=warn \
      prometheus-sql-exporter -config.file="$workdir/sql-exporter.yml" \
      -web.listen-address="127.0.0.1:$2" >>"$workdir/sql-exporter.log" 2>&1 &
  else
    BENCH_DSN=$dsn "$exporter" --config.file="$workdir/$1.yml" \
      --web.listen-address="127.0.0.1:$2" --log.level=warn >>"$workdir/exporter.log" 2>&1 &
  fi
  exporter_pid=$!
}
# ready SCENARIO PORT: true once the first collection is served.
ready() {
  if [[ $1 == sql-exporter ]]; then
    (($(curl -fsS --max-time 30 "http://127.0.0.1:$2/metrics" 2>/dev/null |
      grep -c '^sql_bench_value{') == series))
  else
    curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$2/-/ready" 2>/dev/null
  fi
}
declare -A p50 p99 rate bytes gzip_bytes samples rss rest_rss ready_s
wrk_headers=()
((gzip == 0)) || wrk_headers=(-H "Accept-Encoding: gzip")
for scenario in "${scenarios[@]}"; do
  port=$(free_port)
  url=http://127.0.0.1:$port/metrics
  started=$(date +%s.%N)
  start "$scenario" "$port"
  deadline=$((SECONDS + 120))
  until ready "$scenario" "$port"; do
    if ((SECONDS >= deadline)) || ! kill -0 "$exporter_pid" 2>/dev/null; then
      log "$scenario: the exporter did not become ready"
      exit 1
    fi
    sleep 0.2
  done
  ready_s[$scenario]=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  curl -fsS --max-time 30 -o "$workdir/metrics.txt" "$url"
  bytes[$scenario]=$(wc -c <"$workdir/metrics.txt")
  samples[$scenario]=$(grep -cv '^#' "$workdir/metrics.txt")
  gzip_bytes[$scenario]=-
  if ((gzip)); then
    curl -fsS --max-time 30 -H 'Accept-Encoding: gzip' -D "$workdir/headers.txt" \
      -o "$workdir/metrics.gz" "$url"
    grep -qi '^content-encoding: gzip' "$workdir/headers.txt" || {
      log "$scenario: the answer to Accept-Encoding: gzip is not gzip-encoded"
      exit 1
    }
    gzip_bytes[$scenario]=$(wc -c <"$workdir/metrics.gz")
  fi
  if [[ $scenario != sql-exporter ]] && { ! grep -q '^freshness_check_success{.* 1$' \
    "$workdir/metrics.txt" || grep -q '^freshness_check_success{.* 0$' "$workdir/metrics.txt"; }; then
    log "$scenario: a check failed:"
    grep '^freshness_check_success{.* 0$' "$workdir/metrics.txt" | head -n 3 >&2
    exit 1
  fi
  # At rest: collected and scraped once (the answer's buffers exist), before the sustained load.
  sleep 2
  rest_rss[$scenario]=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$exporter_pid/status")
  log "$scenario: ${samples[$scenario]} samples, ${bytes[$scenario]} bytes;" \
    "${repeat}x wrk -t1 -c1 -d${seconds}s --latency ${wrk_headers[*]}"
  p50s=()
  p99s=()
  rates=()
  for ((run = 0; run < repeat; run++)); do
    output=$(wrk -t1 -c1 -d"${seconds}s" --latency "${wrk_headers[@]}" "$url" 2>&1) || {
      log "wrk failed: $output"
      exit 1
    }
    if wrk_field "$output" errors >&2; then
      log "$scenario: errors during the scrapes"
      exit 1
    fi
    p50s+=("$(wrk_field "$output" 50)")
    p99s+=("$(wrk_field "$output" 99)")
    rates+=("$(wrk_field "$output" rate)")
  done
  p50[$scenario]=$(median "${p50s[@]}")
  p99[$scenario]=$(median "${p99s[@]}")
  rate[$scenario]=$(median "${rates[@]}")
  rss[$scenario]=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$exporter_pid/status")
  bench_stop_exporter
done

# --- report --------------------------------------------------------------------------------------
echo
echo "command: $command_line"
echo "  each scenario: ${repeat}x wrk -t1 -c1 -d${seconds}s --latency ${wrk_headers[*]:+${wrk_headers[*]} }URL (median of the runs' percentiles)"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo
printf '%-10s %8s %10s %10s %9s %9s %10s %8s %8s %8s %7s\n' scenario samples bytes 'gzip bytes' \
  'p50 ms' 'p99 ms' 'scrapes/s' 'us/sample' 'ready s' 'rest MB' 'RSS MB'
for scenario in "${scenarios[@]}"; do
  printf '%-10s %8s %10s %10s %9s %9s %10s %8s %8s %8s %7s\n' "$scenario" "${samples[$scenario]}" \
    "${bytes[$scenario]}" "${gzip_bytes[$scenario]}" "${p50[$scenario]}" "${p99[$scenario]}" \
    "${rate[$scenario]}" \
    "$(awk -v p="${p50[$scenario]}" -v s="${samples[$scenario]}" 'BEGIN { printf "%.2f", p * 1000 / s }')" \
    "${ready_s[$scenario]}" "${rest_rss[$scenario]}" "${rss[$scenario]}"
done
echo
echo "samples: lines of /metrics that are not comments (process_* and build_info included)"
echo "us/sample: p50 divided by the samples; ready s: start until /-/ready (first collection done)"
echo "rest MB: resident size after the first collection and one scrape; RSS MB: after all the scrapes"
