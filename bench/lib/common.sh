# shellcheck shell=bash
# What every benchmark under bench/ needs: a work directory removed at exit together with the
# processes and the PostgreSQL server started for the run. Source it after
# scripts/lib/postgres.sh, with `log` defined; it defines functions only.
#
#   bench_workdir freshness-bench   # $workdir and the exit trap
#   bench_postgres                  # $pgdata, $pg_port: a throwaway server on 127.0.0.1
#   exporter_pid=$!                 # one exporter at a time: bench_stop_exporter stops it
#   pids+=("$!")                    # or several: stopped at exit

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
