#!/usr/bin/env bash
# Scrape benchmark: freshness_exporter side by side with Debian's prometheus-sql-exporter and
# prometheus-postgres-exporter, all three running the same seven queries (examples/demo/freshness.yml;
# bench/peers/ has them as plain SQL for the peers) against one local PostgreSQL 15 holding a day
# of demo pipeline data. Each exporter reads its own copy of the database (CREATE DATABASE ...
# TEMPLATE), so pg_stat_database attributes every transaction to exactly one exporter.
#
# Measured, per exporter, each phase repeated --repeat times and the median quoted:
#   - scrape latency p50/p99: sequential scrapes, one keep-alive connection (wrk -c1 --latency);
#   - scrapes per second under 8 concurrent connections (wrk -t2 -c8);
#   - scrapes per second and p99 latency under 64 concurrent connections (wrk -t2 -c64 --latency),
#     with wrk's socket errors and timeouts (over 2 s) counted rather than fatal, and the kernel's
#     TcpExt ListenOverflows over the phase (handshakes dropped because an accept queue was full;
#     machine-wide, so other programs' overflows count too);
#   - database transactions per scrape under the 8-connection load: (xact_commit + xact_rollback) delta of the
#     exporter's database over the whole load phase, divided by the scrapes it served. The delta
#     includes the exporter's own background collections during the phase (and the 11 s wait that
#     lets idle backends flush their statistics), so it is an upper bound; "net" subtracts the
#     background rate measured in an idle window before the load;
#   - resident memory (VmRSS, and the peak VmHWM) right after the load.
# Loopback only, bounded in time: about three minutes with the defaults. Not part of the test suite.
#
# usage: bench/scrape_bench.sh [--exporter=PATH] [--sequential-seconds=N] [--load-seconds=N]
#                              [--repeat=N]
#   --exporter            freshness_exporter binary (default build/release/exporter/freshness_exporter)
#   --sequential-seconds  duration of one sequential latency run (default 3)
#   --load-seconds        duration of one 8-connection and one 64-connection run (default 5)
#   --repeat              runs of each phase per exporter (default 3; the median is quoted)
# Needs: postgresql-15, wrk, prometheus-sql-exporter, prometheus-postgres-exporter
# (scripts/apt-packages.txt; scripts/install-deps.sh installs them). A missing peer is skipped.
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
sequential_seconds=3
load_seconds=5
repeat=3
readonly connections=8 high_connections=64 load_threads=2 stats_flush_seconds=11
command_line="bench/scrape_bench.sh${*:+ $*}"

for argument in "$@"; do
  case $argument in
    --exporter=*) exporter=${argument#*=} ;;
    --sequential-seconds=*) sequential_seconds=${argument#*=} ;;
    --load-seconds=*) load_seconds=${argument#*=} ;;
    --repeat=*) repeat=${argument#*=} ;;
    -h | --help) usage ;;
    *)
      echo "scrape_bench: unknown argument $argument" >&2
      usage
      ;;
  esac
done
for value in "$sequential_seconds" "$load_seconds" "$repeat"; do
  [[ $value =~ ^[1-9][0-9]*$ && $value -le 60 ]] || {
    echo "scrape_bench: durations and --repeat must be whole numbers from 1 to 60" >&2
    exit 2
  }
done
log() { printf 'scrape_bench: %s\n' "$*" >&2; }

[[ -x $exporter ]] || {
  log "no exporter at $exporter; build it first:"
  log "  cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo && make -C build/release -j2 freshness_exporter"
  exit 1
}
command -v wrk >/dev/null || {
  log "wrk is not installed (scripts/install-deps.sh)"
  exit 1
}

# --- database and exporters (bench/lib/) -----------------------------------------------------
bench_workdir freshness-bench
bench_demo_database 86400
bench_start_exporters "$exporter"
# Warm-up: a few scrapes each before anything is measured.
for name in "${names[@]}"; do
  url[$name]=${url[$name]}/metrics
  for _ in 1 2 3 4 5; do curl -fsS -o /dev/null "${url[$name]}"; done
done

transactions() {
  psql "$admin_dsn" --no-psqlrc -Atc \
    "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$1'"
}
now() { date +%s.%N; }

# Idle backends flush their statistics within 10 s; start from flushed counters. A second idle
# window of the same length measures each exporter's background transaction rate (its own
# collections, no scrapes), to tell scrape-driven transactions from background ones.
log "exporters ready; waiting 2x${stats_flush_seconds}s: statistics settle, then the idle rate"
sleep "$stats_flush_seconds"
declare -A idle_before idle_rate
for name in "${names[@]}"; do idle_before[$name]=$(transactions "${database[$name]}"); done
idle_start=$(now)
sleep "$stats_flush_seconds"



# Machine-wide count of connections dropped because a listen socket's accept queue was full.
listen_overflows() {
  awk '$1 == "TcpExt:" {
         if (!named) { for (i = 2; i <= NF; i++) column[$i] = i; named = 1; next }
         print ("ListenOverflows" in column) ? $column["ListenOverflows"] : 0; exit }' /proc/net/netstat
}

run_wrk() {
  local output
  output=$(wrk "$@" 2>&1) || {
    log "wrk failed: $output"
    exit 1
  }
  if wrk_field "$output" errors >&2; then
    log "errors during: wrk $*"
    exit 1
  fi
  printf '%s\n' "$output"
}

declare -A p50 p99 rate scrapes tx_before tx_after rss rss_split hwm high_rate high_p99 high_failed
declare -A high_overflows
sequential_command="wrk -t1 -c1 -d${sequential_seconds}s --latency URL"
load_command="wrk -t$load_threads -c$connections -d${load_seconds}s URL"
high_command="wrk -t$load_threads -c$high_connections -d${load_seconds}s --latency URL"

# --- phase 1: 8 concurrent connections, transactions per scrape ----------------------------------
for name in "${names[@]}"; do tx_before[$name]=$(transactions "${database[$name]}"); done
load_start=$(now)
for name in "${names[@]}"; do
  idle_rate[$name]=$(awk -v d="$((tx_before[$name] - idle_before[$name]))" -v a="$idle_start" \
    -v b="$load_start" 'BEGIN { printf "%.3f", d / (b - a) }')
done
for name in "${names[@]}"; do
  log "$name: ${repeat}x $load_command"
  rates=()
  scrapes[$name]=0
  for ((run = 0; run < repeat; run++)); do
    output=$(run_wrk -t"$load_threads" -c"$connections" -d"${load_seconds}s" "${url[$name]}")
    rates+=("$(wrk_field "$output" rate)")
    scrapes[$name]=$((scrapes[$name] + $(wrk_field "$output" total)))
  done
  rate[$name]=$(median "${rates[@]}")
  rss[$name]=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/${pid[$name]}/status")
  rss_split[$name]=$(awk '/^(RssAnon|RssFile|Threads):/ { v[$1] = $2 }
    END { printf "%.1f MB anonymous + %.1f MB file-backed, %d threads",
          v["RssAnon:"] / 1024, v["RssFile:"] / 1024, v["Threads:"] }' "/proc/${pid[$name]}/status")
done
log "waiting ${stats_flush_seconds}s for database statistics to settle"
sleep "$stats_flush_seconds"
for name in "${names[@]}"; do tx_after[$name]=$(transactions "${database[$name]}"); done
load_end=$(now)

# --- phase 2: sequential scrapes, latency --------------------------------------------------------
for name in "${names[@]}"; do
  log "$name: ${repeat}x $sequential_command"
  p50s=()
  p99s=()
  for ((run = 0; run < repeat; run++)); do
    output=$(run_wrk -t1 -c1 -d"${sequential_seconds}s" --latency "${url[$name]}")
    p50s+=("$(wrk_field "$output" 50)")
    p99s+=("$(wrk_field "$output" 99)")
  done
  p50[$name]=$(median "${p50s[@]}")
  p99[$name]=$(median "${p99s[@]}")
  hwm[$name]=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/${pid[$name]}/status")
done

# --- phase 3: 64 concurrent connections, throughput --------------------------------------------
# After the transaction count, so its window holds the 8-connection phase only. Errors are
# counted, not fatal: an exporter that cannot take 64 connections at once shows it here.
for name in "${names[@]}"; do
  log "$name: ${repeat}x $high_command"
  rates=()
  p99s=()
  high_failed[$name]=0
  overflows_before=$(listen_overflows)
  for ((run = 0; run < repeat; run++)); do
    output=$(wrk -t"$load_threads" -c"$high_connections" -d"${load_seconds}s" --latency \
      "${url[$name]}" 2>&1) || {
      log "wrk failed: $output"
      exit 1
    }
    rates+=("$(wrk_field "$output" rate)")
    p99s+=("$(wrk_field "$output" 99)")
    high_failed[$name]=$((high_failed[$name] + $(wrk_field "$output" failed)))
  done
  high_overflows[$name]=$(($(listen_overflows) - overflows_before))
  high_rate[$name]=$(median "${rates[@]}")
  high_p99[$name]=$(median "${p99s[@]}")
done

# --- report --------------------------------------------------------------------------------------
echo
echo "command: $command_line"
echo "  latency: $sequential_command   (x$repeat, median of the runs' percentiles)"
echo "  load:    $load_command   (x$repeat, median rate; transactions over all runs)"
echo "  load@64: $high_command   (x$repeat, median rate and p99; failed requests over all runs)"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "data: $(psql "$pipeline_dsn" --no-psqlrc -Atc "SELECT count(*) FROM ops.lane_telemetry") telemetry rows," \
  "$(psql "$admin_dsn" --no-psqlrc -Atc "SELECT pg_size_pretty(pg_database_size('pipeline'))") per database copy;" \
  "PostgreSQL $(psql "$admin_dsn" --no-psqlrc -Atc 'SHOW server_version' | cut -d' ' -f1)"
echo
printf '%-20s %-12s %8s %8s %10s %10s %10s %7s %7s %10s %9s %7s %7s\n' exporter version \
  'p50 ms' 'p99 ms' 'scrapes/s' 'xact/scrp' 'net/scrp' 'RSS MB' 'peak MB' 'scr/s@64' 'p99@64 ms' \
  'failed' 'ovf@64'
for name in "${names[@]}"; do
  delta=$((tx_after[$name] - tx_before[$name]))
  per_scrape=$(awk -v d="$delta" -v s="${scrapes[$name]}" 'BEGIN { printf "%.4f", s ? d / s : 0 }')
  # Net: minus what the exporter does anyway in the background over the same window.
  net=$(awk -v d="$delta" -v s="${scrapes[$name]}" -v r="${idle_rate[$name]}" -v a="$load_start" \
    -v b="$load_end" 'BEGIN { n = d - r * (b - a); if (n < 0) n = 0; printf "%.4f", s ? n / s : 0 }')
  printf '%-20s %-12s %8s %8s %10s %10s %10s %7s %7s %10s %9s %7s %7s\n' "$name" \
    "${version[$name]:0:12}" "${p50[$name]}" "${p99[$name]}" "${rate[$name]}" "$per_scrape" "$net" \
    "${rss[$name]}" "${hwm[$name]}" "${high_rate[$name]}" "${high_p99[$name]}" \
    "${high_failed[$name]}" "${high_overflows[$name]}"
done
echo
window=$(awk -v a="$load_start" -v b="$load_end" 'BEGIN { printf "%.0f", b - a }')
for name in "${names[@]}"; do
  echo "  $name: $((tx_after[$name] - tx_before[$name])) transactions in ${window}s for" \
    "${scrapes[$name]} scrapes; ${idle_rate[$name]} transactions/s when not scraped;" \
    "RSS ${rss_split[$name]}"
done
echo "xact/scrp: all transactions of the exporter's database during the load phase, per scrape;"
echo "net/scrp: the same minus the exporter's idle (background collection) rate over that window."
echo "scr/s@64, p99@64: $high_connections connections; failed: socket errors, timeouts (wrk: 2 s)" \
  "and non-2xx answers over the ${repeat} runs; ovf@64: TcpExt ListenOverflows meanwhile" \
  "(machine-wide)"
echo "targets for freshness_exporter: 0 transactions per scrape, p50 < 2 ms, scrapes/s >= the" \
  "fastest peer, RSS < 10 MB"
