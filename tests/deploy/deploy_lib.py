"""Helpers shared by the deploy tests: dashboards, PromQL metric names, rule files, tools."""
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DASHBOARD_DIR = os.path.join(ROOT, "dashboards")
MIXIN_DIR = os.path.join(ROOT, "mixin")
RULES_DIR = os.path.join(ROOT, "rules")

# Values the dashboard variables take when a query is checked outside Grafana.
VARIABLE_VALUES = {
    "job": "freshness_exporter",
    "instance": ".+",
    "check": ".+",
    "account": ".+",
    "cluster": "demo",
    "__rate_interval": "1m",
    "__interval": "15s",
    "__range": "1h",
    "__range_s": "3600",
    "datasource": "prometheus",
}

# Series Prometheus itself writes for every target or alerting rule.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "ALERTS"}

PROMQL_KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
                   "group_right", "bool", "offset", "inf", "nan", "atan2"}


def require_tool(name):
    """Returns the tool's path; fails the test (never skips) when it is not installed."""
    path = shutil.which(name)
    if not path:
        raise AssertionError(f"{name} is not installed (scripts/install-deps.sh installs it)")
    return path


def dashboard_files():
    return sorted(glob.glob(os.path.join(DASHBOARD_DIR, "*.json")))


def load_dashboards():
    result = {}
    for path in dashboard_files():
        with open(path, encoding="utf-8") as f:
            result[os.path.basename(path)] = json.load(f)
    return result


def panels(dashboard):
    """Every panel, including those nested in collapsed rows; rows themselves excluded."""
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def substitute(expr, values=None):
    values = dict(VARIABLE_VALUES, **(values or {}))

    def replace(match):
        name = match.group(1) or match.group(2)
        if name not in values:
            raise KeyError(f"unknown dashboard variable ${name} in {expr!r}")
        return values[name]

    # ${name}, ${name:format} and $name.
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", replace, expr)


def variable_query_expr(query):
    """The PromQL selector inside label_values(...)/query_result(...), or None."""
    if isinstance(query, dict):
        query = query.get("query", "")
    match = re.fullmatch(r"\s*label_values\((.*),\s*\w+\s*\)\s*", query or "", re.S)
    if match:
        return match.group(1)
    match = re.fullmatch(r"\s*query_result\((.*)\)\s*", query or "", re.S)
    return match.group(1) if match else None


def _strip_balanced(text, opener, closer):
    out, depth = [], 0
    for ch in text:
        if ch == opener:
            depth += 1
            continue
        if ch == closer and depth:
            depth -= 1
            continue
        if not depth:
            out.append(ch)
    return "".join(out)


def metric_names(expr):
    """Metric names a PromQL expression reads (a lexical scan, good for dashboard queries)."""
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`', '""', expr)
    names = set(re.findall(r'__name__\s*=\s*"([^"]*)"', expr))
    text = _strip_balanced(text, "{", "}")
    text = _strip_balanced(text, "[", "]")
    # Label lists after grouping modifiers are label names, not metrics.
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    for match in re.finditer(r"(?<![\w:.])([A-Za-z_:][\w:]*)(\s*\()?", text):
        name, is_call = match.group(1), match.group(2)
        if is_call or name.lower() in PROMQL_KEYWORDS:
            continue
        names.add(name)
    return names


def rule_files():
    """Prometheus rule files under rules/ (files with `groups`, not promtool test files)."""
    files = []
    for path in sorted(glob.glob(os.path.join(RULES_DIR, "**", "*.y*ml"), recursive=True)):
        if os.sep + "alertmanager" + os.sep in path:
            continue
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        if isinstance(doc, dict) and "groups" in doc:
            files.append(path)
    return files


def rules(kind=None):
    """(group, rule) pairs of every rule file; kind is 'record', 'alert' or None for both."""
    for path in rule_files():
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for group in doc.get("groups") or []:
            for rule in group.get("rules") or []:
                if kind is None or kind in rule:
                    yield group, rule


def recording_rule_names():
    return {rule["record"] for _, rule in rules("record")}


def exporter_metric_names():
    """Metric names the exporter sources define: metric_names.h and the process_* collector."""
    names = set()
    sources = glob.glob(os.path.join(ROOT, "exporter", "src", "**", "*.h"), recursive=True)
    sources += glob.glob(os.path.join(ROOT, "exporter", "src", "**", "*.cc"), recursive=True)
    for path in sources:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for name in re.findall(r'"((?:freshness|process)_[a-z0-9_]+)"', text):
            names.add(name)
    # A histogram or summary would add suffixes; the exporter's families are gauges and counters.
    return names


def promtool_check_expressions(exprs):
    """Parses every expression with the real PromQL parser (promtool check rules)."""
    promtool = require_tool("promtool")
    doc = {"groups": [{"name": "dashboard_queries", "rules": [
        {"record": f"dashboard:query_{i}", "expr": expr} for i, expr in enumerate(exprs)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        yaml.safe_dump(doc, f, sort_keys=False)
        path = f.name
    try:
        result = subprocess.run([promtool, "check", "rules", path], capture_output=True,
                                text=True, check=False)
    finally:
        os.unlink(path)
    return result.returncode, result.stdout + result.stderr
