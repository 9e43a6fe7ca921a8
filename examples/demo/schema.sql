-- A simulated trading pipeline for the freshness_exporter demo.
--
--   lane_telemetry ──> features ──> recommendations ──> dispatch_executions ──> pnl_daily
--                                          ▲                    ▲
--                                          └── dispatcher_runs ─┘ (one ledger row per run)
--
-- Load it into an empty database as a superuser:  psql -v ON_ERROR_STOP=1 -f schema.sql
-- It is safe to load twice. examples/demo/writer.sh fills the tables; freshness.yml watches them.
-- Every index below exists to keep one of the exporter's predicates cheap; the comment on each
-- names the check it serves.

CREATE SCHEMA IF NOT EXISTS ops;

-- The market-data feed lanes the pipeline expects to hear from.
CREATE TABLE IF NOT EXISTS ops.lanes (
  lane         text PRIMARY KEY,
  description  text NOT NULL
);
INSERT INTO ops.lanes (lane, description) VALUES
  ('equities', 'US cash equities, consolidated tape'),
  ('futures', 'CME equity index futures'),
  ('fx', 'Spot FX, top of book')
ON CONFLICT (lane) DO NOTHING;

-- Market data bars, one per ticker per second, from several feed lanes.
CREATE TABLE IF NOT EXISTS ops.lane_telemetry (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  lane    text           NOT NULL,
  ticker  text           NOT NULL,
  ts      timestamptz    NOT NULL,
  open    numeric(12, 4) NOT NULL,
  high    numeric(12, 4) NOT NULL,
  low     numeric(12, 4) NOT NULL,
  close   numeric(12, 4) NOT NULL,
  volume  bigint         NOT NULL
);
-- telemetry (kind lag): max(ts) is one backward index step.
CREATE INDEX IF NOT EXISTS lane_telemetry_ts_idx ON ops.lane_telemetry (ts);
-- telemetry_by_lane (kind lag, group_by lane): one backward index step per lane in ops.lanes.
CREATE INDEX IF NOT EXISTS lane_telemetry_lane_ts_idx ON ops.lane_telemetry (lane, ts);

-- Model features computed from the bars.
CREATE TABLE IF NOT EXISTS ops.features (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ticker  text             NOT NULL,
  ts      timestamptz      NOT NULL,
  name    text             NOT NULL,
  value   double precision NOT NULL
);
-- features (kind lag).
CREATE INDEX IF NOT EXISTS features_ts_idx ON ops.features (ts);

-- Orders the model recommends; the dispatcher turns each into (exactly one) execution.
CREATE TABLE IF NOT EXISTS ops.recommendations (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ticker      text        NOT NULL,
  side        text        NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity    integer     NOT NULL CHECK (quantity > 0),
  account     text        NOT NULL,
  created_at  timestamptz NOT NULL
);
-- recommendations (kind lag).
CREATE INDEX IF NOT EXISTS recommendations_created_at_idx ON ops.recommendations (created_at);

-- What the dispatcher actually sent. A second row for one recommendation_id is a duplicate.
CREATE TABLE IF NOT EXISTS ops.dispatch_executions (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recommendation_id  bigint         NOT NULL REFERENCES ops.recommendations (id),
  account            text           NOT NULL,
  executed_at        timestamptz    NOT NULL,
  quantity           integer        NOT NULL,
  price              numeric(12, 4) NOT NULL
);
-- executions (kind duplicates): an index-only scan of the window, grouped by key.
CREATE INDEX IF NOT EXISTS dispatch_executions_window_idx
  ON ops.dispatch_executions (executed_at, recommendation_id);

-- The dispatcher's run ledger: a row at start, finished_at set at the end. NULL = still running
-- (or hung).
CREATE TABLE IF NOT EXISTS ops.dispatcher_runs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  status       text        NOT NULL DEFAULT 'running',
  dispatched   integer     NOT NULL DEFAULT 0
);
-- dispatcher (kind runs): only unfinished rows are indexed, so the unfinished-run query reads a
-- handful of rows however long the ledger grows. status is 'running', 'ok' or 'failed': the
-- check's failed_when reads it on the newest finished runs, walking dispatcher_runs_started_at_idx
-- backwards.
CREATE INDEX IF NOT EXISTS dispatcher_runs_unfinished_idx
  ON ops.dispatcher_runs (started_at) WHERE finished_at IS NULL;
CREATE INDEX IF NOT EXISTS dispatcher_runs_started_at_idx ON ops.dispatcher_runs (started_at);

-- The watchlist job re-ranks the tickers the model trades every 30 s.
CREATE TABLE IF NOT EXISTS ops.watchlist (
  ticker        text        PRIMARY KEY,
  rank          integer     NOT NULL,
  refreshed_at  timestamptz NOT NULL
);
-- watchlist (kind lag).
CREATE INDEX IF NOT EXISTS watchlist_refreshed_at_idx ON ops.watchlist (refreshed_at);

-- Risk limits and positions, maintained by the risk service; the query checks turn them into
-- the gauges of the trading dashboard.
CREATE TABLE IF NOT EXISTS ops.loss_limits (
  account     text           PRIMARY KEY,
  loss_limit  numeric(14, 2) NOT NULL CHECK (loss_limit > 0)
);
INSERT INTO ops.loss_limits (account, loss_limit) VALUES
  ('alpha', 5000), ('beta', 2000), ('gamma', 3000)
ON CONFLICT (account) DO NOTHING;

CREATE TABLE IF NOT EXISTS ops.positions (
  account         text    NOT NULL,
  symbol          text    NOT NULL,
  quantity        integer NOT NULL,
  position_limit  integer NOT NULL CHECK (position_limit > 0),
  PRIMARY KEY (account, symbol)
);
INSERT INTO ops.positions (account, symbol, quantity, position_limit) VALUES
  ('alpha', 'AAPL', 1200, 2000), ('alpha', 'MSFT', -800, 1000), ('beta', 'ES', 6, 10),
  ('gamma', 'EURUSD', 250000, 500000)
ON CONFLICT (account, symbol) DO NOTHING;

-- A breaker halts trading on a lane; the writer trips `fx` while that lane's feed is down.
CREATE TABLE IF NOT EXISTS ops.circuit_breakers (
  breaker     text        PRIMARY KEY,
  active      boolean     NOT NULL,
  changed_at  timestamptz NOT NULL
);
INSERT INTO ops.circuit_breakers (breaker, active, changed_at) VALUES
  ('equities', false, now()), ('futures', false, now()), ('fx', false, now())
ON CONFLICT (breaker) DO NOTHING;

-- Profit and loss per account and trading day, maintained by the dispatcher.
CREATE TABLE IF NOT EXISTS ops.pnl_daily (
  trade_date  date           NOT NULL,
  account     text           NOT NULL,
  pnl         numeric(14, 2) NOT NULL,
  updated_at  timestamptz    NOT NULL,
  PRIMARY KEY (trade_date, account)
);

-- daily_pnl (kind query) reads this view: one row per account for today.
CREATE OR REPLACE VIEW ops.pnl_today AS
  SELECT account, pnl, updated_at
  FROM ops.pnl_daily
  WHERE trade_date = current_date;

-- The exporter's role: it may log in, read the ops schema and nothing else. Read-only by
-- default at the role level, on top of the exporter's own read-only transactions. The demo
-- server trusts loopback connections; in production give the role a password (or a client
-- certificate) and keep the DSN in an environment variable or a file, never in freshness.yml.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'freshness_reader') THEN
    CREATE ROLE freshness_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT
      CONNECTION LIMIT 10;
  END IF;
END
$$;
ALTER ROLE freshness_reader SET default_transaction_read_only = on;
ALTER ROLE freshness_reader SET statement_timeout = '10s';
ALTER ROLE freshness_reader SET idle_in_transaction_session_timeout = '30s';

DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO freshness_reader', current_database());
END
$$;
GRANT USAGE ON SCHEMA ops TO freshness_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA ops TO freshness_reader;
-- Tables the pipeline adds later are readable too.
ALTER DEFAULT PRIVILEGES IN SCHEMA ops GRANT SELECT ON TABLES TO freshness_reader;
