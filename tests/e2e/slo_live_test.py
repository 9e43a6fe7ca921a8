#!/usr/bin/env python3
"""Freshness SLOs, live: real Prometheus evaluates the shipped rules (rules/*.rules.yml, SLO rules
included) against the real exporter while a check with an `slo:` goes bad and recovers.

usage: slo_live_test.py EXPORTER_BINARY

No database: a real Alertmanager with the shipped routing, its receivers pointed at a local
capture server (tests/rules/alertmanager_harness.py); two artifact checks read files in a temporary directory, both with an objective.
`report` (max_age 3s, 99 % over 7d) is kept fresh by touching its file, then left alone (it goes
stale: a warning tier, so every counting instant is bad), then touched again. `steady` (max_age
1h, 99.5 % over 28d) stays fresh throughout: the control. Prometheus scrapes every second and
evaluates every second. The SLO rules' windows (5m ... 28d) fall back to the whole total while
no sample that old exists, so a one-minute run sees every window move. Asserts:
  - while good: counting time accumulates, no bad time, SLI 1, the whole budget left;
  - while bad: bad time grows, the SLI drops below 1, budget is consumed (ratio below 1, bad time
    left below (1 - objective) x counting time), every burn rate is above 0, and
    FreshnessSloBudgetBurn fires (critical: 14.4x over 1h and 5m) and its page reaches the
    PagerDuty receiver of the shipped Alertmanager routing (a capture server);
  - after recovery: no more bad time, the 5m burn rate falls;
  - the control check has no bad time and an SLI of 1 all along;
  - the recorded series are consistent (SLI = 1 - bad/counting, bad time left = (1 - objective)
    x counting - bad, at the same instant);
  - no rule evaluation failed at any time (prometheus_rule_evaluation_failures_total is 0 for
    every rule group) and every rule reports health ok.
About 70 seconds.
"""
import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse


HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "deploy"))
import deploy_lib as lib  # noqa: E402
from dashboards_live_test import Stack, http_get, shell  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "rules"))
import alertmanager_harness as harness  # noqa: E402

EXPORTER = None
GOOD_SECONDS = 12   # counting and good before the outage
BAD_SECONDS = 20    # counting and bad
OBJECTIVE = 0.99


def config_text(artifacts):
    return f"""
global: {{interval: 1s, timeout: 1s, labels: {{env: slo}}}}
checks:
  - {{name: report, kind: artifact, source: {artifacts}/report.csv, expect: {{max_age: 3s}},
     slo: {{objective: 99%, window: 7d}}}}
  - {{name: steady, kind: artifact, source: {artifacts}/steady.csv, expect: {{max_age: 1h}},
     slo: {{objective: 99.5%, window: 28d}}}}
"""


class Toucher(threading.Thread):
    """Keeps a file fresh (mtime now, every 0.5 s) while `fresh` is set."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.fresh = threading.Event()
        self.fresh.set()
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            if self.fresh.is_set():
                os.utime(self.path, None)
            time.sleep(0.5)


class SloLiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        lib.require_tool("prometheus")
        if not EXPORTER or not os.access(EXPORTER, os.X_OK):
            raise AssertionError(f"no exporter binary at {EXPORTER}")
        cls.stack = Stack()
        cls.toucher = None
        cls.contexts = contextlib.ExitStack()
        try:
            cls._start()
        except BaseException:
            cls._stop()
            raise

    @classmethod
    def _start(cls):
        s = cls.stack
        artifacts = os.path.join(s.dir, "artifacts")
        os.mkdir(artifacts)
        for name in ("report.csv", "steady.csv"):
            with open(os.path.join(artifacts, name), "w", encoding="utf-8") as f:
                f.write("account,quantity\nmain,1\n")
        cls.toucher = Toucher(os.path.join(artifacts, "report.csv"))
        cls.toucher.start()
        config = os.path.join(s.dir, "freshness.yml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(config_text(artifacts))
        check = subprocess.run([EXPORTER, f"--config.file={config}", "--config.check"],
                               capture_output=True, text=True)
        if check.returncode:
            raise AssertionError(f"the test config is invalid: {check.stderr}")

        exporter_port = shell("free_port")
        s.start("exporter", [EXPORTER, f"--config.file={config}",
                             f"--web.listen-address=127.0.0.1:{exporter_port}"])
        s.wait_http("exporter", f"http://127.0.0.1:{exporter_port}/-/ready")

        # The shipped Alertmanager routing, receivers pointed at the capture server.
        am_dir = os.path.join(s.dir, "alertmanager")
        os.mkdir(am_dir)
        capture_url, cls.records = cls.contexts.enter_context(harness.running_capture(am_dir))
        alertmanager = cls.contexts.enter_context(harness.running_alertmanager(
            os.path.join(lib.RULES_DIR, "alertmanager", "alertmanager.yml"), am_dir,
            capture_url=capture_url))

        rule_files = sorted(os.path.join(lib.RULES_DIR, name) for name in os.listdir(lib.RULES_DIR)
                            if name.endswith(".rules.yml"))
        cls.rule_files = rule_files
        cls.prometheus = s.start_prometheus(exporter_port, rule_files, alertmanager)

    @classmethod
    def _stop(cls):
        if cls.toucher:
            cls.toucher.stopped.set()
        cls.stack.stop()
        cls.contexts.close()

    @classmethod
    def tearDownClass(cls):
        cls._stop()

    # --- helpers --------------------------------------------------------------------------------

    def query(self, expr):
        url = f"{self.prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        return json.loads(http_get(url, timeout=10)[1])["data"]["result"]

    def value(self, metric, check="report"):
        """The value of a per-check series now, or None."""
        result = self.query(f'{metric}{{check="{check}"}}')
        if not result:
            return None
        self.assertEqual(len(result), 1, result)
        self.assertNotIn("instance", result[0]["metric"], "recorded with a replica label")
        return float(result[0]["value"][1])

    def wait_for(self, what, predicate, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.5)
        self.fail(f"{what} within {seconds}s\nexporter log:\n{self.stack.log('exporter')}"
                  f"\nprometheus log:\n{self.stack.log('prometheus')}")

    def series(self, check="report"):
        names = ["counting:seconds_total", "bad:seconds_total", "counting:value", "bad:value",
                 "sli:window", "budget_remaining:ratio", "budget_remaining:seconds",
                 "counting:seconds_window", "bad:seconds_window"] + [
                     f"burn_rate:{w}" for w in ("5m", "30m", "1h", "6h", "3d", "window")]
        return {n: self.value(f"check:freshness_slo_{n}", check) for n in names}

    def assert_consistent(self, check, objective):
        """SLI and budget from the window totals, at one instant (one query, one timestamp)."""
        sel = f'{{check="{check}"}}'
        expr = (f"abs(check:freshness_slo_sli:window{sel} - (1 - check:freshness_slo_bad:"
                f"seconds_window{sel} / check:freshness_slo_counting:seconds_window{sel}))"
                f" + abs(check:freshness_slo_budget_remaining:seconds{sel} - ({1 - objective!r}"
                f" * check:freshness_slo_counting:seconds_window{sel} - check:freshness_slo_bad:"
                f"seconds_window{sel}))")
        (result,) = self.query(expr)
        self.assertLess(float(result["value"][1]), 1e-6, expr)

    def slo_alerts(self):
        return {(a["metric"]["alertname"], a["metric"]["check"], a["metric"]["severity"])
                for a in self.query('ALERTS{alertstate="firing", alertname=~"FreshnessSlo.*"}')}

    # --- the timeline ---------------------------------------------------------------------------

    def test_slo_series_follow_an_outage(self):
        # 1. Good: counting time accumulates, nothing is bad.
        self.wait_for("counting time for report", lambda: (
            (self.value("check:freshness_slo_counting:seconds_total") or 0) >= GOOD_SECONDS))
        good = self.series()
        self.assertEqual(good["counting:value"], 1)
        self.assertEqual(good["bad:value"], 0)
        self.assertEqual(good["bad:seconds_total"], 0)
        self.assertEqual(good["sli:window"], 1)
        self.assertEqual(good["budget_remaining:ratio"], 1)
        self.assertAlmostEqual(good["budget_remaining:seconds"],
                               (1 - OBJECTIVE) * good["counting:seconds_window"], places=6)
        for w in ("5m", "1h", "3d", "window"):
            self.assertEqual(good[f"burn_rate:{w}"], 0, w)
        self.assertEqual(self.slo_alerts(), set())

        # 2. Bad: the file is no longer touched; stale after 3 s (a warning tier).
        self.toucher.fresh.clear()
        self.wait_for("report counted bad", lambda: self.value("check:freshness_slo_bad:value") == 1,
                      seconds=30)
        first_bad = self.series()
        time.sleep(BAD_SECONDS)
        bad = self.series()
        self.assertEqual(bad["counting:value"], 1)
        self.assertEqual(bad["bad:value"], 1)
        grown = bad["bad:seconds_total"] - first_bad["bad:seconds_total"]
        self.assertGreater(grown, BAD_SECONDS * 0.7, "bad time grows while the check is bad")
        self.assertLessEqual(grown, bad["counting:seconds_total"] - first_bad["counting:seconds_total"] + 1e-9)
        self.assertLess(bad["sli:window"], 1)
        self.assertGreater(bad["sli:window"], 0)
        self.assertLess(bad["budget_remaining:ratio"], 1, "budget consumed")
        self.assertLess(bad["budget_remaining:ratio"], good["budget_remaining:ratio"])
        self.assertLess(bad["budget_remaining:seconds"],
                        (1 - OBJECTIVE) * bad["counting:seconds_window"])
        for w in ("5m", "30m", "1h", "6h", "3d", "window"):
            self.assertGreater(bad[f"burn_rate:{w}"], 0, w)
        # More than a third of the counting time was bad: far above 14.4x a 1 % budget.
        self.assertGreater(bad["burn_rate:1h"], 14.4)
        self.assert_consistent("report", OBJECTIVE)
        self.wait_for("FreshnessSloBudgetBurn (critical) for report", lambda: (
            ("FreshnessSloBudgetBurn", "report", "critical") in self.slo_alerts()), seconds=20)
        # It pages: PagerDuty (the capture receiver) gets a trigger naming the alert and check.
        self.wait_for("the burn page at the PagerDuty receiver", lambda: [
            r for r in harness.captured(self.records)
            if r["path"] == "/pagerduty" and r["body"].get("event_action") == "trigger"
            and "FreshnessSloBudgetBurn" in json.dumps(r["body"])
            and r["body"].get("payload", {}).get("custom_details", {}).get("check", "")
            .startswith("report")], seconds=30)

        # 3. Recovered: touched again, fresh at once; no more bad time, the burn rate falls.
        self.toucher.fresh.set()
        self.wait_for("report counted good again",
                      lambda: self.value("check:freshness_slo_bad:value") == 0, seconds=20)
        recovered = self.series()
        time.sleep(6)
        later = self.series()
        self.assertEqual(later["bad:seconds_total"], recovered["bad:seconds_total"])
        self.assertGreater(later["counting:seconds_total"], recovered["counting:seconds_total"])
        self.assertLess(later["burn_rate:5m"], recovered["burn_rate:5m"])
        self.assertGreater(later["sli:window"], recovered["sli:window"])
        self.assert_consistent("report", OBJECTIVE)

        # The control check: counted all along, never bad.
        steady = self.series("steady")
        self.assertGreater(steady["counting:seconds_total"], GOOD_SECONDS + BAD_SECONDS)
        self.assertEqual(steady["bad:seconds_total"], 0)
        self.assertEqual(steady["sli:window"], 1)
        self.assertEqual(steady["budget_remaining:ratio"], 1)
        self.assertEqual(self.value("check:freshness_slo_objective:value", "steady"), 0.995)
        self.assertEqual(self.value("check:freshness_slo_window_seconds:value", "steady"),
                         28 * 86400)
        self.assert_consistent("steady", 0.995)
        self.assertNotIn("steady", {c for _, c, _ in self.slo_alerts()})

        # No rule evaluation failed, at any time, in any group: Prometheus's own counter, read
        # from its /metrics (it does not scrape itself here).
        failures = {}
        for line in http_get(self.prometheus + "/metrics", timeout=10)[1].splitlines():
            if line.startswith("prometheus_rule_evaluation_failures_total{"):
                labels, value = line.rsplit(" ", 1)
                group = re.search(r'rule_group="([^"]*)"', labels).group(1)
                failures[group.rsplit(";", 1)[-1]] = float(value)
        self.assertLessEqual({"freshness-slo", "freshness-slo-alerts"}, set(failures))
        self.assertEqual({g: n for g, n in failures.items() if n}, {})
        url = f"{self.prometheus}/api/v1/rules"
        rule_groups = json.loads(http_get(url, timeout=10)[1])["data"]["groups"]
        unhealthy = [f'{g["name"]}/{r.get("name")}: {r.get("health")} {r.get("lastError", "")}'
                     for g in rule_groups for r in g["rules"]
                     if r.get("health") != "ok" or r.get("lastError")]
        self.assertFalse(unhealthy, "\n".join(unhealthy))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    EXPORTER = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
