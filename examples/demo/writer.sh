#!/usr/bin/env bash
# The demo pipeline: every tick, one transaction writes market-data bars, features, a
# recommendation, its execution, a dispatcher run ledger row and the day's PnL into the schema of
# examples/demo/schema.sql, refreshes the watchlist every 30 s and moves the positions. Now and
# then it injects a fault the exporter should catch: a hung dispatcher run (started, never
# finished), a duplicated execution, a streak of failing dispatcher runs (every run for 5 minutes
# ends with status 'failed') or a feed gap (the fx lane writes nothing for 10 minutes and its
# circuit breaker trips).
#
# With --artifact-dir it also writes files, as a pipeline's batch jobs would:
#   signals/YYYY-MM-DD/signals.csv  one per trading day (Monday to Friday), written at 06:05 New
#                                   York time on the next weekday; missed days are caught up;
#   reports/positions.csv           today's PnL per account from the database, rewritten 5 s
#                                   after every even minute (undated: its modification time
#                                   is what counts).
# Its artifact faults: a report outage (no refresh for 10 minutes, about once per 4*N ticks) and,
# on request, late signals (the newest partition appears only 10 minutes after startup).
#
# usage: writer.sh [--dsn=DSN] [--interval=SECONDS] [--once] [--no-faults] [--fault-every=N]
#                  [--fault=FAULT]... [--backfill=SECONDS] [--artifact-dir=DIR]
#   --dsn           libpq connection string of a role that may write (default: $DEMO_WRITER_DSN)
#   --interval      seconds between ticks (default 1)
#   --once          write one tick and exit
#   --no-faults     never inject faults (same as DEMO_FAULTS=0)
#   --fault-every   on average one fault per N ticks, each kind (default $DEMO_FAULT_EVERY or 300)
#   --fault         hung-run or duplicate: inject it on the first tick (for tests); failing-runs,
#                   feed-gap, late-signals or report-outage: start with that fault; then behave
#                   as configured
#   --backfill      first write SECONDS of fault-free history ending now, then tick
#   --artifact-dir  write the artifacts under DIR (default $DEMO_ARTIFACT_DIR; none when empty)
# Stops cleanly (after the current tick) on SIGTERM or SIGINT.
set -euo pipefail

dsn=${DEMO_WRITER_DSN:-}
interval=1
once=0
faults=${DEMO_FAULTS:-1}
fault_every=${DEMO_FAULT_EVERY:-300}
forced_fault=""
backfill=0
artifact_dir=${DEMO_ARTIFACT_DIR:-}
signals_held_until=0
report_outage_until=0
failing_until=0
feed_gap_until=0

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

for argument in "$@"; do
  case $argument in
    --dsn=*) dsn=${argument#*=} ;;
    --interval=*) interval=${argument#*=} ;;
    --once) once=1 ;;
    --no-faults) faults=0 ;;
    --fault-every=*) fault_every=${argument#*=} ;;
    --fault=hung-run | --fault=duplicate) forced_fault=${argument#*=} ;;
    --fault=late-signals) signals_held_until=$((EPOCHSECONDS + 600)) ;;
    --fault=report-outage) report_outage_until=$((EPOCHSECONDS + 600)) ;;
    --fault=failing-runs) failing_until=$((EPOCHSECONDS + 300)) ;;
    --fault=feed-gap) feed_gap_until=$((EPOCHSECONDS + 600)) ;;
    --backfill=*) backfill=${argument#*=} ;;
    --artifact-dir=*) artifact_dir=${argument#*=} ;;
    -h | --help) usage ;;
    *)
      echo "writer.sh: unknown argument $argument" >&2
      usage
      ;;
  esac
done
[[ -n $dsn ]] || {
  echo "writer.sh: no DSN (--dsn= or DEMO_WRITER_DSN)" >&2
  exit 2
}
[[ $fault_every =~ ^[1-9][0-9]*$ ]] || {
  echo "writer.sh: --fault-every must be a positive integer" >&2
  exit 2
}
[[ $backfill =~ ^[0-9]+$ ]] || {
  echo "writer.sh: --backfill must be a whole number of seconds" >&2
  exit 2
}

stopping=0
sleep_pid=""
trap 'stopping=1; [[ -z $sleep_pid ]] || kill "$sleep_pid" 2>/dev/null || true' TERM INT

run_sql() {
  PGAPPNAME=demo_writer psql "$dsn" --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --output=/dev/null
}

# Lanes and their tickers, as a SQL VALUES list.
readonly instruments="(VALUES ('equities', 'AAPL', 190.0), ('equities', 'MSFT', 410.0),
  ('equities', 'NVDA', 120.0), ('futures', 'ES', 5400.0), ('futures', 'NQ', 19000.0),
  ('fx', 'EURUSD', 1.08), ('fx', 'USDJPY', 150.0)) AS instrument(lane, ticker, base)"
readonly accounts="ARRAY['alpha', 'beta', 'gamma']"

# SQL of one tick. $1: normal | hung-run | duplicate. A failing streak (failing_until) and a feed
# gap (feed_gap_until) are states that last.
tick_sql() {
  local fault=$1 copies=1 finished="clock_timestamp()" status="'ok'" dispatched=1 fx_down=false
  [[ $fault == duplicate ]] && copies=2
  if [[ $fault == hung-run ]]; then
    finished=NULL status="'running'" dispatched=0
  elif ((EPOCHSECONDS < failing_until)); then
    status="'failed'" dispatched=0
  fi
  ((EPOCHSECONDS >= feed_gap_until)) || fx_down=true
  cat <<SQL
BEGIN;
INSERT INTO ops.lane_telemetry (lane, ticker, ts, open, high, low, close, volume)
  SELECT lane, ticker, now(), price, price * 1.001, price * 0.999, price * (1 + (random() - 0.5) / 500),
         (random() * 10000)::bigint
  FROM (SELECT lane, ticker, base * (1 + (random() - 0.5) / 100) AS price FROM $instruments) AS bar
  WHERE NOT ($fx_down AND lane = 'fx');
UPDATE ops.circuit_breakers SET active = $fx_down, changed_at = now()
  WHERE breaker = 'fx' AND active <> $fx_down;
INSERT INTO ops.watchlist (ticker, rank, refreshed_at)
  SELECT ticker, row_number() OVER (ORDER BY random()), now() FROM $instruments
  WHERE NOT EXISTS (SELECT FROM ops.watchlist WHERE refreshed_at > now() - interval '30 seconds')
  ON CONFLICT (ticker) DO UPDATE SET rank = EXCLUDED.rank, refreshed_at = EXCLUDED.refreshed_at;
UPDATE ops.positions SET quantity = LEAST(position_limit, GREATEST(-position_limit,
  quantity + round((random() - 0.5) * position_limit / 25)::int));
INSERT INTO ops.features (ticker, ts, name, value)
  SELECT ticker, now(), feature, random() * 2 - 1
  FROM $instruments CROSS JOIN unnest(ARRAY['momentum_5m', 'spread_z']) AS feature;
INSERT INTO ops.dispatcher_runs (started_at, finished_at, status, dispatched)
  VALUES (now(), $finished, $status, $dispatched);
WITH recommendation AS (
  INSERT INTO ops.recommendations (ticker, side, quantity, account, created_at)
    SELECT ticker, CASE WHEN random() < 0.5 THEN 'buy' ELSE 'sell' END, 1 + (random() * 99)::int,
           ($accounts)[1 + (random() * 2)::int], now()
    FROM $instruments ORDER BY random() LIMIT 1
    RETURNING id, account, quantity
), execution AS (
  INSERT INTO ops.dispatch_executions (recommendation_id, account, executed_at, quantity, price)
    SELECT id, account, clock_timestamp(), quantity, 100 + random()
    FROM recommendation CROSS JOIN generate_series(1, $copies)
    WHERE $dispatched = 1
    RETURNING account
)
INSERT INTO ops.pnl_daily (trade_date, account, pnl, updated_at)
  SELECT current_date, account, round((random() * 200 - 95)::numeric, 2), now()
  FROM (SELECT DISTINCT account FROM execution) AS traded
  ON CONFLICT (trade_date, account)
  DO UPDATE SET pnl = ops.pnl_daily.pnl + EXCLUDED.pnl, updated_at = EXCLUDED.updated_at;
COMMIT;
SQL
}

# Fault-free history: one row per second (bars every second, the rest every 10 s).
backfill_sql() {
  cat <<SQL
BEGIN;
CREATE TEMPORARY TABLE backfill_seconds ON COMMIT DROP AS
  SELECT now() - make_interval(secs => s) AS ts FROM generate_series(1, $1) AS s;
INSERT INTO ops.lane_telemetry (lane, ticker, ts, open, high, low, close, volume)
  SELECT lane, ticker, ts, base, base * 1.001, base * 0.999, base * (1 + (random() - 0.5) / 500),
         (random() * 10000)::bigint
  FROM backfill_seconds CROSS JOIN $instruments;
INSERT INTO ops.features (ticker, ts, name, value)
  SELECT ticker, ts, 'momentum_5m', random() * 2 - 1
  FROM backfill_seconds CROSS JOIN $instruments
  WHERE extract(second FROM ts)::int % 10 = 0;
INSERT INTO ops.dispatcher_runs (started_at, finished_at, status, dispatched)
  SELECT ts, ts + interval '200 ms', 'ok', 1 FROM backfill_seconds
  WHERE extract(second FROM ts)::int % 10 = 0;
WITH recommendation AS (
  INSERT INTO ops.recommendations (ticker, side, quantity, account, created_at)
    SELECT 'AAPL', 'buy', 10, ($accounts)[1 + (random() * 2)::int], ts FROM backfill_seconds
    WHERE extract(second FROM ts)::int % 10 = 0
    RETURNING id, account, quantity, created_at
)
INSERT INTO ops.dispatch_executions (recommendation_id, account, executed_at, quantity, price)
  SELECT id, account, created_at + interval '100 ms', quantity, 190 FROM recommendation;
INSERT INTO ops.watchlist (ticker, rank, refreshed_at)
  SELECT ticker, row_number() OVER (ORDER BY ticker), now() FROM $instruments
  ON CONFLICT (ticker) DO NOTHING;
COMMIT;
ANALYZE ops.lane_telemetry, ops.features, ops.recommendations, ops.dispatch_executions,
        ops.dispatcher_runs;
SQL
}

# --- artifacts: the pipeline's batch jobs, when --artifact-dir is set ---------------------------
readonly signals_zone=America/New_York
readonly report_every=120
report_period=-1

# write_atomically PATH: stdin to PATH through a temporary file beside it, so that a reader never
# sees a half-written file.
write_atomically() {
  mkdir -p "${1%/*}"
  cat >"$1.tmp.$$"
  mv -f "$1.tmp.$$" "$1"
}

# The signals job: at 06:05 New York time every weekday it writes the previous weekday's partition
# (Monday writes Friday's). Each tick it catches up on the runs of the last 7 days, so a writer
# started late or restarted fills in what the exporter looks for. Holidays are the exporter's
# business (its calendar): a partition for one does no harm.
produce_signals() {
  local now=$EPOCHSECONDS hour minute second noon run weekday back partition path ticker k
  local partitions=()
  TZ=$signals_zone printf -v hour '%(%H)T' "$now"
  TZ=$signals_zone printf -v minute '%(%M)T' "$now"
  TZ=$signals_zone printf -v second '%(%S)T' "$now"
  # Noon today: whole days back from noon never land on the wrong date across a DST change.
  noon=$((now - 10#$hour * 3600 - 10#$minute * 60 - 10#$second + 12 * 3600))
  for ((k = 7; k >= 0; k--)); do
    run=$((noon - k * 86400))
    TZ=$signals_zone printf -v weekday '%(%u)T' "$run"
    ((weekday <= 5)) || continue
    ((k > 0 || 10#$hour$minute >= 605)) || continue
    back=1
    if ((weekday == 1)); then back=3; fi
    TZ=$signals_zone printf -v partition '%(%F)T' "$((run - back * 86400))"
    partitions+=("$partition")
  done
  # --fault=late-signals: the newest run is late.
  ((now >= signals_held_until)) || unset 'partitions[-1]'
  for partition in "${partitions[@]}"; do
    path=$artifact_dir/signals/$partition/signals.csv
    [[ ! -s $path ]] || continue
    {
      echo "trade_date,ticker,score_bp"
      for ticker in AAPL MSFT NVDA ES NQ EURUSD USDJPY; do
        echo "$partition,$ticker,$((RANDOM % 2001 - 1000))"
      done
    } | write_atomically "$path"
    echo "writer.sh: wrote signals/$partition/signals.csv" >&2
  done
}

# The report job: today's PnL per account, 5 s after each report_every boundary (and at once
# when the writer starts or an outage ends), except during an outage.
produce_report() {
  local period=$(((EPOCHSECONDS - 5) / report_every))
  ((EPOCHSECONDS >= report_outage_until && period != report_period)) || return 0
  PGAPPNAME=demo_writer psql "$dsn" --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --command="COPY (
      SELECT account, pnl, updated_at FROM ops.pnl_today ORDER BY account
    ) TO STDOUT WITH (FORMAT csv, HEADER)" | write_atomically "$artifact_dir/reports/positions.csv"
  report_period=$period
}

if ((backfill > 0)); then
  backfill_sql "$backfill" | run_sql
  echo "writer.sh: backfilled ${backfill}s of history" >&2
fi

ticks=0
while ((!stopping)); do
  fault=normal
  if [[ -n $forced_fault ]]; then
    fault=$forced_fault
    forced_fault=""
  elif ((faults)); then
    # Two independent draws: each kind of fault about once per fault_every ticks.
    if ((RANDOM % fault_every == 0)); then
      fault=hung-run
    elif ((RANDOM % fault_every == 0)); then
      fault=duplicate
    fi
    # Lasting faults, each about once per 4 * fault_every ticks.
    if ((EPOCHSECONDS >= failing_until && RANDOM % (4 * fault_every) == 0)); then
      failing_until=$((EPOCHSECONDS + 300))
      echo "writer.sh: injected fault: failing-runs (5 minutes)" >&2
    fi
    if ((EPOCHSECONDS >= feed_gap_until && RANDOM % (4 * fault_every) == 0)); then
      feed_gap_until=$((EPOCHSECONDS + 600))
      echo "writer.sh: injected fault: feed-gap (fx lane, 10 minutes)" >&2
    fi
  fi
  tick_sql "$fault" | run_sql
  [[ $fault == normal ]] || echo "writer.sh: injected fault: $fault" >&2
  if [[ -n $artifact_dir ]]; then
    if ((faults && RANDOM % (4 * fault_every) == 0)); then
      report_outage_until=$((EPOCHSECONDS + 600))
      echo "writer.sh: injected fault: report-outage" >&2
    fi
    produce_signals
    produce_report
  fi
  ticks=$((ticks + 1))
  # Keep the demo tables small: drop history older than two days now and then.
  if ((ticks % 3600 == 0)); then
    run_sql <<'SQL'
DELETE FROM ops.dispatch_executions WHERE executed_at < now() - interval '2 days';
DELETE FROM ops.recommendations r WHERE created_at < now() - interval '2 days'
  AND NOT EXISTS (SELECT FROM ops.dispatch_executions e WHERE e.recommendation_id = r.id);
DELETE FROM ops.lane_telemetry WHERE ts < now() - interval '2 days';
DELETE FROM ops.features WHERE ts < now() - interval '2 days';
DELETE FROM ops.dispatcher_runs WHERE started_at < now() - interval '2 days';
SQL
  fi
  ((once)) && break
  # Sleep in the background so a signal interrupts the wait at once.
  sleep "$interval" &
  sleep_pid=$!
  wait "$sleep_pid" || true
  sleep_pid=""
done
exit 0
