#!/usr/bin/env bash
# End-to-end: PostgreSQL + the demo writer -> freshness_exporter -> Prometheus (the shipped rules,
# test overlay with short clocks) -> Alertmanager (the shipped routing, test overlay) -> a local
# capture server standing in for Slack and PagerDuty.
#
#   1. stop the writer           -> FreshnessLagHigh: telemetry (warning tier) at the Slack capture,
#                                   naming its threshold; the per-lane check in ONE Slack
#                                   notification naming every lane; features (critical tier) pages
#                                   PagerDuty; the observe-mode check's alert reaches no one;
#   2. insert a duplicate        -> FreshnessDuplicateExecution (critical) pages PagerDuty;
#   3. stop the exporter         -> FreshnessExporterDown pages; the data alerts are held: no
#                                   "resolved" reaches anyone while nobody can see the data;
#   4. restart the writer, then  -> the data recovered meanwhile: the features page is resolved
#      the exporter                 (the PagerDuty incident closes), telemetry resolves in Slack,
#                                   the exporter-down page resolves, the duplicate stays open.
#
# usage: alerting_e2e_test.sh EXPORTER_BINARY
# Needs: postgresql-15, prometheus, prometheus-alertmanager, python3 + python3-yaml, curl.
# A missing tool is a failure. E2E_KEEP=1 keeps the temporary directory (logs, captures).
set -euo pipefail

exporter=${1:?usage: alerting_e2e_test.sh EXPORTER_BINARY}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$repo/tests/e2e
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh

log() { printf 'e2e: %s\n' "$*" >&2; }
fail() {
  log "FAIL: $*"
  exit 1
}

for tool in prometheus prometheus-alertmanager promtool amtool psql curl /usr/bin/python3; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/install-deps.sh installs it)"
done
/usr/bin/python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is not installed"
[[ -x $exporter ]] || fail "no exporter binary at $exporter"

# --- processes and teardown ----------------------------------------------------------------------
workdir=$(mktemp -d -t freshness-e2e.XXXXXX)
pgdata=$workdir/pgdata
declare -A pid_of=()
order=()

start_background() { # NAME COMMAND...
  local name=$1
  shift
  "$@" >"$workdir/$name.log" 2>&1 &
  pid_of[$name]=$!
  order+=("$name")
}

stop_background() { # NAME: TERM, then KILL after 10 s
  local name=$1 pid attempt
  pid=${pid_of[$name]:-}
  [[ -n $pid ]] || return 0
  unset "pid_of[$name]"
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((attempt = 0; attempt < 100; attempt++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$? index name
  trap - EXIT
  for ((index = ${#order[@]} - 1; index >= 0; index--)); do
    stop_background "${order[index]}"
  done
  pg_stop "$pgdata" || true
  if [[ $status -ne 0 ]]; then
    for name in "${order[@]}"; do
      log "last lines of the $name log:"
      tail -n 20 "$workdir/$name.log" 2>/dev/null | sed 's/^/    /' >&2 || true
    done
  fi
  if [[ ${E2E_KEEP:-0} == 1 ]]; then
    log "kept $workdir"
  else
    rm -rf "$workdir"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for_url() { # URL SECONDS
  local url=$1 deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}

# prom_value QUERY: the first sample's value of an instant query, empty when there is none.
prom_value() {
  curl -fsS --max-time 5 "$prometheus_url/api/v1/query" --data-urlencode "query=$1" \
    | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}

wait_for_query() { # QUERY SECONDS: until the query returns a sample
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    [[ -n $(prom_value "$1" 2>/dev/null) ]] && return 0
    sleep 1
  done
  return 1
}

capture() {
  local command=$1
  shift
  /usr/bin/python3 "$here/captures.py" "$command" "$workdir/captures.jsonl" "$@"
}

# --- PostgreSQL and the demo pipeline ------------------------------------------------------------
pg_port=$(free_port)
log "PostgreSQL on 127.0.0.1:$pg_port"
pg_start "$pgdata" "$pg_port"
psql "$(pg_dsn "$pg_port")" --no-psqlrc -q -c "CREATE DATABASE pipeline"
writer_dsn=$(pg_dsn "$pg_port" pipeline)
psql "$writer_dsn" --no-psqlrc -q -v ON_ERROR_STOP=1 -f examples/demo/schema.sql >/dev/null 2>&1 \
  || fail "examples/demo/schema.sql did not load"
examples/demo/writer.sh --dsn="$writer_dsn" --backfill=60 --once --no-faults >/dev/null 2>&1 \
  || fail "the demo writer could not backfill"
start_background writer examples/demo/writer.sh --dsn="$writer_dsn" --interval=1 --no-faults

# --- capture server, Alertmanager, exporter, Prometheus ------------------------------------------
start_background capture /usr/bin/python3 "$here/capture_server.py" "$workdir/captures.jsonl" \
  "$workdir/capture.port"
for ((i = 0; i < 50; i++)); do [[ -s $workdir/capture.port ]] && break; sleep 0.1; done
[[ -s $workdir/capture.port ]] || fail "the capture server did not start"
capture_url=http://127.0.0.1:$(<"$workdir/capture.port")

/usr/bin/python3 "$here/overlay.py" alertmanager rules/alertmanager/alertmanager.yml \
  "$workdir/alertmanager.yml" "$workdir/secrets" "$capture_url"
amtool check-config "$workdir/alertmanager.yml" >/dev/null || fail "the Alertmanager overlay is invalid"
alertmanager_port=$(free_port)
start_background alertmanager prometheus-alertmanager --config.file="$workdir/alertmanager.yml" \
  --storage.path="$workdir/alertmanager-data" --web.listen-address="127.0.0.1:$alertmanager_port" \
  --cluster.listen-address=
alertmanager_url=http://127.0.0.1:$alertmanager_port

exporter_port=$(free_port)
reader_dsn="host=127.0.0.1 port=$pg_port user=freshness_reader dbname=pipeline"
start_background exporter env E2E_DSN="$reader_dsn" "$exporter" \
  --config.file="$here/freshness.yml" --web.listen-address="127.0.0.1:$exporter_port"

/usr/bin/python3 "$here/overlay.py" rules "$workdir/rules" rules/freshness-records.rules.yml \
  rules/freshness-alerts.rules.yml
promtool check rules "$workdir"/rules/*.yml >/dev/null || fail "the rules overlay is invalid"
prometheus_port=$(free_port)
cat >"$workdir/prometheus.yml" <<YAML
global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
rule_files: ['$workdir/rules/*.yml']
alerting:
  alertmanagers: [{static_configs: [{targets: ['127.0.0.1:$alertmanager_port']}]}]
scrape_configs:
  - job_name: freshness_exporter
    static_configs: [{targets: ['127.0.0.1:$exporter_port']}]
YAML
start_background prometheus prometheus --config.file="$workdir/prometheus.yml" \
  --storage.tsdb.path="$workdir/prometheus-data" --web.listen-address="127.0.0.1:$prometheus_port"
prometheus_url=http://127.0.0.1:$prometheus_port

wait_for_url "$alertmanager_url/-/ready" 30 || fail "Alertmanager did not become ready"
wait_for_url "http://127.0.0.1:$exporter_port/-/healthy" 30 || fail "the exporter did not come up"
wait_for_url "$prometheus_url/-/ready" 30 || fail "Prometheus did not become ready"
wait_for_query 'freshness_check_success{check="telemetry"} == 1' 30 \
  || fail "Prometheus never saw a successful telemetry collection"
wait_for_query 'ALERTS{alertname="Watchdog",alertstate="firing"}' 30 \
  || fail "the Watchdog never fired: Prometheus does not evaluate the rules"
log "stack is up: exporter :$exporter_port, Prometheus :$prometheus_port, Alertmanager :$alertmanager_port"

# While the writer writes, nobody is told anything.
sleep 3
[[ $(capture count) == 0 ]] || {
  capture none --path /slack
  capture none --path /pagerduty
  fail "notifications were sent while the pipeline was healthy"
}

# --- 1. the writer stops: lag alerts reach Slack and PagerDuty ----------------------------------
log "1/4 stopping the writer"
stop_background writer
capture wait --path /slack --timeout 90 \
  --contains 'attachments.0.title=[FIRING:1] FreshnessLagHigh check=telemetry (warning)' \
  --field 'channel=#data-freshness' \
  --contains 'attachments.0.text=Summary: Data stopped flowing into a table watched by a lag check.' \
  --contains 'attachments.0.text=Description: The newest row of check telemetry (target pipeline) is' \
  --contains 'attachments.0.text=over its warning threshold of 5s' \
  --contains 'attachments.0.text=Check: telemetry  Target: pipeline  Env: e2e' \
  --contains 'attachments.0.text=Runbook: docs/runbooks.md#freshnesslaghigh' \
  >"$workdir/slack-lag.json" || fail "FreshnessLagHigh did not reach the Slack capture"
capture none --path /pagerduty --contains 'payload.summary=check=telemetry ' \
  || fail "a warning paged PagerDuty"
log "    Slack got FreshnessLagHigh for telemetry"
lanes=$(psql "$writer_dsn" --no-psqlrc -qtA -c "SELECT string_agg(DISTINCT lane, ' ') FROM ops.lane_telemetry")
lane_conditions=()
for lane in $lanes; do
  lane_conditions+=(--contains "attachments.0.text=Series: lane=$lane")
done
((${#lane_conditions[@]} >= 2)) || fail "the demo pipeline has fewer than two lanes: $lanes"
capture wait --path /slack --timeout 60 \
  --contains 'attachments.0.title=FreshnessLagHigh check=telemetry_by_lane (warning): lane=' \
  "${lane_conditions[@]}" >"$workdir/slack-lanes.json" \
  || fail "the per-lane alerts did not arrive as one Slack notification naming every lane"
[[ $(capture count --path /slack --contains 'attachments.0.title=FIRING' --contains 'attachments.0.title=check=telemetry_by_lane') == 1 ]] \
  || fail "the per-lane check produced more than one Slack notification"
log "    one Slack notification named the lanes: $lanes"
capture wait --path /pagerduty --timeout 60 \
  --field 'event_action=trigger' \
  --contains 'payload.summary=[FIRING:1] FreshnessLagHigh check=features (critical)' \
  --field 'payload.severity=critical' \
  --field 'payload.custom_details.check=features' \
  >"$workdir/pagerduty-features.json" || fail "the critical tier of features did not page"
features_key=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dedup_key"])' \
  "$workdir/pagerduty-features.json")
log "    PagerDuty got FreshnessLagHigh for features (critical tier)"
# The observe-mode check's alert fires too, with mode="observe", and is routed to no one.
wait_for_query 'ALERTS{alertname="FreshnessLagHigh",check="telemetry_observed",mode="observe",alertstate="firing"}' 30 \
  || fail "FreshnessLagHigh did not fire for the observe-mode check"

# --- 2. a duplicate execution: the page reaches PagerDuty ----------------------------------------
log "2/4 inserting a duplicate execution"
psql "$writer_dsn" --no-psqlrc -q -v ON_ERROR_STOP=1 -c "
  INSERT INTO ops.dispatch_executions (recommendation_id, account, executed_at, quantity, price)
  SELECT recommendation_id, account, now(), quantity, price
  FROM ops.dispatch_executions ORDER BY id DESC LIMIT 1" \
  || fail "could not insert the duplicate execution"
capture wait --path /pagerduty --timeout 60 \
  --field 'event_action=trigger' \
  --field 'routing_key=e2e-routing-key' \
  --contains 'payload.summary=[FIRING:1] FreshnessDuplicateExecution check=executions (critical)' \
  --field 'payload.severity=critical' \
  --field 'payload.custom_details.check=executions' \
  --field 'payload.custom_details.summary=A key was executed more than once, an idempotency violation.' \
  --field 'payload.custom_details.description=Check executions (target pipeline) finds 1 keys executed more than once inside its window, over its critical threshold of 0.' \
  --field 'payload.custom_details.runbook=docs/runbooks.md#freshnessduplicateexecution' \
  >"$workdir/pagerduty-duplicate.json" \
  || fail "FreshnessDuplicateExecution did not page the PagerDuty capture"
capture none --path /slack --contains 'attachments.0.title=FreshnessDuplicateExecution' \
  || fail "the duplicate execution went to Slack too"
log "    PagerDuty got FreshnessDuplicateExecution for executions"

# --- 3. the exporter stops: it pages, and its data alerts are held --------------------------------
log "3/4 stopping the exporter"
mark=$(capture count)
stop_background exporter
capture wait --path /pagerduty --after "$mark" --timeout 60 \
  --field 'event_action=trigger' \
  --contains 'payload.summary=[FIRING:1] FreshnessExporterDown' \
  --field "payload.custom_details.summary=A freshness exporter cannot be scraped, so the checks it runs are not being watched." \
  --contains "payload.custom_details.description=Prometheus has failed to scrape 127.0.0.1:$exporter_port" \
  --field 'payload.custom_details.runbook=docs/runbooks.md#freshnessexporterdown' \
  >"$workdir/pagerduty-exporter-down.json" \
  || fail "FreshnessExporterDown did not page the PagerDuty capture"
log "    PagerDuty got FreshnessExporterDown"
# Longer than keep_firing_for (15 s) and a group interval: the data alerts stay firing (held),
# nothing claims the data flows again.
sleep 30
[[ -n $(prom_value 'ALERTS{alertname="FreshnessLagHigh",check="features",alertstate="firing"}') ]] \
  || fail "the features alert stopped firing while the exporter was down"
capture none --path /slack --after "$mark" --contains 'attachments.0.title=RESOLVED' \
  || fail "Slack got a resolved notification while the exporter was down"
capture none --path /pagerduty --after "$mark" --field 'event_action=resolve' \
  || fail "PagerDuty got a resolve while the exporter was down"
log "    the data alerts are held: no resolved notification"

# --- 4. the data recovers while the exporter is down; the exporter comes back ---------------------
log "4/4 restarting the writer, then the exporter"
start_background writer examples/demo/writer.sh --dsn="$writer_dsn" --interval=1 --no-faults
sleep 3
start_background exporter env E2E_DSN="$reader_dsn" "$exporter" \
  --config.file="$here/freshness.yml" --web.listen-address="127.0.0.1:$exporter_port"
wait_for_url "http://127.0.0.1:$exporter_port/-/healthy" 30 || fail "the exporter did not come back"
capture wait --path /pagerduty --after "$mark" --timeout 90 \
  --field 'event_action=resolve' --field "dedup_key=$features_key" \
  >"$workdir/pagerduty-features-resolve.json" \
  || fail "the features incident was not resolved after the exporter came back"
log "    PagerDuty: the features incident was resolved"
capture wait --path /slack --after "$mark" --timeout 60 \
  --contains 'attachments.0.title=[RESOLVED] FreshnessLagHigh check=telemetry (warning)' \
  >/dev/null || fail "telemetry did not resolve in Slack"
capture wait --path /pagerduty --after "$mark" --timeout 60 \
  --field 'event_action=resolve' --contains 'payload.summary=FreshnessExporterDown' \
  >/dev/null || fail "the exporter-down page did not resolve"
capture none --path /pagerduty --field 'event_action=resolve' \
  --contains 'payload.summary=FreshnessDuplicateExecution' \
  || fail "the duplicate-execution page was resolved though the duplicate is still in its window"
log "    Slack: telemetry resolved; PagerDuty: exporter-down resolved, the duplicate still open"
capture none --path /slack --contains 'attachments.0.title=telemetry_observed' \
  || fail "the observe-mode check notified Slack"
capture none --path /pagerduty --contains 'payload.summary=telemetry_observed' \
  || fail "the observe-mode check paged"
log "    the observe-mode check notified no one"
log "PASS"
