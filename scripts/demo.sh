#!/usr/bin/env bash
# The whole demo in one command, on a fresh Debian machine:
#   - installs missing Debian packages (scripts/install-deps.sh) and builds the exporter if missing;
#   - starts a throwaway PostgreSQL 15 on a free loopback port, in a temporary directory;
#   - loads examples/demo/schema.sql and starts examples/demo/writer.sh (a simulated trading
#     pipeline that now and then hangs a run or duplicates an execution, and writes its daily
#     signals files and a positions report into the temporary directory's artifacts/);
#   - starts freshness_exporter with examples/demo/freshness.yml (through a link beside artifacts/,
#     where the config's relative artifact paths point), connected as the read-only role;
#   - when installed, starts Prometheus (with the rules in rules/*.yml) and Alertmanager (with
#     rules/alertmanager/alertmanager.yml), both on loopback.
# It prints the URLs and stays in the foreground; Ctrl-C (or SIGTERM) stops everything and removes
# the temporary directory.
#
# usage: scripts/demo.sh [--check] [--rebuild] [--exporter=PATH]
#   --check          start everything, wait until every demo check reports success and the
#                    injected faults are seen, print a summary, stop and exit 0 (1 on failure,
#                    after DEMO_CHECK_TIMEOUT seconds, default 120). Same as DEMO_CHECK=1.
#   --rebuild        rebuild the exporter even when build/release already has one.
#   --exporter=PATH  use this exporter binary; skips installing packages and building.
# Ports: the exporter, Prometheus and Alertmanager use 9560, 9090 and 9093 when those are free
# (override with DEMO_EXPORTER_PORT, DEMO_PROMETHEUS_PORT, DEMO_ALERTMANAGER_PORT), any free port
# otherwise; --check always uses free ports. DEMO_KEEP=1 keeps the temporary directory (logs).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh

check=${DEMO_CHECK:-0}
rebuild=0
exporter=""
check_timeout=${DEMO_CHECK_TIMEOUT:-120}
readonly config=examples/demo/freshness.yml
readonly database=pipeline

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

for argument in "$@"; do
  case $argument in
    --check) check=1 ;;
    --rebuild) rebuild=1 ;;
    --exporter=*) exporter=${argument#*=} ;;
    -h | --help) usage ;;
    *)
      echo "demo: unknown argument $argument" >&2
      usage
      ;;
  esac
done

log() { printf 'demo: %s\n' "$*" >&2; }

# --- teardown ------------------------------------------------------------------------------------
workdir=""
pgdata=""
failure=""
pids=()
names=()

# TERM, then KILL after 10 s: a stuck child must not keep the demo from exiting.
stop_process() {
  local pid=$1 attempt
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((attempt = 0; attempt < 100; attempt++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$? index name lines
  trap - EXIT INT TERM
  # Reverse start order: the exporter stops before the database it reads.
  for ((index = ${#pids[@]} - 1; index >= 0; index--)); do
    stop_process "${pids[index]}"
  done
  [[ -z $pgdata ]] || pg_stop "$pgdata" || true
  if [[ $status -ne 0 && $interrupted == 0 && -n $workdir ]]; then
    for name in "${names[@]}"; do
      [[ -s $workdir/$name.log ]] || continue
      case $name in
        # Their shutdown is chatty: only what went wrong.
        prometheus | alertmanager)
          lines=$(grep -E 'level=(warn|error)' "$workdir/$name.log" | grep -v SIGTERM | tail -n 8 || true)
          ;;
        *) lines=$(tail -n 15 "$workdir/$name.log") ;;
      esac
      [[ -n $lines ]] || continue
      log "last lines of the $name log:"
      printf '%s\n' "$lines" | sed 's/^/    /' >&2
    done
    [[ -z $failure ]] || log "$failure"
  fi
  if [[ -n $workdir ]]; then
    if [[ ${DEMO_KEEP:-0} == 1 ]]; then
      log "kept $workdir"
    else
      rm -rf "$workdir"
    fi
  fi
  exit "$status"
}
trap cleanup EXIT
interrupted=0
trap 'interrupted=1; exit 130' INT
trap 'interrupted=1; exit 143' TERM

# start_background NAME COMMAND...: runs COMMAND with its output in $workdir/NAME.log.
start_background() {
  local name=$1
  shift
  "$@" >"$workdir/$name.log" 2>&1 &
  pids+=("$!")
  names+=("$name")
}

# wait_for_url URL SECONDS: true once URL answers 2xx.
wait_for_url() {
  local url=$1 deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}

# pick_port DEFAULT: DEFAULT when free and not in --check mode, else a free port.
pick_port() {
  if [[ $check == 0 ]] && port_is_free "$1"; then
    echo "$1"
  else
    [[ $check == 1 ]] || log "port $1 is in use; using another one"
    free_port
  fi
}

# --- dependencies and build ----------------------------------------------------------------------
if [[ -z $exporter ]]; then
  # A package the demo does not need may fail to install (a conflicting third-party repository):
  # go on with what is there; a real gap shows up as a clear error below.
  scripts/install-deps.sh || log "scripts/install-deps.sh failed; continuing with what is installed"
  exporter=build/release/exporter/freshness_exporter
  if [[ ! -x $exporter || $rebuild == 1 ]]; then
    log "building freshness_exporter (build/release)"
    cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    make -C build/release -j2 freshness_exporter
  fi
fi
[[ -x $exporter ]] || {
  log "no exporter binary at $exporter"
  exit 1
}
if ! config_errors=$("$exporter" --config.file="$config" --config.check 2>&1); then
  log "$config does not validate:"
  printf '%s\n' "$config_errors" >&2
  exit 1
fi

# --- PostgreSQL and the pipeline -----------------------------------------------------------------
workdir=$(mktemp -d -t freshness-demo.XXXXXX)
pgdata=$workdir/pgdata
# The config's artifact sources are relative to the config file: a link to it beside the
# writer's artifact directory makes them point there, and keeps `POST /-/reload` reading the
# repository's file.
mkdir "$workdir/artifacts"
ln -s "$repo/$config" "$workdir/freshness.yml"
pg_port=$(free_port)
log "starting PostgreSQL on 127.0.0.1:$pg_port"
pg_start "$pgdata" "$pg_port"
psql "$(pg_dsn "$pg_port")" --no-psqlrc -q -c "CREATE DATABASE $database"
writer_dsn=$(pg_dsn "$pg_port" "$database")
psql "$writer_dsn" --no-psqlrc -q -v ON_ERROR_STOP=1 -f examples/demo/schema.sql 2>&1 \
  | { grep -v NOTICE || true; } >&2
reader_dsn="host=127.0.0.1 port=$pg_port user=freshness_reader dbname=$database"

# Fifteen minutes of history so the graphs are not empty, then one of each fault right away so
# the alerts have something to show: a duplicated execution now, a hung run on the first tick,
# five minutes of failing dispatcher runs and the newest signals partition 10 minutes late.
examples/demo/writer.sh --dsn="$writer_dsn" --backfill=900 --once --no-faults --fault=duplicate \
  2>/dev/null
start_background writer examples/demo/writer.sh --dsn="$writer_dsn" --fault=hung-run \
  --fault=failing-runs --artifact-dir="$workdir/artifacts" --fault=late-signals

# --- the exporter --------------------------------------------------------------------------------
exporter_port=$(pick_port "${DEMO_EXPORTER_PORT:-9560}")
start_background exporter env DEMO_DSN="$reader_dsn" "$exporter" \
  --config.file="$workdir/freshness.yml" \
  --web.listen-address="127.0.0.1:$exporter_port" --log.level=info
exporter_url=http://127.0.0.1:$exporter_port
if ! wait_for_url "$exporter_url/-/healthy" 30; then
  log "the exporter did not come up on $exporter_url"
  exit 1
fi

# --- Prometheus and Alertmanager, when installed ---------------------------------------------------
prometheus_url=""
alertmanager_url=""
alertmanager_config=rules/alertmanager/alertmanager.yml
if command -v prometheus-alertmanager >/dev/null && [[ -f $alertmanager_config ]]; then
  if command -v amtool >/dev/null && ! amtool check-config "$alertmanager_config" >/dev/null 2>&1; then
    log "skipping Alertmanager: $alertmanager_config does not pass amtool check-config"
  else
    alertmanager_port=$(pick_port "${DEMO_ALERTMANAGER_PORT:-9093}")
    # An empty cluster address turns gossip off: nothing listens beyond loopback.
    start_background alertmanager prometheus-alertmanager \
      --config.file="$repo/$alertmanager_config" --storage.path="$workdir/alertmanager" \
      --web.listen-address="127.0.0.1:$alertmanager_port" --cluster.listen-address=
    alertmanager_url=http://127.0.0.1:$alertmanager_port
  fi
fi
if command -v prometheus >/dev/null; then
  rule_files=()
  for file in rules/*.rules.yml; do
    [[ -f $file ]] || continue
    if command -v promtool >/dev/null && ! promtool check rules "$file" >/dev/null 2>&1; then
      log "skipping $file: it does not pass promtool check rules"
      continue
    fi
    rule_files+=("$repo/$file")
  done
  prometheus_port=$(pick_port "${DEMO_PROMETHEUS_PORT:-9090}")
  {
    echo "# Generated by scripts/demo.sh"
    echo "global: {scrape_interval: 5s, evaluation_interval: 5s}"
    echo "rule_files:"
    for file in "${rule_files[@]}"; do echo "  - '$file'"; done
    ((${#rule_files[@]})) || echo "  []"
    if [[ -n $alertmanager_url ]]; then
      echo "alerting:"
      echo "  alertmanagers: [{static_configs: [{targets: ['127.0.0.1:$alertmanager_port']}]}]"
    fi
    echo "scrape_configs:"
    echo "  - job_name: freshness_exporter"
    echo "    static_configs: [{targets: ['127.0.0.1:$exporter_port']}]"
  } >"$workdir/prometheus.yml"
  start_background prometheus prometheus --config.file="$workdir/prometheus.yml" \
    --storage.tsdb.path="$workdir/prometheus" --web.listen-address="127.0.0.1:$prometheus_port"
  prometheus_url=http://127.0.0.1:$prometheus_port
fi
for url in "$prometheus_url" "$alertmanager_url"; do
  [[ -z $url ]] || wait_for_url "$url/-/ready" 60 || {
    log "$url did not become ready"
    exit 1
  }
done

# --- --check: wait until the exporter reports every check, then summarize -------------------------
mapfile -t check_names < <(sed -n 's/^  - name: \([A-Za-z0-9_.:-]*\).*/\1/p' "$config")
mapfile -t artifact_names < <(awk '/^  - name: /{name = $3} /^    kind: artifact$/{print name}' \
  "$config")

# metric_value METRICS_TEXT METRIC CHECK: the value of the first METRIC series of CHECK.
metric_value() {
  printf '%s\n' "$1" | awk -v metric="$2" -v check="check=\"$3\"" '
    index($0, metric "{") == 1 && (index($0, check ",") || index($0, check "}")) {
      print $(NF); exit
    }'
}

# artifact_state METRICS_TEXT CHECK: the state whose freshness_artifact_state series of CHECK is 1.
artifact_state() {
  printf '%s\n' "$1" | awk -v check="check=\"$2\"" '
    index($0, "freshness_artifact_state{") == 1 && $(NF) == 1 \
      && (index($0, check ",") || index($0, check "}")) && match($0, /state="[a-z_]+"/) {
      print substr($0, RSTART + 7, RLENGTH - 8); exit
    }'
}

demo_ready() {
  local metrics name success
  metrics=$(curl -fsS --max-time 5 "$exporter_url/metrics" 2>/dev/null) || return 1
  for name in "${check_names[@]}"; do
    success=$(metric_value "$metrics" freshness_check_success "$name")
    [[ $success == 1 ]] || return 1
  done
  # The faults injected at startup are seen.
  [[ $(metric_value "$metrics" freshness_unfinished_runs dispatcher) =~ ^[1-9] ]] || return 1
  [[ $(metric_value "$metrics" freshness_duplicate_executions executions) =~ ^[1-9] ]] || return 1
  [[ $(metric_value "$metrics" freshness_consecutive_failed_runs dispatcher) =~ ^([3-9]|[1-9][0-9]) ]] \
    || return 1
  [[ -n $(metric_value "$metrics" freshness_volume_ratio telemetry_volume) ]] || return 1
  # Every artifact check has evaluated its files.
  for name in "${artifact_names[@]}"; do
    [[ -n $(artifact_state "$metrics" "$name") ]] || return 1
  done
  if [[ -n $prometheus_url ]]; then
    curl -fsS --max-time 5 "$prometheus_url/api/v1/query" \
      --data-urlencode 'query=up{job="freshness_exporter"} == 1' 2>/dev/null \
      | grep -q '"result":\[{' || return 1
    # Every rule evaluates against the exporter's series without error.
    local rules
    rules=$(curl -fsS --max-time 5 "$prometheus_url/api/v1/rules" 2>/dev/null) || return 1
    if grep -q '"health":"err"' <<<"$rules"; then
      rule_errors=$(grep -o '"lastError":"[^"]*"' <<<"$rules" | sort -u | head -5)
      return 1
    fi
  fi
  printf '%s\n' "$metrics" >"$workdir/metrics.txt"
}

print_summary() {
  local metrics name metric value line
  metrics=$(cat "$workdir/metrics.txt")
  printf '%-20s %-8s %s\n' CHECK SUCCESS VALUES
  for name in "${check_names[@]}"; do
    line=""
    value=$(artifact_state "$metrics" "$name")
    [[ -z $value ]] || line+="artifact_state=$value "
    for metric in freshness_lag_seconds freshness_unfinished_runs \
      freshness_oldest_unfinished_run_age_seconds freshness_consecutive_failed_runs \
      freshness_duplicate_executions freshness_volume_ratio trading_daily_pnl freshness_artifact_age_seconds freshness_artifact_missed_slots \
      freshness_check_active; do
      value=$(metric_value "$metrics" "$metric" "$name")
      [[ -z $value ]] || line+="${metric#freshness_}=$value "
    done
    printf '%-20s %-8s %s\n' "$name" "$(metric_value "$metrics" freshness_check_success "$name")" \
      "$line"
  done
}

if [[ $check == 1 ]]; then
  deadline=$((SECONDS + check_timeout))
  until demo_ready; do
    if ((SECONDS >= deadline)); then
      failure="FAILED: after ${check_timeout}s the exporter at $exporter_url does not report every check (${check_names[*]}) with success 1 and the injected faults"
      log "$failure"
      [[ -z ${rule_errors:-} ]] || log "Prometheus rule errors: $rule_errors"
      curl -fsS --max-time 5 "$exporter_url/metrics" 2>/dev/null \
        | grep -E '^freshness_(check_success|unfinished_runs|duplicate_executions|consecutive_failed_runs|volume_ratio)' >&2 || true
      exit 1
    fi
    for index in "${!pids[@]}"; do
      kill -0 "${pids[index]}" 2>/dev/null || {
        failure="FAILED: ${names[index]} exited early"
        exit 1
      }
    done
    sleep 1
  done
  print_summary
  log "OK: ${#check_names[@]} checks succeed on $exporter_url${prometheus_url:+; Prometheus scrapes it and evaluates ${#rule_files[@]} rule files without error}${alertmanager_url:+; Alertmanager is ready}"
  exit 0
fi

# --- interactive: print the URLs and wait for Ctrl-C ---------------------------------------------
cat <<EOF

freshness_exporter demo is running (Ctrl-C stops everything).
  exporter status page  $exporter_url/
  exporter metrics      $exporter_url/metrics
  checks as JSON        $exporter_url/api/v1/checks
EOF
[[ -z $prometheus_url ]] || cat <<EOF
  Prometheus alerts     $prometheus_url/alerts
  Prometheus graph      $prometheus_url/graph?g0.expr=freshness_lag_seconds&g0.tab=0
EOF
[[ -z $alertmanager_url ]] || echo "  Alertmanager          $alertmanager_url/"
cat <<EOF
  PostgreSQL (writer)   psql "$writer_dsn"
  artifacts (writer)    $workdir/artifacts
  one-off table         DEMO_DSN="$reader_dsn" $exporter --config.file=$workdir/freshness.yml --once
  logs                  $workdir/*.log

A hung dispatcher run, a duplicated execution and five minutes of failing dispatcher runs were
injected at startup, and the newest signals file is held back for 10 minutes; more faults (feed
gaps, failing streaks, positions report outages) follow at random (writer.sh --fault-every). Stop the writer to watch the lag grow:  kill ${pids[0]}
EOF

while :; do
  wait -n || true
  for index in "${!pids[@]}"; do
    kill -0 "${pids[index]}" 2>/dev/null && continue
    if [[ ${names[index]} == writer ]]; then
      log "the writer stopped; the pipeline is now stale (Ctrl-C to end the demo)"
      unset 'pids[index]' 'names[index]'
      pids=("${pids[@]}")
      names=("${names[@]}")
      break
    fi
    log "${names[index]} exited unexpectedly"
    exit 1
  done
done
