#!/usr/bin/env bash
# Routing of rules/alertmanager/alertmanager.yml: each severity, the Watchdog and observe-mode
# alerts reach the expected receiver (amtool config routes test --verify.receivers).
# usage: routing_test.sh [ALERTMANAGER_YML]
set -euo pipefail
config=${1:-$(cd "$(dirname "$0")/../.." && pwd)/rules/alertmanager/alertmanager.yml}
command -v amtool >/dev/null || { echo "routing_test: amtool not found (prometheus-alertmanager)" >&2; exit 1; }

failures=0
cases=0
# expect RECEIVER LABEL=VALUE...
expect() {
  local receiver=$1 got
  shift
  cases=$((cases + 1))
  got=$(amtool config routes test --config.file="$config" "$@" 2>/dev/null) || true
  if [[ $got == "$receiver" ]]; then
    echo "ok   $receiver <- $*"
  else
    echo "FAIL expected $receiver, got '${got}' <- $*" >&2
    failures=$((failures + 1))
  fi
}

expect pagerduty alertname=FreshnessDuplicateExecution severity=critical check=executions mode=enforce
expect pagerduty alertname=FreshnessRunTooLong severity=critical check=dispatcher mode=enforce
expect pagerduty alertname=FreshnessExporterDown severity=critical job=freshness_exporter instance=exporter:9560
expect pagerduty alertname=FreshnessExporterAbsent severity=critical job=freshness_exporter service=fx-risk
expect pagerduty alertname=FreshnessArtifactOverdue severity=critical check=pit_parity mode=enforce
expect pagerduty alertname=FreshnessLagHigh severity=critical check=trades symbol=XYZ mode=enforce
expect pagerduty alertname=FreshnessTargetDown severity=critical target=ops
expect slack alertname=FreshnessLagHigh severity=warning check=telemetry mode=enforce
expect slack alertname=FreshnessArtifactOverdue severity=warning check=pit_parity mode=enforce
expect slack alertname=FreshnessCheckFailing severity=warning check=features mode=enforce
expect slack alertname=FreshnessQueryThreshold severity=warning check=daily_pnl metric=trading_daily_pnl account=main mode=enforce
expect email-digest alertname=FreshnessCalendarExpiring severity=info calendar=xnys
expect null alertname=Watchdog severity=none
expect null alertname=FreshnessLagHigh severity=warning check=shadow mode=observe
expect null alertname=FreshnessDuplicateExecution severity=critical check=shadow mode=observe
expect null alertname=FreshnessArtifactOverdue severity=warning check=shadow mode=observe
# Anything without a known severity still reaches a human.
expect slack alertname=SomethingElse

echo "routing_test: $((cases - failures))/$cases cases pass"
((failures == 0))
