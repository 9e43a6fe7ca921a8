#!/usr/bin/env python3
"""Static checks of the Grafana dashboards and their provisioning files.

- the JSON files are what the mixin renders (mixin/render-dashboards.jsonnet, written by
  mixin/build.sh), and nothing else is in dashboards/;
- conventions: short stable uid (the same as before the mixin, so links keep working), id null,
  no __inputs, not editable by default, a datasource variable used by every panel and query,
  job/instance/check variables, job and instance matchers on every selector (and check on every
  check-level one), a unit and a description on every panel, $__rate_interval in every rate();
- the pipeline and business dashboards aggregate across replicas (without instance, pod); the
  SLO dashboard reads the SLO rules' series, recorded without them (their instance matcher takes
  the empty value too, as for the data alerts);
- the SLO dashboard reads only series the SLO rules record (and ALERTS of the SLO alerts), shows
  every burn-rate window the alerts use against the alerts' factors, and sorts its table of SLO
  checks by the budget left, least first;
- the _config knobs reach the JSON: datasource, refresh, timezone, tags, editable, exporter
  selector, and the cluster variable (off by default; on, every selector carries it);
- every query (variables substituted) parses with promtool's PromQL parser;
- every metric a query reads is exported by the exporter (exporter/src), defined by a recording
  rule in rules/, written by Prometheus itself (up, scrape_duration_seconds, ALERTS), or one of
  the business gauges the trading dashboard is built on (query checks map them).
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_lib as lib  # noqa: E402

# File name -> (uid, title). The uids are those of the dashboards before the mixin.
DASHBOARDS = {
    "pipeline-freshness.json": ("freshness-pipeline", "Pipeline freshness"),
    "exporter-health.json": ("freshness-exporter", "Exporter health"),
    "trading-business.json": ("freshness-trading", "Trading business view"),
    "freshness-slo.json": ("freshness-slo", "Freshness SLOs"),
}
SLO_RULES = os.path.join(lib.RULES_DIR, "freshness-slo.rules.yml")

# The query-check gauges the trading business view is built on (names fixed by its contract).
TRADING_GAUGES = {"trading_daily_pnl", "trading_daily_loss_limit", "trading_position_quantity",
                  "trading_position_limit", "trading_circuit_breaker_active"}

# Series without a check label: they need job and instance matchers only.
EXPORTER_WIDE = {"up", "scrape_duration_seconds", "freshness_exporter_build_info",
                 "freshness_config_last_reload_successful",
                 "freshness_config_last_reload_success_timestamp_seconds",
                 "freshness_last_collection_timestamp_seconds", "freshness_target_up",
                 "freshness_calendar_valid_through_timestamp_seconds",
                 "freshness:exporter:healthy", "process_cpu_seconds_total",
                 "process_resident_memory_bytes", "process_virtual_memory_bytes",
                 "process_open_fds", "process_max_fds", "process_start_time_seconds"}
# Check-level series read for the whole exporter on purpose: (panel, metric).
ACROSS_CHECKS = {("Self-heartbeat age", "freshness_check_interval_seconds")}

SELECTOR = re.compile(r'(?<![\w:])([A-Za-z_:][\w:]*)\s*\{((?:[^{}"]|"(?:\\.|[^"\\])*")*)\}')
MATCHER = re.compile(r'([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"((?:\\.|[^"\\])*)"')


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


def panel_queries(dashboard):
    """(panel, target) for every panel target."""
    for panel in lib.panels(dashboard):
        for t in panel.get("targets", []):
            yield panel, t


def selectors(expr):
    """(metric, {label: (op, value)}) for every metric{...} selector of expr."""
    result = []
    for match in SELECTOR.finditer(expr):
        matchers = {}
        for m in MATCHER.finditer(match.group(2)):
            matchers[m.group(1)] = (m.group(2), m.group(3))
        result.append((match.group(1), matchers))
    return result


def readme_metrics():
    """The series of the README's Metrics table (the exporter's contract)."""
    with open(os.path.join(lib.ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("\n## Metrics", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`((?:freshness|process)_[a-z0-9_]+)", line.split("|")[1]))
    return names


def render(overrides=None):
    """The mixin's grafanaDashboards with a _config override (a jsonnet object literal)."""
    jsonnet = lib.require_tool("jsonnet")
    code = "((import 'mixin.libsonnet') + { _config+:: %s }).grafanaDashboards" % (
        overrides or "{}")
    result = subprocess.run([jsonnet, "-J", lib.MIXIN_DIR, "-e", code], capture_output=True,
                            text=True, check=False)
    if result.returncode:
        raise AssertionError(f"jsonnet failed: {result.stderr}")
    return json.loads(result.stdout)


class DashboardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dashboards = lib.load_dashboards()

    def test_the_dashboards(self):
        self.assertEqual(sorted(self.dashboards), sorted(DASHBOARDS))
        for name, (uid, title) in DASHBOARDS.items():
            with self.subTest(dashboard=name):
                self.assertEqual(self.dashboards[name]["uid"], uid)
                self.assertEqual(self.dashboards[name]["title"], title)

    def test_files_are_what_the_mixin_renders(self):
        jsonnet = lib.require_tool("jsonnet")
        with tempfile.TemporaryDirectory() as out:
            result = subprocess.run(
                [jsonnet, "-J", lib.MIXIN_DIR, "-m", out,
                 os.path.join(lib.MIXIN_DIR, "render-dashboards.jsonnet")],
                capture_output=True, text=True, check=False)
            self.assertEqual(result.returncode, 0, result.stderr)
            rendered = sorted(os.listdir(out))
            self.assertEqual(rendered, sorted(os.path.basename(p) for p in lib.dashboard_files()),
                             "dashboards/*.json are exactly the mixin's grafanaDashboards")
            for name in rendered:
                with self.subTest(dashboard=name):
                    with open(os.path.join(out, name), encoding="utf-8") as f:
                        want = f.read()
                    with open(os.path.join(lib.DASHBOARD_DIR, name), encoding="utf-8") as f:
                        self.assertEqual(f.read(), want, "run mixin/build.sh")

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
                self.assertIs(d["editable"], False)
                self.assertIn("freshness", d["tags"])
                self.assertEqual(d["refresh"], "30s")
                self.assertEqual(d["timezone"], "browser")
                (link,) = d["links"]
                self.assertEqual(link["tags"], ["freshness"])

    def test_variables(self):
        for name, d in self.dashboards.items():
            with self.subTest(dashboard=name):
                variables = {v["name"]: v for v in d["templating"]["list"]}
                self.assertEqual(d["templating"]["list"][0]["name"], "datasource")
                self.assertEqual(variables["datasource"]["type"], "datasource")
                self.assertEqual(variables["datasource"]["query"], "prometheus")
                self.assertEqual(variables["datasource"]["current"]["value"], "default")
                self.assertNotIn("cluster", variables)  # off by default
                for var in ("job", "instance", "check"):
                    self.assertEqual(variables[var]["type"], "query", var)
                    self.assertEqual(variables[var]["datasource"]["uid"], "${datasource}", var)
                    self.assertEqual(variables[var]["allValue"], ".*", var)
                self.assertEqual(variables["job"]["query"]["query"],
                                 'label_values(freshness_exporter_build_info'
                                 '{job="freshness_exporter"}, job)')
                # Every $variable a query uses is defined (or one of Grafana's own).
                for where, expr in queries(d):
                    for used in re.findall(r"\$\{?(\w+)", expr):
                        self.assertTrue(used in variables or used.startswith("__"),
                                        f"{where}: undefined variable ${used}")
        business = {v["name"]: v for v in
                    self.dashboards["trading-business.json"]["templating"]["list"]}
        self.assertIn('kind="query"', business["check"]["query"]["query"])
        self.assertIn("trading_daily_pnl", business["account"]["query"]["query"])

    def test_every_selector_has_job_and_instance_matchers(self):
        for name, d in self.dashboards.items():
            for panel, t in panel_queries(d):
                expr = t["expr"]
                found = selectors(expr)
                with self.subTest(dashboard=name, panel=panel["title"], ref=t["refId"]):
                    self.assertTrue(found, expr)
                    # No metric read without a selector.
                    self.assertEqual(lib.metric_names(expr), {m for m, _ in found}, expr)
                    for metric, matchers in found:
                        alerts = metric == "ALERTS"
                        # Recorded without the replica labels, like the data alerts.
                        no_instance = alerts or metric.startswith("check:freshness_slo_")
                        self.assertEqual(matchers.get("job"), ("=~", "$job"), f"{metric} in {expr}")
                        self.assertEqual(matchers.get("instance"),
                                         ("=~", "$instance|" if no_instance else "$instance"),
                                         f"{metric} in {expr}")
                        if metric in EXPORTER_WIDE or (panel["title"], metric) in ACROSS_CHECKS:
                            self.assertNotIn("check", matchers, f"{metric} in {expr}")
                        else:
                            self.assertEqual(matchers.get("check"),
                                             ("=~", "$check|" if alerts else "$check"),
                                             f"{metric} in {expr}")

    def test_data_views_aggregate_across_replicas(self):
        for name in ("pipeline-freshness.json", "trading-business.json"):
            for panel, t in panel_queries(self.dashboards[name]):
                if lib.metric_names(t["expr"]) - {"ALERTS"}:
                    with self.subTest(dashboard=name, panel=panel["title"], ref=t["refId"]):
                        self.assertIn("without (instance, pod", t["expr"])

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
                    refs = [t["refId"] for t in panel["targets"]]
                    self.assertEqual(len(refs), len(set(refs)))
                    for t in panel["targets"]:
                        self.assertEqual(t["datasource"]["uid"], "${datasource}")
                        self.assertTrue(t["expr"].strip())
                    pos = panel["gridPos"]
                    self.assertLessEqual(pos["x"] + pos["w"], 24)
                    # Tables of several queries merge them into one row per label set.
                    if panel["type"] == "table" and len(panel["targets"]) > 1:
                        self.assertEqual(panel["transformations"][0]["id"], "merge")
                        self.assertTrue(all(t.get("format") == "table" and t["instant"]
                                            for t in panel["targets"]))

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
            allowed = known | (TRADING_GAUGES if name == "trading-business.json" else set())
            for where, expr in queries(d):
                used = lib.metric_names(expr)
                used_anywhere |= used
                with self.subTest(dashboard=name, query=where):
                    self.assertTrue(used, f"no metric found in {expr}")
                    self.assertFalse(used - allowed, f"unknown metrics {sorted(used - allowed)} "
                                     f"in {expr}; recording rules: {sorted(recorded)}")
        # The dashboards cover the exporter's series (the custom query-kind gauges and the raw
        # threshold series aside: the check:*:threshold rules read them, with the overrides),
        # the recording rules and the business gauges.
        documented = readme_metrics()
        self.assertGreater(len(documented), 30)
        self.assertLessEqual(documented, exported)
        for metric in sorted(documented - {"freshness_check_threshold", "freshness_query_threshold",
                                           "freshness_artifact_modified_timestamp_seconds",
                                           "freshness_last_event_timestamp_seconds"}):
            self.assertIn(metric, used_anywhere)
        for metric in ("check:freshness_lag_seconds:threshold",
                       "check:freshness_oldest_unfinished_run_age_seconds:threshold",
                       "check:freshness_duplicate_executions:threshold",
                       "freshness:breach:value", "freshness:check:watching",
                       "freshness:exporter:healthy", "ALERTS", "up",
                       "scrape_duration_seconds"):
            self.assertIn(metric, used_anywhere)
        business = set()
        for _, expr in queries(self.dashboards["trading-business.json"]):
            business |= lib.metric_names(expr)
        self.assertEqual(business & TRADING_GAUGES, TRADING_GAUGES)

    def test_alert_history(self):
        panels = {p["title"]: p for p in lib.panels(self.dashboards["pipeline-freshness.json"])}
        history = panels["Alert history"]
        self.assertEqual(history["type"], "state-timeline")
        (target,) = history["targets"]
        self.assertFalse(target["instant"])
        self.assertTrue(target["expr"].startswith("max by (alertname, check) ("), target["expr"])
        self.assertEqual({m for m, _ in selectors(target["expr"])}, {"ALERTS"})
        for _, matchers in selectors(target["expr"]):
            self.assertEqual(matchers["alertstate"], ("=", "firing"))
        longest = panels["Longest firing alerts"]
        self.assertEqual(longest["type"], "table")
        self.assertEqual(longest["options"]["sortBy"], [{"displayName": "Firing for",
                                                         "desc": True}])
        for t in longest["targets"]:
            self.assertIn("[$__range:1m]", t["expr"])
            self.assertIn('alertstate="firing"', t["expr"])

    def test_metric_scanner(self):
        self.assertEqual(lib.metric_names(
            'sum by (check, reason) (rate(freshness_check_errors_total{check=~"a|b"}[5m]))'),
            {"freshness_check_errors_total"})
        self.assertEqual(lib.metric_names(
            'a > on(job, check) group_left(kind) b:c{x="y"} or vector(0) and time() - d'),
            {"a", "b:c", "d"})
        self.assertEqual(selectors('max(a:b{job=~"$job", x="{y}"}) / c{instance=~"$i|"}'),
                         [("a:b", {"job": ("=~", "$job"), "x": ("=", "{y}")}),
                          ("c", {"instance": ("=~", "$i|")})])


def slo_rules():
    """(records {name: expr}, alerts {name: expr}) of rules/freshness-slo.rules.yml."""
    with open(SLO_RULES, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    records, alerts = {}, {}
    for group in doc["groups"]:
        for rule in group["rules"]:
            if "record" in rule:
                records.setdefault(rule["record"], rule["expr"])
            else:
                alerts[rule["alert"]] = rule["expr"]
    return records, alerts


class SloDashboardTest(unittest.TestCase):
    """The "Freshness SLOs" dashboard against the SLO rules it reads."""

    @classmethod
    def setUpClass(cls):
        cls.dashboard = lib.load_dashboards()["freshness-slo.json"]
        cls.panels = {p["title"]: p for p in lib.panels(cls.dashboard)}
        cls.records, cls.alerts = slo_rules()

    def test_reads_only_the_slo_rules_series(self):
        used = set()
        for panel, t in panel_queries(self.dashboard):
            names = lib.metric_names(t["expr"])
            used |= names
            with self.subTest(panel=panel["title"], ref=t["refId"]):
                self.assertTrue(names)
                self.assertFalse(names - set(self.records) - {"ALERTS"},
                                 f"not recorded by {os.path.basename(SLO_RULES)}: {t['expr']}")
                if "ALERTS" in names:
                    for metric, matchers in selectors(t["expr"]):
                        op, value = matchers["alertname"]
                        self.assertEqual(op, "=~")
                        self.assertEqual(set(value.split("|")), set(self.alerts), t["expr"])
        for metric in ("check:freshness_slo_objective:value", "check:freshness_slo_sli:window",
                       "check:freshness_slo_budget_remaining:ratio",
                       "check:freshness_slo_budget_remaining:seconds",
                       "check:freshness_slo_counting:value", "check:freshness_slo_bad:value",
                       "check:freshness_slo_bad:seconds_window", "ALERTS"):
            self.assertIn(metric, used)
        # The check variable lists the checks the exporter exports an objective for.
        variables = {v["name"]: v for v in self.dashboard["templating"]["list"]}
        query = variables["check"]["query"]["query"]
        self.assertTrue(query.startswith("label_values(freshness_slo_objective{"), query)
        self.assertIn("freshness_slo_objective", lib.exporter_metric_names())

    def test_slo_series_have_no_replica_labels(self):
        # Why the dashboard matches the empty instance: the per-check inputs drop it.
        for name in ("check:freshness_slo_objective:value", "check:freshness_slo_counting:value",
                     "check:freshness_slo_bad:value"):
            self.assertIn("max without (instance, pod)", self.records[name], name)

    def test_burn_rates_against_the_alert_factors(self):
        expr = self.alerts["FreshnessSloBudgetBurn"]
        pairs = re.findall(r"check:freshness_slo_burn_rate:(\w+) > ([\d.]+) and "
                           r"check:freshness_slo_burn_rate:(\w+) > ([\d.]+)", expr)
        self.assertEqual(len(pairs), 3, expr)
        for long, factor, short, factor2 in pairs:
            self.assertEqual(factor, factor2)
            title = f"Burn rate, {long} and {short}"
            with self.subTest(panel=title):
                panel = self.panels[title]
                exprs = [t["expr"] for t in panel["targets"]]
                self.assertEqual([lib.metric_names(e) for e in exprs],
                                 [{f"check:freshness_slo_burn_rate:{long}"},
                                  {f"check:freshness_slo_burn_rate:{short}"}])
                steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
                self.assertEqual([s["value"] for s in steps], [None, float(factor)])
                self.assertEqual(panel["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"],
                                 {"mode": "dashed"})

    def test_table_sorted_by_budget_left(self):
        table = self.panels["SLO checks"]
        self.assertEqual(table["options"]["sortBy"], [{"displayName": "Budget left",
                                                       "desc": False}])
        organize = table["transformations"][-1]["options"]
        renamed = {v: k for k, v in organize["renameByName"].items()}
        ref = renamed["Budget left"].split("#")[1].strip()
        (target,) = [t for t in table["targets"] if t["refId"] == ref]
        self.assertEqual(lib.metric_names(target["expr"]),
                         {"check:freshness_slo_budget_remaining:ratio"})
        columns = set(organize["renameByName"].values())
        self.assertLessEqual({"Check", "Objective", "SLI", "Budget left", "Bad time left",
                              "Burn 1h", "Burn 6h", "Burn 3d", "Now"}, columns)


class ConfigTest(unittest.TestCase):
    """The _config knobs, rendered with overrides."""

    def test_dashboard_options(self):
        rendered = render("""{
            dashboardDatasource: 'Thanos', dashboardDatasourceRegex: '/Thanos|Mimir/',
            dashboardRefresh: '1m', dashboardTimezone: 'utc', dashboardTimeFrom: 'now-24h',
            dashboardTags: ['data-platform'], dashboardEditable: true,
            exporterSelector: 'job="fresh"', tradingCurrencyUnit: 'currencyEUR'}""")
        self.assertEqual(sorted(rendered), sorted(DASHBOARDS))
        for name, d in rendered.items():
            with self.subTest(dashboard=name):
                self.assertEqual(d["uid"], DASHBOARDS[name][0])
                self.assertIs(d["editable"], True)
                self.assertEqual(d["refresh"], "1m")
                self.assertEqual(d["timezone"], "utc")
                self.assertEqual(d["time"]["from"], "now-24h")
                self.assertEqual(d["tags"][0], "data-platform")
                self.assertNotIn("freshness", d["tags"])
                self.assertEqual(d["links"][0]["tags"], ["data-platform"])
                variables = {v["name"]: v for v in d["templating"]["list"]}
                self.assertEqual(variables["datasource"]["current"]["value"], "Thanos")
                self.assertEqual(variables["datasource"]["regex"], "/Thanos|Mimir/")
                self.assertIn('{job="fresh"}', variables["job"]["query"]["query"])
        units = {p["fieldConfig"]["defaults"]["unit"]
                 for p in lib.panels(rendered["trading-business.json"])}
        self.assertIn("currencyEUR", units)
        self.assertNotIn("currencyUSD", units)

    def test_cluster_variable(self):
        rendered = render("{ showMultiCluster: true, clusterLabel: 'region' }")
        exprs, places = [], []
        for name, d in rendered.items():
            variables = d["templating"]["list"]
            with self.subTest(dashboard=name):
                self.assertEqual([v["name"] for v in variables[:3]],
                                 ["datasource", "cluster", "job"])
                cluster = variables[1]
                self.assertEqual(cluster["query"]["query"], 'label_values('
                                 'freshness_exporter_build_info{job="freshness_exporter"}, region)')
                self.assertFalse(cluster["multi"])
                self.assertIn('region=~"$cluster"', variables[2]["query"]["query"])
            for panel, t in panel_queries(d):
                with self.subTest(dashboard=name, panel=panel["title"], ref=t["refId"]):
                    for metric, matchers in selectors(t["expr"]):
                        self.assertEqual(matchers.get("region"), ("=~", "$cluster"),
                                         f"{metric} in {t['expr']}")
                    # Joins and per-alert groupings keep the cluster apart.
                    for clause in re.findall(r"\b(?:on|by) \(([^)]*)\)", t["expr"]):
                        if "job" in clause:
                            self.assertIn("region", clause, t["expr"])
            for where, expr in queries(d):
                exprs.append(lib.substitute(expr))
                places.append(f"{name}: {where}")
        code, output = lib.promtool_check_expressions(exprs)
        self.assertEqual(code, 0, output + "\n" + "\n".join(
            f"{i}: {p}" for i, p in enumerate(places)))

    def test_replica_labels(self):
        rendered = render("{ replicaLabels: ['instance', 'pod', 'replica'] }")
        for name in ("pipeline-freshness.json", "trading-business.json"):
            for panel, t in panel_queries(rendered[name]):
                if lib.metric_names(t["expr"]) - {"ALERTS"}:
                    with self.subTest(dashboard=name, panel=panel["title"], ref=t["refId"]):
                        self.assertIn("without (instance, pod, replica", t["expr"])


    def test_readme_import_example(self):
        """mixin/README.md's kube-prometheus style example renders what it says."""
        with open(os.path.join(lib.MIXIN_DIR, "README.md"), encoding="utf-8") as f:
            example = re.search(r"```jsonnet\n(// monitoring.jsonnet.*?)```", f.read(),
                                re.S).group(1)
        jsonnet = lib.require_tool("jsonnet")
        with tempfile.TemporaryDirectory() as work:
            os.mkdir(os.path.join(work, "vendor"))
            os.symlink(lib.MIXIN_DIR, os.path.join(work, "vendor", "freshness-mixin"))
            with open(os.path.join(work, "monitoring.jsonnet"), "w", encoding="utf-8") as f:
                f.write(example)
            os.mkdir(os.path.join(work, "out"))
            result = subprocess.run([jsonnet, "-J", "vendor", "-m", "out", "monitoring.jsonnet"],
                                    cwd=work, capture_output=True, text=True, check=False)
            self.assertEqual(result.returncode, 0, result.stderr)
            out = {}
            for name in os.listdir(os.path.join(work, "out")):
                with open(os.path.join(work, "out", name), encoding="utf-8") as f:
                    out[name] = json.load(f)
        self.assertEqual(sorted(out), ["freshness-prometheusrule.json"] + sorted(
            "grafana-dashboard-" + name for name in DASHBOARDS))
        rule = out["freshness-prometheusrule.json"]
        self.assertEqual(rule["kind"], "PrometheusRule")
        alerts = {r["alert"]: r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r}
        records = {r["record"] for g in rule["spec"]["groups"] for r in g["rules"] if "record" in r}
        self.assertIn("freshness:breach:value", records)
        self.assertNotIn("FreshnessCalendarExpiring", alerts)
        self.assertEqual(alerts["FreshnessExporterDown"]["for"], "5m")
        self.assertEqual(alerts["FreshnessExporterDown"]["labels"]["team"], "data")
        self.assertIn('job="freshness-exporter"', alerts["FreshnessExporterDown"]["expr"])
        self.assertTrue(alerts["FreshnessLagHigh"]["annotations"]["runbook_url"].startswith(
            "https://github.com/acme/"))
        for name in DASHBOARDS:
            d = out["grafana-dashboard-" + name]
            self.assertEqual(d["timezone"], "utc")
            self.assertEqual(d["templating"]["list"][1]["name"], "cluster")


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

    def test_no_python_generator_left(self):
        self.assertEqual(glob.glob(os.path.join(lib.DASHBOARD_DIR, "*.py")), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
