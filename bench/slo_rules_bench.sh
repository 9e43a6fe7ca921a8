#!/usr/bin/env bash
# SLO rules benchmark: what the SLO rule groups cost a real Prometheus to evaluate, at 10, 100 and
# 1000 checks with an SLO, beside Sloth-style rules for the same SLI in the same run.
#   freshness   the exporter with N artifact checks (no database), each with
#               `slo: {objective: 99.5%, window: 28d}`, every tenth one stale (bad); Prometheus
#               with rules/freshness-records.rules.yml (freshness:breach:value and
#               freshness:exporter:healthy, which the SLO rules read; the threshold alerts need
#               them anyway) and rules/freshness-slo.rules.yml;
#   sloth       bench/peers/slo_counters_server.py serving the two raw counters such rules need
#               per check (bad and counting seconds; every tenth check bad), and the rules of
#               bench/peers/sloth_style_rules.py: per SLO, a group of SLI recordings (ratio of
#               rate()s over 5m 30m 1h 2h 6h 1d 3d, the 28d period as the average of the 5m
#               ratio), a group of metadata recordings and a group of page/ticket alerts.
# Each scenario gets its own Prometheus (scrape and evaluation every --interval), in turn. After
# every group has been evaluated 3 times, Prometheus's /metrics is read --samples times, one
# evaluation interval apart: per read, the sum of prometheus_rule_group_last_duration_seconds
# over the scenario's SLO groups (freshness: freshness-slo + freshness-slo-alerts; sloth: every
# group), and for freshness the records group on its own. Quoted: the medians of those sums, the
# series the SLO rules write (freshness: check:freshness_slo_*; sloth: slo:* and slo_info), the
# rules and groups, and missed iterations (an evaluation that overran the interval). Prometheus
# evaluates groups concurrently, so with many groups on few CPUs the summed durations include
# time spent waiting for a CPU; hence also "cpu ms/eval": Prometheus's CPU time over those reads
# minus its CPU time over as long a span right after a reload without the rule files, divided by
# the number of evaluation intervals (scraping and storage are the same in both spans).
#
# Prometheus holds minutes of data here: what a range selector reads grows with history (the
# sloth rules' rate()s over up to 3d and the 28d sum_over_time/count_over_time), what an offset
# lookup reads (the freshness rules) does not. So these figures are the floor of the sloth rules'
# cost and close to the steady cost of the freshness ones.
#
# usage: bench/slo_rules_bench.sh [--exporter=PATH] [--checks=10,100,1000] [--samples=N]
#                                 [--interval=SECONDS]
#   --exporter  freshness_exporter binary (default build/release/exporter/freshness_exporter)
#   --checks    comma-separated numbers of SLO checks (default 10,100,1000)
#   --samples   reads of the group durations per scenario (default 9; the median is quoted)
#   --interval  scrape and evaluation interval in seconds (default 5)
# Needs: prometheus, promtool, curl, python3. About 12 minutes with the defaults. Not part of the
# test suite.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh # free_port
# shellcheck source=bench/lib/common.sh
source bench/lib/common.sh

exporter=build/release/exporter/freshness_exporter
checks_list=10,100,1000
samples=9
interval=5
command_line="bench/slo_rules_bench.sh${*:+ $*}"

for argument in "$@"; do
  case $argument in
    --exporter=*) exporter=${argument#*=} ;;
    --checks=*) checks_list=${argument#*=} ;;
    --samples=*) samples=${argument#*=} ;;
    --interval=*) interval=${argument#*=} ;;
    -h | --help) usage ;;
    *)
      echo "slo_rules_bench: unknown argument $argument" >&2
      usage
      ;;
  esac
done
log() { printf 'slo_rules_bench: %s\n' "$*" >&2; }
IFS=, read -r -a checks_counts <<<"$checks_list"
for n in "${checks_counts[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ && $n -le 5000 ]] || {
    log "--checks: whole numbers from 1 to 5000"
    exit 2
  }
done
[[ $samples =~ ^[1-9][0-9]*$ && $samples -le 60 ]] || {
  log "--samples must be 1 to 60"
  exit 2
}
[[ $interval =~ ^[1-9][0-9]*$ && $interval -le 60 ]] || {
  log "--interval must be 1 to 60 seconds"
  exit 2
}
[[ -x $exporter ]] || {
  log "no exporter at $exporter; build it first (bench/README.md)"
  exit 1
}
for tool in prometheus promtool curl python3; do
  command -v "$tool" >/dev/null || {
    log "$tool is not installed (scripts/install-deps.sh)"
    exit 1
  }
done

bench_workdir freshness-slo-rules-bench
prometheus_version=$(prometheus --version 2>&1 | awk 'NR == 1 { print $3 }')
revision=$(git rev-parse --short HEAD 2>/dev/null || echo "?")

# --- helpers -------------------------------------------------------------------------------------

wait_http() { # URL SECONDS
  local i
  for ((i = 0; i < $2 * 4; i++)); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.25
  done
  log "not ready: $1"
  return 1
}

# prom_metric PORT AWK_FILTER: sum of the values of Prometheus's own series matching the filter.
prom_metric() {
  curl -fsS "http://127.0.0.1:$1/metrics" | awk "$2"' { s += $NF } END { printf "%.9f\n", s + 0 }'
}

# instant PORT EXPR: the first value of an instant query (0 when empty).
instant() {
  curl -fsS --get "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=$2" |
    python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)'
}

# rules PORT: "RULES GROUPS" as Prometheus loaded them.
rule_counts() {
  curl -fsS "http://127.0.0.1:$1/api/v1/rules" |
    python3 -c 'import json, sys; g = json.load(sys.stdin)["data"]["groups"]; print(sum(len(x["rules"]) for x in g), len(g))'
}

start_prometheus() { # NAME TARGET_PORT RULE_FILE...
  local name=$1 target=$2
  shift 2
  prom_port=$(free_port)
  {
    printf 'global: {scrape_interval: %ss, evaluation_interval: %ss}\nrule_files:\n' "$interval" "$interval"
    printf '  - %s\n' "$@"
    printf 'scrape_configs:\n  - job_name: freshness_exporter\n    static_configs: [{targets: ["127.0.0.1:%s"]}]\n' "$target"
  } >"$workdir/$name-prometheus.yml"
  prometheus --config.file="$workdir/$name-prometheus.yml" --storage.tsdb.path="$workdir/$name-tsdb" \
    --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >>"$workdir/prometheus.log" 2>&1 &
  prom_pid=$!
  pids+=("$prom_pid")
  wait_http "http://127.0.0.1:$prom_port/-/ready" 60
}

stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# measure NAME GROUP_REGEX SERIES_EXPR [RECORDS_REGEX]: waits for 3 evaluations of every group, then the
# median of the summed last durations over --samples reads (ms), and of the records group.
measure() {
  local name=$1 groups=$2 series_expr=$3 records=${4:-} i iterations need values=() record_values=()
  need=$(rule_counts "$prom_port" | awk '{ print $2 }')
  for ((i = 0; i < 600; i++)); do
    iterations=$(curl -fsS "http://127.0.0.1:$prom_port/metrics" |
      awk '/^prometheus_rule_group_iterations_total\{/ { if ($NF >= 3) n++ } END { print n + 0 }')
    ((iterations >= need)) && break
    sleep 1
  done
  ((iterations >= need)) || {
    log "$name: the groups were not all evaluated 3 times in 600 s"
    return 1
  }
  cpu0=$(prom_metric "$prom_port" '/^process_cpu_seconds_total /')
  for ((i = 0; i < samples; i++)); do
    values+=("$(prom_metric "$prom_port" "/^prometheus_rule_group_last_duration_seconds\\{rule_group=\"[^\"]*;($groups)\"\\}/")")
    [[ -z $records ]] || record_values+=("$(prom_metric "$prom_port" "/^prometheus_rule_group_last_duration_seconds\\{rule_group=\"[^\"]*;($records)\"\\}/")")
    sleep "$interval"
  done
  cpu1=$(prom_metric "$prom_port" '/^process_cpu_seconds_total /')
  missed=$(prom_metric "$prom_port" "/^prometheus_rule_group_iterations_missed_total\\{rule_group=\"[^\"]*;($groups)\"\\}/")
  read -r rules group_count < <(rule_counts "$prom_port")
  series=$(instant "$prom_port" "$series_expr")
  [[ $name != freshness-* ]] || bad=$(instant "$prom_port" 'count(check:freshness_slo_bad:value == 1)')
  # The same span without rules: the config reloaded with no rule_files.
  sed -i '/^rule_files:/,/^scrape_configs:/{/^scrape_configs:/!d}' "$workdir/$name-prometheus.yml"
  kill -HUP "$prom_pid"
  for ((i = 0; i < 60; i++)); do
    [[ $(rule_counts "$prom_port") == "0 0" ]] && break
    sleep 1
  done
  sleep "$interval"
  cpu2=$(prom_metric "$prom_port" '/^process_cpu_seconds_total /')
  sleep $((samples * interval))
  cpu3=$(prom_metric "$prom_port" '/^process_cpu_seconds_total /')
  cpu_ms=$(awk -v a="$cpu0" -v b="$cpu1" -v c="$cpu2" -v d="$cpu3" -v n="$samples" \
    'BEGIN { printf "%.1f", ((b - a) - (d - c)) / n * 1000 }')
  median_ms=$(awk -v v="$(median "${values[@]}")" 'BEGIN { printf "%.3f", v * 1000 }')
  records_ms=-
  [[ -z $records ]] || records_ms=$(awk -v v="$(median "${record_values[@]}")" 'BEGIN { printf "%.3f", v * 1000 }')
}

# --- scenarios -----------------------------------------------------------------------------------

printf 'account,quantity\nmain,1\n' | tee "$workdir/fresh.csv" >"$workdir/stale.csv"
touch -d '-2 hours' "$workdir/stale.csv"
declare -A f_cpu s_cpu f_ms f_rec s_ms f_series s_series f_rules s_rules f_groups s_groups f_missed s_missed
for n in "${checks_counts[@]}"; do
  # freshness: the exporter with N artifact checks, every tenth one stale.
  {
    printf 'global: {interval: %ss, timeout: 5s, timezone: UTC, labels: {env: bench}}\nchecks:\n' "$interval"
    for ((i = 0; i < n; i++)); do
      file=fresh.csv
      ((i % 10 == 0)) && file=stale.csv
      printf '  - {name: c%d, kind: artifact, source: "%s", expect: {max_age: 1h}, slo: {objective: 99.5%%, window: 28d}}\n' \
        "$i" "$workdir/$file"
    done
  } >"$workdir/freshness-$n.yml"
  port=$(free_port)
  "$exporter" --config.file="$workdir/freshness-$n.yml" --web.listen-address="127.0.0.1:$port" \
    --log.level=warn >>"$workdir/exporter.log" 2>&1 &
  exporter_pid=$!
  wait_http "http://127.0.0.1:$port/-/ready" 60
  log "freshness rules, $n checks"
  start_prometheus "freshness-$n" "$port" "$repo/rules/freshness-records.rules.yml" "$repo/rules/freshness-slo.rules.yml"
  measure "freshness-$n" 'freshness-slo|freshness-slo-alerts' 'count({__name__=~"check:freshness_slo_.+"})' 'freshness-records'
  f_ms[$n]=$median_ms f_rec[$n]=$records_ms f_missed[$n]=$missed f_rules[$n]=$rules f_groups[$n]=$group_count
  f_series[$n]=$series f_cpu[$n]=$cpu_ms
  [[ $bad == "$(((n + 9) / 10))" ]] || {
    log "freshness-$n: $bad checks counted bad, expected $(((n + 9) / 10))"
    exit 1
  }
  stop_pid "$prom_pid"
  bench_stop_exporter

  # sloth: raw counters and per-SLO rule groups.
  python3 bench/peers/sloth_style_rules.py "$n" 99.5 28 >"$workdir/sloth-$n.rules.yml"
  promtool check rules "$workdir/sloth-$n.rules.yml" >/dev/null
  port=$(free_port)
  python3 bench/peers/slo_counters_server.py "$port" "$n" >>"$workdir/counters.log" 2>&1 &
  counters_pid=$!
  pids+=("$counters_pid")
  wait_http "http://127.0.0.1:$port/metrics" 30
  log "sloth-style rules, $n checks"
  start_prometheus "sloth-$n" "$port" "$workdir/sloth-$n.rules.yml"
  measure "sloth-$n" 'slo-[a-z]+-freshness-c[0-9]+' 'count({__name__=~"slo:.+|slo_info"})'
  s_ms[$n]=$median_ms s_missed[$n]=$missed s_rules[$n]=$rules s_groups[$n]=$group_count
  s_series[$n]=$series s_cpu[$n]=$cpu_ms
  stop_pid "$prom_pid"
  stop_pid "$counters_pid"
done

# --- report --------------------------------------------------------------------------------------

printf '%s, revision %s, Prometheus %s, %s CPUs, interval %ss, median of %s reads\n\n' \
  "$command_line" "$revision" "$prometheus_version" "$(nproc)" "$interval" "$samples"
printf '%-7s %-10s %7s %7s %9s %12s %12s %8s %12s\n' checks rules groups rules series 'eval ms' 'cpu ms/eval' missed 'records ms'
for n in "${checks_counts[@]}"; do
  printf '%-7s %-10s %7s %7s %9s %12s %12s %8s %12s\n' "$n" freshness "${f_groups[$n]}" "${f_rules[$n]}" "${f_series[$n]}" "${f_ms[$n]}" "${f_cpu[$n]}" "${f_missed[$n]%.*}" "${f_rec[$n]}"
  printf '%-7s %-10s %7s %7s %9s %12s %12s %8s %12s\n' "$n" sloth "${s_groups[$n]}" "${s_rules[$n]}" "${s_series[$n]}" "${s_ms[$n]}" "${s_cpu[$n]}" "${s_missed[$n]%.*}" -
done
printf '\nsloth / freshness, evaluation time of the SLO groups:'
for n in "${checks_counts[@]}"; do
  awk -v n="$n" -v s="${s_ms[$n]}" -v f="${f_ms[$n]}" 'BEGIN { printf "  %s checks %.2fx", n, (f > 0 ? s / f : 0) }'
done
printf '\nsloth / freshness, Prometheus CPU per evaluation interval spent on rules:'
for n in "${checks_counts[@]}"; do
  awk -v n="$n" -v s="${s_cpu[$n]}" -v f="${f_cpu[$n]}" 'BEGIN { printf "  %s checks %s", n, (f > 0 ? sprintf("%.2fx", s / f) : "n/a") }'
done
printf '\n(freshness groups and rules include the records group the SLO rules read; "records ms" is\nits evaluation time, shared with the threshold alerts; "cpu ms/eval" is the Prometheus CPU time per\nevaluation interval with the rules minus the same span after a reload without them, so for\nfreshness it includes the records group.)\n'
