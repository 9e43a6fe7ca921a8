#!/usr/bin/env python3
"""Rule health: real Prometheus evaluates the shipped rules against the real exporter running
every check kind, group labels included, and every rule evaluates without error.

usage: rule_health_test.py EXPORTER_BINARY

Starts on loopback, in a temporary directory: PostgreSQL 15 with examples/demo/schema.sql and
some history (examples/demo/writer.sh --once), then stops writing so the lag checks go late; an
unfinished run and a duplicated execution; two artifact files (one stale, one missing); the
exporter with a config holding every kind (lag with and without group_by, lag from custom SQL,
runs, runs with failed_when over a ledger whose last three runs failed after a success three
days ago, duplicates, query with labels and thresholds, artifact by schedule and by max_age,
volume expecting far more rows than arrive, a maintenance window); Prometheus scraping it every second with rules/*.rules.yml. Asserts:
  - every rule group and rule reports health "ok" and no lastError after several evaluations
    (a many-to-many join, a bad label or a typo fails here, not on the first page);
  - every metric the rules read (expressions and annotation queries) exists in Prometheus: the
    exporter writes what the rules expect, by name;
  - the data alerts the setup provokes fire, one per series, with the check's group labels.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "deploy"))
import deploy_lib as lib  # noqa: E402
from dashboards_live_test import Stack, http_get, shell  # noqa: E402

EXPORTER = None
# Series the rules read that the exporter cannot be expected to write here: overrides users
# write, what Prometheus writes itself, and series of kinds this config does not provoke.
OPTIONAL = {
    "freshness_config_last_reload_successful",  # present, but checked below by value
}


def optional(name):
    """Rule-side overrides are what users write; nothing writes them here."""
    return name in OPTIONAL or name.endswith(("_override"))


def config_text(artifacts, now):
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 3600))
    end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600))
    return f"""
global: {{interval: 1s, timeout: 2s, labels: {{env: health}}}}
targets:
  pipeline: {{dsn_env: HEALTH_DSN, max_connections: 4}}
calendars:
  xnys: {{timezone: America/New_York, holidays_file: {os.path.join(lib.ROOT, "calendars", "xnys.yml")}}}
checks:
  - {{name: telemetry, kind: lag, target: pipeline, table: ops.lane_telemetry, column: ts,
     warn_after: 2s, error_after: 1h, slo: {{objective: 99.5%, window: 28d}}}}
  - {{name: telemetry_by_lane, kind: lag, target: pipeline, table: ops.lane_telemetry, column: ts,
     group_by: [lane], warn_after: 2s}}
  - name: lanes_sql
    kind: lag
    target: pipeline
    group_by: [lane]
    warn_after: 2s
    maintenance: [{{start: "{start}", end: "{end}"}}]
    sql: SELECT l.lane, (SELECT max(t.ts) FROM ops.lane_telemetry t WHERE t.lane = l.lane) FROM ops.lanes l
  - {{name: dispatcher, kind: runs, target: pipeline, table: ops.dispatcher_runs,
     started_column: started_at, finished_column: finished_at, window: 1h, max_duration: 2s}}
  - {{name: nightly, kind: runs, target: pipeline, table: ops.nightly_runs,
     started_column: started_at, finished_column: finished_at, max_duration: off,
     failed_when: "status = 'failed'", max_success_age: 1h}}
  - {{name: telemetry_volume, kind: volume, target: pipeline, table: ops.lane_telemetry,
     time_column: ts, period: 1h, expect: {{rows: 1000000000}}, error_below: 0.5}}
  - {{name: executions, kind: duplicates, target: pipeline, table: ops.dispatch_executions,
     key: [recommendation_id], time_column: executed_at, window: 24h}}
  - name: daily_pnl
    kind: query
    target: pipeline
    sql: SELECT account, pnl FROM ops.pnl_today
    metrics:
      - {{name: trading_daily_pnl, value: pnl, labels: [account], error_below: 1000000000}}
  - {{name: report, kind: artifact, source: {artifacts}/report.csv, expect: {{max_age: 1s}}}}
  - {{name: signals, kind: artifact, source: "{artifacts}/signals/{{as_of:%Y-%m-%d}}.csv",
     expect: {{schedule: "* * * * *"}}, grace: 1s, calendar: xnys, error_on: [missing]}}
"""


class RuleHealthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("prometheus", "psql", "bash"):
            lib.require_tool(tool)
        if not EXPORTER or not os.access(EXPORTER, os.X_OK):
            raise AssertionError(f"no exporter binary at {EXPORTER}")
        cls.stack = Stack()
        try:
            cls._start()
        except BaseException:
            cls.stack.stop()
            raise

    @classmethod
    def _start(cls):
        s = cls.stack
        pg_port = shell("free_port")
        shell(f'pg_start "{s.pgdata}" {pg_port}')
        s.pg_started = True
        subprocess.run(["psql", shell(f"pg_dsn {pg_port}"), "--no-psqlrc", "-q", "-c",
                        "CREATE DATABASE pipeline"], check=True, capture_output=True)
        dsn = shell(f"pg_dsn {pg_port} pipeline")
        subprocess.run(["psql", dsn, "--no-psqlrc", "-q", "-v", "ON_ERROR_STOP=1", "-f",
                        os.path.join(lib.ROOT, "examples", "demo", "schema.sql")],
                       check=True, capture_output=True)
        subprocess.run([os.path.join(lib.ROOT, "examples", "demo", "writer.sh"), f"--dsn={dsn}",
                        "--backfill=120", "--once", "--no-faults"], check=True, capture_output=True)
        subprocess.run(["psql", dsn, "--no-psqlrc", "-q", "-v", "ON_ERROR_STOP=1", "-c", """
            INSERT INTO ops.dispatcher_runs (started_at) VALUES (now() - interval '5 minutes');
            INSERT INTO ops.dispatch_executions (recommendation_id, account, executed_at, quantity, price)
              SELECT recommendation_id, account, now(), quantity, price
              FROM ops.dispatch_executions ORDER BY id DESC LIMIT 1;
            CREATE TABLE ops.nightly_runs (started_at timestamptz NOT NULL,
                                           finished_at timestamptz, status text NOT NULL);
            CREATE INDEX ON ops.nightly_runs (started_at);
            INSERT INTO ops.nightly_runs
              SELECT now() - interval '1 day' * g, now() - interval '1 day' * g + interval '10 minutes',
                     CASE WHEN g = 3 THEN 'ok' ELSE 'failed' END
              FROM generate_series(0, 3) g;"""],
                       check=True, capture_output=True)
        artifacts = os.path.join(s.dir, "artifacts")
        os.makedirs(os.path.join(artifacts, "signals"))
        with open(os.path.join(artifacts, "report.csv"), "w", encoding="utf-8") as f:
            f.write("account,quantity\nmain,1\n")
        os.utime(os.path.join(artifacts, "report.csv"), (time.time() - 600, time.time() - 600))
        config = os.path.join(s.dir, "freshness.yml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(config_text(artifacts, time.time()))
        check = subprocess.run([EXPORTER, f"--config.file={config}", "--config.check"],
                               capture_output=True, text=True)
        if check.returncode:
            raise AssertionError(f"the test config is invalid: {check.stderr}")

        exporter_port = shell("free_port")
        s.start("exporter", [EXPORTER, f"--config.file={config}",
                             f"--web.listen-address=127.0.0.1:{exporter_port}"],
                env={"HEALTH_DSN": f"host=127.0.0.1 port={pg_port} user=freshness_reader "
                                   "dbname=pipeline"})
        s.wait_http("exporter", f"http://127.0.0.1:{exporter_port}/-/ready")

        rule_files = sorted(os.path.join(lib.RULES_DIR, name) for name in os.listdir(lib.RULES_DIR)
                            if name.endswith(".rules.yml"))
        cls.prometheus = s.start_prometheus(exporter_port, rule_files)
        cls.rule_files = rule_files

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def api(self, path, **params):
        url = f"{self.prometheus}/api/v1/{path}" + (
            "?" + urllib.parse.urlencode(params) if params else "")
        return json.loads(http_get(url, timeout=10)[1])["data"]

    def firing(self):
        return self.api("query", query='ALERTS{alertstate="firing", alertname!="Watchdog"}')["result"]

    def wait_for(self, what, predicate, seconds=90):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(1)
        self.fail(f"{what} within {seconds}s\nexporter log:\n{self.stack.log('exporter')}")

    def test_1_provoked_alerts_fire_one_per_series(self):
        expected = {
            ("FreshnessLagHigh", "telemetry", "warning"),
            ("FreshnessRunTooLong", "dispatcher", "critical"),
            ("FreshnessRunsFailing", "nightly", "critical"),
            ("FreshnessNoSuccessfulRun", "nightly", "warning"),
            ("FreshnessVolumeLow", "telemetry_volume", "critical"),
            ("FreshnessDuplicateExecution", "executions", "critical"),
            ("FreshnessQueryThreshold", "daily_pnl", "critical"),
            ("FreshnessArtifactOverdue", "report", "warning"),
            ("FreshnessArtifactOverdue", "signals", "critical"),
        }

        def seen():
            got = {(a["metric"]["alertname"], a["metric"].get("check"), a["metric"]["severity"])
                   for a in self.firing()}
            return got if expected <= got else None

        got = self.wait_for("the provoked alerts", seen)
        alerts = self.firing()
        by_lane = [a["metric"] for a in alerts if a["metric"].get("check") == "telemetry_by_lane"]
        self.assertTrue(by_lane, "no alert for the grouped lag check")
        lanes = [a.get("lane") for a in by_lane]
        self.assertTrue(all(lanes) and len(set(lanes)) == len(lanes), f"lanes: {lanes}")
        for alert in alerts:
            labels = alert["metric"]
            self.assertNotIn("instance", labels, f"an alert carries the replica label: {labels}")
            self.assertEqual(labels.get("env"), "health", labels)
        # The check in maintenance is late too, but nothing fires for it.
        self.assertNotIn("lanes_sql", {a["metric"].get("check") for a in alerts})
        self.assertTrue(got)

    def test_2_every_rule_evaluates_without_error(self):
        def evaluated_twice():
            groups = self.api("rules")["groups"]
            rules = [r for g in groups for r in g["rules"]]
            return groups if rules and all(r.get("lastEvaluation", "").startswith("2") for r in rules) else None

        self.wait_for("every rule evaluated", evaluated_twice, seconds=60)
        time.sleep(3)
        groups = self.api("rules")["groups"]
        bad = [f'{g["name"]}/{r.get("name")}: {r.get("health")} {r.get("lastError", "")}'
               for g in groups for r in g["rules"]
               if r.get("health") != "ok" or r.get("lastError")]
        self.assertFalse(bad, "rules with errors:\n" + "\n".join(bad))
        names = {g["name"] for g in groups}
        self.assertEqual(names, {"freshness-records", "freshness-exporter", "freshness-data",
                                 "freshness-slo", "freshness-slo-alerts"})

    def test_3_every_metric_the_rules_read_exists(self):
        used, recorded = set(), set()
        for path in self.rule_files:
            with open(path, encoding="utf-8") as f:
                document = yaml.safe_load(f)
            for group in document["groups"]:
                for rule in group["rules"]:
                    recorded.add(rule.get("record"))
                    used |= lib.metric_names(rule["expr"])
                    for text in (rule.get("annotations") or {}).values():
                        for query in re.findall(r'printf "((?:\\.|[^"\\])*)"', text):
                            used |= lib.metric_names(query.replace('\\"', '"').replace("%q", '""'))
        wanted = sorted(n for n in used - recorded - {"ALERTS", "time"} if not optional(n))
        self.assertGreater(len(wanted), 15)

        def missing():
            absent = [n for n in wanted
                      if not self.api("query", query=f'count({{__name__="{n}"}})')["result"]]
            return absent

        deadline = time.time() + 60
        absent = missing()
        while absent and time.time() < deadline:
            time.sleep(2)
            absent = missing()
        self.assertFalse(absent, f"series the rules read but nobody writes: {absent}")
        reload_ok = self.api("query", query="freshness_config_last_reload_successful")["result"]
        self.assertEqual([r["value"][1] for r in reload_ok], ["1"])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    EXPORTER = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
