#!/usr/bin/env python3
"""Static checks of the Grafana dashboards and their provisioning files.

- the JSON files are what dashboards/generate.py writes;
- conventions: short stable uid, id null, no __inputs, a datasource variable used by every
  panel and query, job/instance/check variables, a unit and a description on every panel,
  $__rate_interval in every rate();
- every query (variables substituted) parses with promtool's PromQL parser;
- every metric a query reads is exported by the exporter (exporter/src), defined by a recording
  rule in rules/, or written by Prometheus itself (up, scrape_duration_seconds, ALERTS).
"""
import os
import re
import subprocess
import sys
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_lib as lib  # noqa: E402


def queries(dashboard):
    """(where, expr) for every panel target and every query variable."""
    for panel in lib.panels(dashboard):
        for t in panel.get("targets", []):
            yield f'panel "{panel["title"]}" {t.get("refId")}', t["expr"]
    for var in dashboard["templating"]["list"]:
        if var.get("type") == "query":
            expr = lib.variable_query_expr(var["query"])
            if expr is None:
                raise AssertionError(f"variable {var['name']}: unsupported query {var['query']}")
            yield f'variable "{var["name"]}"', expr


class DashboardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dashboards = lib.load_dashboards()

    def test_there_are_two_dashboards(self):
        titles = sorted(d["title"] for d in self.dashboards.values())
        self.assertEqual(titles, ["Exporter health", "Pipeline freshness"])

    def test_generated_files_are_up_to_date(self):
        result = subprocess.run([sys.executable, os.path.join(lib.DASHBOARD_DIR, "generate.py"),
                                 "--check"], capture_output=True, text=True, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_identity(self):
        uids = set()
        for name, d in self.dashboards.items():
            with self.subTest(dashboard=name):
                self.assertIsNone(d["id"])
                self.assertRegex(d["uid"], r"^[a-z0-9-]{1,40}$")
                self.assertNotIn("__inputs", d)
                self.assertNotIn("__requires", d)
                self.assertNotIn(d["uid"], uids)
                uids.add(d["uid"])
                self.assertTrue(d.get("description"))

    def test_variables(self):
        for name, d in self.dashboards.items():
            with self.subTest(dashboard=name):
                variables = {v["name"]: v for v in d["templating"]["list"]}
                self.assertEqual(variables["datasource"]["type"], "datasource")
                self.assertEqual(variables["datasource"]["query"], "prometheus")
                for var in ("job", "instance", "check"):
                    self.assertEqual(variables[var]["type"], "query", var)
                    self.assertEqual(variables[var]["datasource"]["uid"], "${datasource}", var)
                # Every $variable a query uses is defined (or one of Grafana's own).
                for where, expr in queries(d):
                    for used in re.findall(r"\$\{?(\w+)", expr):
                        self.assertTrue(used in variables or used.startswith("__"),
                                        f"{where}: undefined variable ${used}")

    def test_panels_have_unit_description_and_datasource_variable(self):
        for name, d in self.dashboards.items():
            ids = set()
            for panel in lib.panels(d):
                with self.subTest(dashboard=name, panel=panel["title"]):
                    self.assertIn(panel["type"], {"timeseries", "stat", "table",
                                                  "state-timeline"})
                    self.assertNotIn(panel["id"], ids)
                    ids.add(panel["id"])
                    self.assertTrue(panel.get("description", "").strip(), "no description")
                    self.assertTrue(panel["fieldConfig"]["defaults"].get("unit"), "no unit")
                    self.assertEqual(panel["datasource"], {"type": "prometheus",
                                                           "uid": "${datasource}"})
                    self.assertTrue(panel["targets"], "no query")
                    for t in panel["targets"]:
                        self.assertEqual(t["datasource"]["uid"], "${datasource}")
                        self.assertTrue(t["expr"].strip())
                    pos = panel["gridPos"]
                    self.assertLessEqual(pos["x"] + pos["w"], 24)

    def test_grid_has_no_overlap(self):
        for name, d in self.dashboards.items():
            cells = {}
            for panel in d["panels"]:
                pos = panel["gridPos"]
                for x in range(pos["x"], pos["x"] + pos["w"]):
                    for y in range(pos["y"], pos["y"] + pos["h"]):
                        with self.subTest(dashboard=name, panel=panel["title"]):
                            self.assertNotIn((x, y), cells, f"overlaps {cells.get((x, y))}")
                        cells[(x, y)] = panel["title"]

    def test_rates_use_rate_interval(self):
        for name, d in self.dashboards.items():
            for where, expr in queries(d):
                for match in re.finditer(r"\b(rate|irate|increase|delta|deriv)\s*\(", expr):
                    window = re.search(r"\[([^\]]*)\]", expr[match.end():])
                    with self.subTest(dashboard=name, query=where):
                        self.assertIsNotNone(window, expr)
                        self.assertEqual(window.group(1), "$__rate_interval", expr)

    def test_queries_parse(self):
        exprs, places = [], []
        for name, d in self.dashboards.items():
            for where, expr in queries(d):
                exprs.append(lib.substitute(expr))
                places.append(f"{name}: {where}")
        code, output = lib.promtool_check_expressions(exprs)
        self.assertEqual(code, 0, output + "\n" + "\n".join(
            f"{i}: {p}" for i, p in enumerate(places)))

    def test_metrics_exist(self):
        exported = lib.exporter_metric_names()
        recorded = lib.recording_rule_names()
        known = exported | recorded | lib.PROMETHEUS_SERIES
        used_anywhere = set()
        for name, d in self.dashboards.items():
            for where, expr in queries(d):
                used = lib.metric_names(expr)
                used_anywhere |= used
                with self.subTest(dashboard=name, query=where):
                    self.assertTrue(used, f"no metric found in {expr}")
                    self.assertFalse(used - known, f"unknown metrics {sorted(used - known)} in "
                                     f"{expr}; recording rules: {sorted(recorded)}")
        # The dashboards cover the contract's metrics (the custom query-kind metrics aside).
        for metric in ("freshness_lag_seconds", "freshness_unfinished_runs",
                       "freshness_oldest_unfinished_run_age_seconds",
                       "freshness_duplicate_executions", "freshness_artifact_state",
                       "freshness_artifact_age_seconds",
                       "freshness_artifact_deadline_timestamp_seconds",
                       "freshness_artifact_missed_slots", "freshness_check_info",
                       "freshness_check_success", "freshness_check_duration_seconds",
                       "freshness_check_errors_total", "freshness_target_up",
                       "freshness_last_collection_timestamp_seconds",
                       "freshness_config_last_reload_successful",
                       "freshness_calendar_valid_through_timestamp_seconds", "ALERTS",
                       "scrape_duration_seconds", "process_cpu_seconds_total",
                       "process_resident_memory_bytes", "process_open_fds"):
            self.assertIn(metric, used_anywhere)

    def test_metric_scanner(self):
        self.assertEqual(lib.metric_names(
            'sum by (check, reason) (rate(freshness_check_errors_total{check=~"a|b"}[5m]))'),
            {"freshness_check_errors_total"})
        self.assertEqual(lib.metric_names(
            'a > on(job, check) group_left(kind) b:c{x="y"} or vector(0) and time() - d'),
            {"a", "b:c", "d"})


class ProvisioningTest(unittest.TestCase):
    def load(self, *parts):
        with open(os.path.join(lib.DASHBOARD_DIR, "provisioning", *parts), encoding="utf-8") as f:
            return yaml.safe_load(f)

    def test_datasource(self):
        doc = self.load("datasources", "prometheus.yml")
        self.assertEqual(doc["apiVersion"], 1)
        prometheus = [d for d in doc["datasources"] if d["type"] == "prometheus"]
        self.assertEqual(len(prometheus), 1)
        self.assertTrue(prometheus[0]["isDefault"])
        self.assertEqual(prometheus[0]["url"], "http://prometheus:9090")

    def test_dashboard_provider(self):
        doc = self.load("dashboards", "freshness.yml")
        self.assertEqual(doc["apiVersion"], 1)
        (provider,) = doc["providers"]
        self.assertEqual(provider["type"], "file")
        self.assertEqual(provider["options"]["path"], "/var/lib/grafana/dashboards/freshness")


if __name__ == "__main__":
    unittest.main(verbosity=2)
