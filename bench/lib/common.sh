# shellcheck shell=bash
# What every benchmark under bench/ needs: a work directory removed at exit together with the
# processes and the PostgreSQL server started for the run. Source it after
# scripts/lib/postgres.sh, with `log` defined; it defines functions only.
#
#   bench_workdir freshness-bench   # $workdir and the exit trap
#   bench_postgres                  # $pgdata, $pg_port: a throwaway server on 127.0.0.1
#   exporter_pid=$!                 # one exporter at a time: bench_stop_exporter stops it
#   pids+=("$!")                    # or several: stopped at exit
#   wrk_field "$output" 99          # a figure from wrk's output

# Creates $workdir and the exit trap that stops what was started ($exporter_pid, $pids, $pgdata)
# and, after a failure, shows the last lines of each log in $workdir.
bench_workdir() {
  workdir=$(mktemp -d -t "$1.XXXXXX")
  pgdata=""
  pids=()
  exporter_pid=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

bench_stop_exporter() {
  [[ -n $exporter_pid ]] || return 0
  kill -TERM "$exporter_pid" 2>/dev/null || true
  wait "$exporter_pid" 2>/dev/null || true
  exporter_pid=""
}

bench_cleanup() {
  local status=$? pid log_file
  trap - EXIT INT TERM
  bench_stop_exporter
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -z $pgdata ]] || pg_stop "$pgdata" || true
  if [[ $status -ne 0 ]]; then
    for log_file in "$workdir"/*.log; do
      [[ -s $log_file ]] || continue
      log "last lines of $(basename "$log_file"):"
      tail -n 10 "$log_file" | sed 's/^/    /' >&2
    done
  fi
  rm -rf "$workdir"
  exit "$status"
}

bench_postgres() {
  pgdata=$workdir/pgdata
  pg_port=$(free_port)
  log "PostgreSQL on 127.0.0.1:$pg_port"
  pg_start "$pgdata" "$pg_port"
}

# wrk_field OUTPUT FIELD: from wrk's output, latency percentiles in ms (50, 99; needs
# --latency), requests (total, rate), the error lines (errors: false when there are none) or the
# count of failed requests (failed).
wrk_field() {
  local output=$1 field=$2
  case $field in
    50 | 99)
      printf '%s\n' "$output" | awk -v p="$field%" '$1 == p {
        v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
        if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
        printf "%.3f\n", v; exit }'
      ;;
    total) printf '%s\n' "$output" | awk '/requests in/ { print $1; exit }' ;;
    rate) printf '%s\n' "$output" | awk '/^Requests\/sec:/ { print $2; exit }' ;;
    errors)
      printf '%s\n' "$output" | awk '/Non-2xx|Socket errors/ { found = 1; print } END { exit !found }'
      ;;
    # Failed requests: socket errors (connect, read, write, timeout) plus non-2xx answers.
    failed)
      printf '%s\n' "$output" | awk '
        /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
        /Non-2xx/ { n += $NF }
        END { print n + 0 }'
      ;;
  esac
}

# median VALUE...: the middle value (the lower middle of an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# usage: prints the calling script's header comment (from line 2 to `set -euo`) and exits 2.
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}
