# shellcheck shell=bash
# shellcheck disable=SC2154 # workdir and pg_port are set by bench/lib/common.sh
# What bench/scrape_bench.sh and bench/resource_bench.sh share: a throwaway PostgreSQL with demo
# data, and freshness_exporter beside Debian's prometheus-sql-exporter and
# prometheus-postgres-exporter, each running the demo's seven SQL checks on its own copy of the
# database (CREATE DATABASE ... TEMPLATE), so pg_stat_database counts each one's transactions.
# Source it after scripts/lib/postgres.sh and bench/lib/common.sh, with `log` defined; it defines
# functions only.
#
#   bench_workdir freshness-bench         # (bench/lib/common.sh)
#   bench_demo_database 86400             # $pg_port, $admin_dsn, $pipeline_dsn
#   bench_start_exporters "$exporter"     # names, database, port, pid, url, version (arrays)

# bench_demo_database BACKFILL_SECONDS: PostgreSQL on a free loopback port with the demo schema,
# BACKFILL_SECONDS of demo data (one hung run), then one tick with an execution and a duplicate
# (today's PnL has rows, duplicates count 1).
bench_demo_database() {
  local backfill=$1
  bench_postgres
  log "loading ${backfill}s of demo pipeline data"
  admin_dsn=$(pg_dsn "$pg_port")
  pipeline_dsn=$(pg_dsn "$pg_port" pipeline)
  psql "$admin_dsn" --no-psqlrc -qc 'CREATE DATABASE pipeline'
  psql "$pipeline_dsn" --no-psqlrc -q -v ON_ERROR_STOP=1 -f examples/demo/schema.sql 2>&1 \
    | { grep -v NOTICE || true; } >&2
  if ((backfill > 0)); then
    examples/demo/writer.sh --dsn="$pipeline_dsn" --backfill="$backfill" --once --no-faults \
      --fault=hung-run 2>/dev/null
  fi
  examples/demo/writer.sh --dsn="$pipeline_dsn" --once --fault=duplicate 2>/dev/null
  psql "$pipeline_dsn" --no-psqlrc -qc 'VACUUM ANALYZE'
}

bench_reader_dsn() { echo "host=127.0.0.1 port=$pg_port user=freshness_reader dbname=$1"; }

bench_add_exporter() {
  local name=$1
  names+=("$name")
  database[$name]=bench_${name//-/_}
  port[$name]=$(free_port)
  url[$name]=http://127.0.0.1:${port[$name]}
  psql "$admin_dsn" --no-psqlrc -qc "CREATE DATABASE ${database[$name]} TEMPLATE pipeline"
}

# bench_start_exporters EXPORTER_BINARY: starts the three exporters (a missing peer is skipped)
# and waits until each serves its first results. url[NAME] is the base URL (no path).
bench_start_exporters() {
  local exporter=$1 name deadline
  names=()
  declare -gA database port pid url ready_metric version

  bench_add_exporter freshness_exporter
  ready_metric[freshness_exporter]='^freshness_check_success\{.*check="daily_pnl".* 1$'
  # The demo's SQL checks only: the same seven queries the peers run (its artifact checks would
  # look for files the benchmark does not write).
  /usr/bin/python3 - examples/demo/freshness.yml "$workdir/freshness.yml" <<'PY'
import sys
import yaml
config = yaml.safe_load(open(sys.argv[1]))
config["checks"] = [c for c in config["checks"] if c["kind"] in ("lag", "runs", "duplicates", "query")]
yaml.safe_dump(config, open(sys.argv[2], "w"), sort_keys=False)
PY
  DEMO_DSN=$(bench_reader_dsn "${database[freshness_exporter]}") \
    "$exporter" --config.file="$workdir/freshness.yml" \
    --web.listen-address="127.0.0.1:${port[freshness_exporter]}" --log.level=warn \
    >"$workdir/freshness_exporter.log" 2>&1 &
  pids+=("$!")
  pid[freshness_exporter]=$!

  if command -v prometheus-sql-exporter >/dev/null; then
    bench_add_exporter sql-exporter
    ready_metric[sql-exporter]='^sql_daily_pnl\{'
    version[sql-exporter]=$(dpkg-query -W -f='${Version}' prometheus-sql-exporter 2>/dev/null || echo ?)
    BENCH_SQL_EXPORTER_DSN="postgres://freshness_reader@127.0.0.1:$pg_port/${database[sql-exporter]}?sslmode=disable" \
      LOGLEVEL=warn prometheus-sql-exporter -config.file=bench/peers/sql_exporter.yml \
      -web.listen-address="127.0.0.1:${port[sql-exporter]}" >"$workdir/sql-exporter.log" 2>&1 &
    pids+=("$!")
    pid[sql-exporter]=$!
  else
    log "prometheus-sql-exporter is not installed: skipped"
  fi

  if command -v prometheus-postgres-exporter >/dev/null; then
    bench_add_exporter postgres-exporter
    ready_metric[postgres-exporter]='^freshness_daily_pnl_pnl\{'
    version[postgres-exporter]=$(dpkg-query -W -f='${Version}' prometheus-postgres-exporter 2>/dev/null || echo ?)
    DATA_SOURCE_NAME="$(bench_reader_dsn "${database[postgres-exporter]}") sslmode=disable application_name=postgres_exporter" \
      prometheus-postgres-exporter --disable-default-metrics --disable-settings-metrics \
      --no-collector.database --no-collector.bgwriter \
      --extend.query-path=bench/peers/postgres_exporter_queries.yml \
      --web.listen-address="127.0.0.1:${port[postgres-exporter]}" --log.level=warn \
      >"$workdir/postgres-exporter.log" 2>&1 &
    pids+=("$!")
    pid[postgres-exporter]=$!
  else
    log "prometheus-postgres-exporter is not installed: skipped"
  fi

  for name in "${names[@]}"; do
    deadline=$((SECONDS + 60))
    until curl -fsS --max-time 5 "${url[$name]}/metrics" 2>/dev/null \
      | grep -qE "${ready_metric[$name]}"; do
      if ((SECONDS >= deadline)) || ! kill -0 "${pid[$name]}" 2>/dev/null; then
        log "$name did not serve its metrics on ${url[$name]}/metrics"
        exit 1
      fi
      sleep 0.5
    done
  done
  version[freshness_exporter]=$(curl -fsS "${url[freshness_exporter]}/metrics" \
    | sed -n 's/^freshness_exporter_build_info{.*revision="\([0-9a-f]\{0,7\}\).*/\1/p' | head -n 1)
  [[ -n ${version[freshness_exporter]} ]] || version[freshness_exporter]="?"
}
