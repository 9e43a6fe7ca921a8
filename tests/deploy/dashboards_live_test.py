#!/usr/bin/env python3
"""Every dashboard query returns data from a real Prometheus scraping the real exporter.

usage: dashboards_live_test.py EXPORTER_BINARY

Starts, on loopback and in a temporary directory: PostgreSQL 15 (scripts/lib/postgres.sh) with
examples/demo/schema.sql, the demo writer (examples/demo/writer.sh, with its duplicated
execution, hung run and late signals file, writing its artifacts into the directory), the
exporter with examples/demo/freshness.yml (its query checks map the trading gauges), and
Prometheus scraping it as job freshness_exporter every second and evaluating the rule bundle
(the rule files in rules/, not the examples: the recording rules and alerts the panels read).
Then every panel query and every variable query of every dashboards/*.json, with the variables
substituted as Grafana does for "All", must return data (instant and range queries, as the
panel asks): the demo's own checks feed every panel, the artifact, observe-mode and business ones
included, and the alert history shows the demo's faults firing. Two more demo checks get an
`slo:` in the copy of the config (see the SLO overlay) so the "Freshness SLOs" dashboard shows a
known state; one of them is kept bad by the demo's duplicated execution, so its budget burns and
its alert fires.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_lib as lib  # noqa: E402

EXPORTER = None  # set from argv
DEMO_CONFIG = os.path.join(lib.ROOT, "examples", "demo", "freshness.yml")
POSTGRES_LIB = os.path.join(lib.ROOT, "scripts", "lib", "postgres.sh")
# Grafana's substitutions for the "All" option (allValue .*) and a 1 s scrape interval.
LIVE_VALUES = {"instance": ".*", "check": ".*", "account": ".*", "__rate_interval": "15s",
               "__interval": "2s", "__range": "5m", "__range_s": "300"}
DEADLINE_SECONDS = 150


# --- SLO overlay -------------------------------------------------------------------------------
# The "Freshness SLOs" dashboard reads the SLO rules' series, written for checks with `slo:`.
# examples/demo declares objectives on telemetry (NYSE hours only) and signals (its state depends
# on the day), so the copy of its config also gets objectives on two always-active checks whose
# state is known: executions (the duplicated execution keeps it over its tier: bad, its budget
# burns and FreshnessSloBudgetBurn fires) and features (always fresh).
SLO_OVERLAY = {"executions": {"objective": "99.5%", "window": "28d"},
               "features": {"objective": "99%", "window": "7d"}}


def slo_overlay(config):
    """Adds SLO_OVERLAY's objectives to those checks of config."""
    names = []
    for check in config["checks"]:
        if check["name"] in SLO_OVERLAY:
            check["slo"] = SLO_OVERLAY[check["name"]]
            names.append(check["name"])
    if sorted(names) != sorted(SLO_OVERLAY):
        raise AssertionError(f"the demo config lacks the SLO overlay's checks: {sorted(SLO_OVERLAY)}")
# --- end of the SLO overlay --------------------------------------------------------------------


def shell(script, **kwargs):
    """Runs bash with scripts/lib/postgres.sh sourced; returns stdout."""
    result = subprocess.run(["bash", "-c", f'source "{POSTGRES_LIB}"\n{script}'],
                            capture_output=True, text=True, **kwargs)
    if result.returncode:
        raise AssertionError(f"{script}\nfailed: {result.stderr}")
    return result.stdout.strip()


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode()


class Stack:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dashboards-live-")
        os.chmod(self.dir, 0o755)
        self.processes = []
        self.pgdata = os.path.join(self.dir, "pgdata")
        self.pg_started = False

    def start(self, name, argv, env=None):
        log = open(os.path.join(self.dir, name + ".log"), "w", encoding="utf-8")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                   env=dict(os.environ, **(env or {})), cwd=lib.ROOT,
                                   start_new_session=True)
        self.processes.append((name, process, log))
        return process

    def start_prometheus(self, exporter_port, rule_files, alertmanager=None):
        """Prometheus on a free loopback port scraping the exporter as job freshness_exporter
        and evaluating rule_files, both every second, alerting to alertmanager (a URL) when
        given; waits until it is ready and returns its URL."""
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": rule_files,
            "scrape_configs": [{"job_name": "freshness_exporter", "static_configs": [
                {"targets": [f"127.0.0.1:{exporter_port}"]}]}],
        }
        if alertmanager:
            config["alerting"] = {"alertmanagers": [{"static_configs": [
                {"targets": [alertmanager.removeprefix("http://")]}]}]}
        path = os.path.join(self.dir, "prometheus.yml")
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(config, f)
        port = shell("free_port")
        self.start("prometheus", ["prometheus", f"--config.file={path}",
                                  f"--storage.tsdb.path={self.dir}/prometheus",
                                  f"--web.listen-address=127.0.0.1:{port}"])
        url = f"http://127.0.0.1:{port}"
        self.wait_http("prometheus", url + "/-/ready")
        return url

    def log(self, name):
        with open(os.path.join(self.dir, name + ".log"), encoding="utf-8") as f:
            return f.read()[-3000:]

    def wait_http(self, name, url, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if http_get(url)[0] == 200:
                    return
            except OSError:
                pass
            for n, process, _ in self.processes:
                if n == name and process.poll() is not None:
                    raise AssertionError(f"{name} exited:\n{self.log(name)}")
            time.sleep(0.5)
        raise AssertionError(f"{name} not ready at {url}:\n{self.log(name)}")

    def stop(self):
        for _, process, log in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            log.close()
        if self.pg_started:
            shell(f'pg_stop "{self.pgdata}"')
        if os.environ.get("DEPLOY_KEEP"):
            print(f"kept {self.dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


class DashboardsLiveTest(unittest.TestCase):
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
        admin = shell(f"pg_dsn {pg_port}")
        subprocess.run(["psql", admin, "--no-psqlrc", "-q", "-c", "CREATE DATABASE pipeline"],
                       check=True, capture_output=True)
        writer_dsn = shell(f"pg_dsn {pg_port} pipeline")
        subprocess.run(["psql", writer_dsn, "--no-psqlrc", "-q", "-v", "ON_ERROR_STOP=1", "-f",
                        os.path.join(lib.ROOT, "examples", "demo", "schema.sql")],
                       check=True, capture_output=True)
        writer = os.path.join(lib.ROOT, "examples", "demo", "writer.sh")
        # As scripts/demo.sh: history, a duplicated execution now, a hung run on the first tick,
        # the artifacts beside a link to the shipped config (its relative sources point there),
        # the newest signals file late.
        subprocess.run([writer, f"--dsn={writer_dsn}", "--backfill=900", "--once", "--no-faults",
                        "--fault=duplicate"], check=True, capture_output=True)
        artifacts = os.path.join(s.dir, "artifacts")
        os.mkdir(artifacts)
        config = os.path.join(s.dir, "freshness.yml")
        # A copy of the demo config beside the artifacts (its relative sources point there), with
        # the SLO overlay's objectives added.
        with open(DEMO_CONFIG, encoding="utf-8") as f:
            demo = yaml.safe_load(f)
        slo_overlay(demo)
        cls.slo_checks = {c["name"] for c in demo["checks"] if "slo" in c}
        with open(config, "w", encoding="utf-8") as f:
            yaml.safe_dump(demo, f, sort_keys=False)
        s.start("writer", [writer, f"--dsn={writer_dsn}", "--fault=hung-run",
                           f"--artifact-dir={artifacts}", "--fault=late-signals"])

        exporter_port = shell("free_port")
        s.start("exporter", [EXPORTER, f"--config.file={config}",
                             f"--web.listen-address=127.0.0.1:{exporter_port}"],
                env={"DEMO_DSN": f"host=127.0.0.1 port={pg_port} user=freshness_reader "
                                 "dbname=pipeline"})
        s.wait_http("exporter", f"http://127.0.0.1:{exporter_port}/-/ready")

        rule_files = [p for p in lib.rule_files() if os.path.dirname(p) == lib.RULES_DIR]
        cls.prometheus = s.start_prometheus(exporter_port, rule_files)

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def query(self, expr, instant):
        now = time.time()
        if instant:
            params = {"query": expr, "time": f"{now:.3f}"}
            url = f"{self.prometheus}/api/v1/query?" + urllib.parse.urlencode(params)
        else:
            params = {"query": expr, "start": f"{now - 120:.3f}", "end": f"{now:.3f}",
                      "step": "2"}
            url = f"{self.prometheus}/api/v1/query_range?" + urllib.parse.urlencode(params)
        try:
            _, body = http_get(url, timeout=10)
        except urllib.error.HTTPError as error:
            return None, error.read().decode()
        data = json.loads(body)
        return data["data"]["result"], None

    def collect_queries(self):
        queries = []
        for name, dashboard in lib.load_dashboards().items():
            for panel in lib.panels(dashboard):
                for t in panel["targets"]:
                    queries.append((f'{name}: #{panel["id"]} "{panel["title"]}" {t["refId"]}',
                                    lib.substitute(t["expr"], LIVE_VALUES),
                                    bool(t.get("instant")) and not t.get("range")))
            for var in dashboard["templating"]["list"]:
                if var["type"] == "query":
                    expr = lib.variable_query_expr(var["query"])
                    queries.append((f'{name}: variable {var["name"]}',
                                    lib.substitute(expr, LIVE_VALUES), True))
        return queries

    def test_every_query_returns_data(self):
        queries = self.collect_queries()
        pending = {where: (expr, instant) for where, expr, instant in queries}
        self.assertEqual(len(pending), len(queries))
        self.assertEqual({where.split(":")[0] for where in pending},
                         {os.path.basename(p) for p in lib.dashboard_files()})
        self.assertGreater(len(pending), 100)
        errors = {}
        deadline = time.time() + DEADLINE_SECONDS
        while pending and time.time() < deadline:
            for where, (expr, instant) in list(pending.items()):
                result, error = self.query(expr, instant)
                if error:
                    errors[where] = f"{expr}\n  -> {error}"
                    del pending[where]
                elif result:
                    del pending[where]
            if pending:
                time.sleep(3)
        self.assertFalse(errors, "queries Prometheus rejects:\n" + "\n".join(
            f"{k}: {v}" for k, v in errors.items()))
        self.assertFalse(pending, f"no data after {DEADLINE_SECONDS}s:\n" + "\n".join(
            f"{k}: {v[0]}" for k, v in pending.items()) + "\nexporter log:\n"
            + self.stack.log("exporter"))

    def test_slo_dashboard_shows_the_slo_checks(self):
        """The SLO table's budget column lists the checks with an objective; the bad one burns."""
        dashboard = lib.load_dashboards()["freshness-slo.json"]
        (table,) = [p for p in lib.panels(dashboard) if p["title"] == "SLO checks"]
        renamed = {v: k for k, v in table["transformations"][-1]["options"]["renameByName"].items()}
        ref = renamed["Budget left"].split("#")[1].strip()
        (target,) = [t for t in table["targets"] if t["refId"] == ref]
        expr = lib.substitute(target["expr"], LIVE_VALUES)
        deadline = time.time() + 90
        while True:
            result, error = self.query(expr, True)
            self.assertIsNone(error)
            budget = {r["metric"]["check"]: float(r["value"][1]) for r in result or []}
            done = set(SLO_OVERLAY) <= set(budget) and budget["executions"] < 1
            if done or time.time() > deadline:
                break
            time.sleep(2)
        # Only checks with an objective, the overlay's at least (the demo's own count only
        # inside their active windows).
        self.assertLessEqual(set(budget), self.slo_checks)
        self.assertLessEqual(set(SLO_OVERLAY), set(budget))
        self.assertLess(budget["executions"], 1, "the duplicated execution burns budget")
        self.assertEqual(budget["features"], 1)

    def test_variables_list_the_demo(self):
        with open(DEMO_CONFIG, encoding="utf-8") as f:
            demo_checks = {c["name"] for c in yaml.safe_load(f)["checks"]}
        deadline = time.time() + 60
        while True:
            result, _ = self.query('freshness_check_info{job=~"freshness_exporter"}', True)
            checks = {r["metric"]["check"] for r in result or []}
            if demo_checks <= checks or time.time() > deadline:
                break
            time.sleep(1)
        self.assertLessEqual(demo_checks, checks)
        result, _ = self.query("freshness_exporter_build_info", True)
        self.assertEqual({r["metric"]["job"] for r in result}, {"freshness_exporter"})


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    EXPORTER = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
