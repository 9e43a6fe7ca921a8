#!/usr/bin/env bash
# HTTP artifact benchmark: one collection cycle over N HTTP artifacts, each a HEAD request to a
# local nginx (static files with a set Last-Modified) on 127.0.0.1, for two exporter binaries
# side by side ("before" and "after"), `freshness_exporter --once --at=... --output=json`.
# Runs alternate between the two binaries; each figure is the median of --runs runs.
#
# Prints, per binary and artifact count: the wall time of --once, of config loading alone
# (--config.check), their difference (the cycle plus the JSON report), the most threads the
# process had during the run (Threads in /proc/PID/status, sampled every 10 ms) and how many
# artifacts ended in each state (all should be fresh).
#
# usage: bench/http_artifact_bench.sh --before=PATH [--after=PATH] [--artifacts=2000,10000]
#                                     [--runs=3] [--workers=8]
#   --before     freshness_exporter binary to compare against (e.g. a release build of main)
#   --after      freshness_exporter binary (default build/release/exporter/freshness_exporter)
#   --artifacts  comma-separated artifact counts (default 2000,10000)
#   --runs       runs per binary and count (default 3)
#   --workers    --collector.workers (default 8, the exporter's default)
# Needs: nginx (Debian nginx-light is enough), python3. Loopback only. Not part of the test
# suite.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=bench/lib/common.sh
source bench/lib/common.sh

before=""
after=build/release/exporter/freshness_exporter
artifact_counts=2000,10000
runs=3
workers=8
for argument in "$@"; do
  case $argument in
    --before=*) before=${argument#*=} ;;
    --after=*) after=${argument#*=} ;;
    --artifacts=*) artifact_counts=${argument#*=} ;;
    --runs=*) runs=${argument#*=} ;;
    --workers=*) workers=${argument#*=} ;;
    -h | --help) usage ;;
    *)
      echo "http_artifact_bench: unknown argument $argument" >&2
      usage
      ;;
  esac
done
log() { printf 'http_artifact_bench: %s\n' "$*" >&2; }
[[ -n $before ]] || usage
for binary in "$before" "$after"; do
  [[ -x $binary ]] || {
    log "no exporter at $binary; build it first"
    exit 1
  }
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $nginx ]] || {
  log "nginx is needed (apt-get install nginx-light)"
  exit 1
}
readonly at=2026-07-08T10:00:00-04:00

bench_workdir freshness-http-artifact-bench
chmod 755 "$workdir" # nginx's workers may run as another user
mkdir -p "$workdir/www" "$workdir/nginx"
port=$(free_port)
cat >"$workdir/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $workdir/nginx/nginx.pid;
error_log $workdir/nginx.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $workdir/nginx/body;
  proxy_temp_path $workdir/nginx/proxy;
  fastcgi_temp_path $workdir/nginx/fastcgi;
  uwsgi_temp_path $workdir/nginx/uwsgi;
  scgi_temp_path $workdir/nginx/scgi;
  server {
    listen 127.0.0.1:$port backlog=4096;
    root $workdir/www;
  }
}
EOF
"$nginx" -p "$workdir/nginx" -e "$workdir/nginx.log" -c "$workdir/nginx/nginx.conf" &
pids+=("$!")

max_count=0
IFS=, read -r -a counts <<<"$artifact_counts"
for count in "${counts[@]}"; do ((count > max_count)) && max_count=$count; done
# The files (delivered 05:00 New York time on the day of --at) and one config per count.
python3 - "$workdir" "$port" "$max_count" "${counts[@]}" <<'PY'
import datetime, os, sys
work, port, most, counts = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
ny = datetime.timezone(datetime.timedelta(hours=-4))
when = datetime.datetime(2026, 7, 8, 5, 0, tzinfo=ny).timestamp()
for i in range(most):
    path = f"{work}/www/a{i}.csv"
    with open(path, "w") as f:
        f.write("x\n")
    os.utime(path, (when, when))
for count in counts:
    lines = ["global: {timezone: America/New_York, interval: 1m, timeout: 10s}", "checks:"]
    for i in range(int(count)):
        lines.append(f'  - {{name: a{i}, kind: artifact, source: "http://127.0.0.1:{port}/a{i}.csv",'
                     ' expect: {max_age: 26h}}')
    with open(f"{work}/freshness_{count}.yml", "w") as f:
        f.write("\n".join(lines) + "\n")
PY
for _ in $(seq 100); do
  port_is_free "$port" || break
  sleep 0.05
done
curl -sfI "http://127.0.0.1:$port/a0.csv" >/dev/null || {
  log "nginx does not answer on 127.0.0.1:$port"
  exit 1
}

# run BINARY ARGS...: runs the exporter, prints "seconds max_threads"; its stdout goes to
# $workdir/out.json.
run() {
  local started finished threads most=0 pid
  started=$(date +%s.%N)
  "$@" >"$workdir/out.json" 2>"$workdir/exporter.log" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    ((${threads:-0} > most)) && most=$threads
    sleep 0.01
  done
  wait "$pid" || true
  finished=$(date +%s.%N)
  echo "$(echo "$finished - $started" | bc -l) $most"
}

states() {
  python3 -c '
import collections, json, sys
report = json.load(open(sys.argv[1]))
checks = report["checks"] if isinstance(report, dict) else report
print(", ".join(f"{k} {v}" for k, v in sorted(collections.Counter(c["state"] for c in checks).items())))
' "$workdir/out.json"
}

printf '%-8s %-7s %10s %10s %10s %8s  %s\n' binary checks once_s load_s cycle_s threads states
for count in "${counts[@]}"; do
  config=$workdir/freshness_$count.yml
  declare -A once=() load=() threads=() outcome=()
  for ((r = 0; r < runs; ++r)); do
    for name in before after; do
      binary=$before
      [[ $name == after ]] && binary=$after
      read -r load_s _ < <(run "$binary" --config.file="$config" --config.check)
      read -r once_s most < <(run "$binary" --config.file="$config" --once --at="$at" \
        --output=json --collector.workers="$workers")
      once[$name]+=" $once_s"
      load[$name]+=" $load_s"
      threads[$name]+=" $most"
      outcome[$name]=$(states)
    done
  done
  for name in before after; do
    # shellcheck disable=SC2086 # the runs' figures, one word each
    once_m=$(median ${once[$name]}) load_m=$(median ${load[$name]})
    # shellcheck disable=SC2086
    threads_m=$(median ${threads[$name]})
    printf '%-8s %-7s %10.3f %10.3f %10.3f %8s  %s\n' "$name" "$count" "$once_m" "$load_m" \
      "$(echo "$once_m - $load_m" | bc -l)" "$threads_m" "${outcome[$name]}"
  done
done
log "medians of $runs runs, --collector.workers=$workers; before: $before, after: $after"
