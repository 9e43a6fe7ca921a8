#!/usr/bin/env bash
# The demo pipeline: every tick, one transaction writes market-data bars, features, a
# recommendation, its execution, a dispatcher run ledger row and the day's PnL into the schema of
# examples/demo/schema.sql. Now and then it injects a fault the exporter should catch: a hung
# dispatcher run (started, never finished) or a duplicated execution.
#
# usage: writer.sh [--dsn=DSN] [--interval=SECONDS] [--once] [--no-faults] [--fault-every=N]
#                  [--fault=hung-run|duplicate] [--backfill=SECONDS]
#   --dsn          libpq connection string of a role that may write (default: $DEMO_WRITER_DSN)
#   --interval     seconds between ticks (default 1)
#   --once         write one tick and exit
#   --no-faults    never inject faults (same as DEMO_FAULTS=0)
#   --fault-every  on average one fault per N ticks, each kind (default $DEMO_FAULT_EVERY or 300)
#   --fault        inject this fault on the first tick (for tests), then behave as configured
#   --backfill     first write SECONDS of fault-free history ending now, then tick
# Stops cleanly (after the current tick) on SIGTERM or SIGINT.
set -euo pipefail

dsn=${DEMO_WRITER_DSN:-}
interval=1
once=0
faults=${DEMO_FAULTS:-1}
fault_every=${DEMO_FAULT_EVERY:-300}
forced_fault=""
backfill=0

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
    --backfill=*) backfill=${argument#*=} ;;
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

# SQL of one tick. $1: normal | hung-run | duplicate.
tick_sql() {
  local fault=$1 copies=1 finished="clock_timestamp()" status="'ok'" dispatched=1
  [[ $fault == duplicate ]] && copies=2
  if [[ $fault == hung-run ]]; then
    finished=NULL status="'running'" dispatched=0
  fi
  cat <<SQL
BEGIN;
INSERT INTO ops.lane_telemetry (lane, ticker, ts, open, high, low, close, volume)
  SELECT lane, ticker, now(), price, price * 1.001, price * 0.999, price * (1 + (random() - 0.5) / 500),
         (random() * 10000)::bigint
  FROM (SELECT lane, ticker, base * (1 + (random() - 0.5) / 100) AS price FROM $instruments) AS bar;
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
COMMIT;
ANALYZE ops.lane_telemetry, ops.features, ops.recommendations, ops.dispatch_executions,
        ops.dispatcher_runs;
SQL
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
  fi
  tick_sql "$fault" | run_sql
  [[ $fault == normal ]] || echo "writer.sh: injected fault: $fault" >&2
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
