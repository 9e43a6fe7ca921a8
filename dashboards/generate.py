#!/usr/bin/env python3
"""Generates the Grafana dashboards in this folder.

The JSON files are committed so Grafana (compose provisioning, the Helm chart's sidecar
ConfigMap) reads them as they are; this script is their source. Edit it, run
`python3 dashboards/generate.py`, commit both. `--check` exits 1 when a JSON file differs from
what the script would write (the deploy tests run it).

Conventions every dashboard follows: a stable short uid, `id: null`, a `datasource` variable and
no `__inputs`, `job`/`instance`/`check` variables, a unit and a description on every panel, and
`$__rate_interval` in every rate().
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# Every series of a check panel is filtered by the three variables.
SEL = 'job=~"$job", instance=~"$instance", check=~"$check"'
# Exporter-wide series (no check label).
SEL_EXPORTER = 'job=~"$job", instance=~"$instance"'
# Threshold recording rules carry only the check label (rules/freshness-thresholds.rules.yml).
SEL_RULE = 'check=~"$check"'
# Alerts of the rule bundle keep the job and instance of the series they fire on; exporter-wide
# ones have no check label (the empty alternative matches them).
SEL_ALERTS = 'job=~"$job", instance=~"$instance", check=~"$check|"'


def variables():
    def query_var(name, label, query, regex_all=".*", include_all=True, multi=True, hide=0):
        return {
            "name": name,
            "label": label,
            "type": "query",
            "datasource": DATASOURCE,
            "definition": query,
            "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
            "refresh": 2,
            "sort": 1,
            "multi": multi,
            "includeAll": include_all,
            "allValue": regex_all,
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
            "hide": hide,
            "regex": "",
            "options": [],
        }

    return {
        "list": [
            {
                "name": "datasource",
                "label": "Data source",
                "type": "datasource",
                "query": "prometheus",
                "regex": "",
                "current": {},
                "hide": 0,
                "refresh": 1,
                "includeAll": False,
                "multi": False,
                "options": [],
            },
            query_var("job", "Job", "label_values(freshness_exporter_build_info, job)"),
            query_var("instance", "Instance",
                      'label_values(freshness_exporter_build_info{job=~"$job"}, instance)'),
            query_var("check", "Check",
                      'label_values(freshness_check_info{job=~"$job", instance=~"$instance"}, '
                      'check)'),
        ]
    }


class Layout:
    """Places panels left to right on Grafana's 24-column grid and numbers them."""

    def __init__(self):
        self.panels = []
        self.x = 0
        self.y = 0
        self.row_height = 0

    def row(self, title):
        self._newline()
        self.panels.append({
            "type": "row", "title": title, "collapsed": False, "panels": [],
            "id": len(self.panels) + 1, "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y},
        })
        self.y += 1

    def add(self, panel, w, h):
        if self.x + w > 24:
            self._newline()
        panel["id"] = len(self.panels) + 1
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.panels.append(panel)
        self.x += w
        self.row_height = max(self.row_height, h)

    def _newline(self):
        if self.x:
            self.y += self.row_height
        self.x = 0
        self.row_height = 0


def target(expr, legend="", ref="A", instant=False, table=False):
    t = {"datasource": DATASOURCE, "expr": expr, "refId": ref, "legendFormat": legend or "__auto",
         "range": not instant, "instant": instant, "editorMode": "code"}
    if table:
        t["format"] = "table"
    return t


def threshold_target(metric, ref="B"):
    """The per-check threshold of `metric` (recording rule check:<metric>:threshold), for the
    checks the panel shows."""
    return target(f'max by (check) (check:{metric}:threshold{{{SEL_RULE}}}) and on(check) '
                  f'max by (check) ({metric}{{{SEL}}})', "{{check}} threshold", ref)


# Threshold series are drawn dashed and red.
THRESHOLD_STYLE = [{"matcher": {"id": "byRegexp", "options": ".* threshold"},
                    "properties": [{"id": "custom.lineStyle",
                                    "value": {"fill": "dash", "dash": [10, 10]}},
                                   {"id": "custom.fillOpacity", "value": 0},
                                   {"id": "color", "value": {"mode": "fixed",
                                                             "fixedColor": "red"}}]}]


def field_config(unit, thresholds=None, mappings=None, min_value=None, extra=None, overrides=None):
    defaults = {
        "unit": unit,
        "color": {"mode": "thresholds" if thresholds else "palette-classic"},
        "thresholds": {"mode": "absolute",
                       "steps": thresholds or [{"color": "green", "value": None}]},
        "mappings": mappings or [],
    }
    if min_value is not None:
        defaults["min"] = min_value
    if extra:
        defaults.update(extra)
    return {"defaults": defaults, "overrides": overrides or []}


def timeseries(title, description, targets, unit, min_value=None, overrides=None, stack=False):
    custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never",
              "spanNulls": False, "axisSoftMin": 0 if min_value == 0 else None,
              "stacking": {"mode": "normal" if stack else "none", "group": "A"}}
    custom = {k: v for k, v in custom.items() if v is not None}
    fc = field_config(unit, min_value=min_value, extra={"custom": custom}, overrides=overrides)
    return {"type": "timeseries", "title": title, "description": description,
            "datasource": DATASOURCE, "targets": targets, "fieldConfig": fc,
            "options": {"legend": {"displayMode": "table", "placement": "bottom",
                                   "calcs": ["lastNotNull", "max"], "showLegend": True},
                        "tooltip": {"mode": "multi", "sort": "desc"}}}


def stat(title, description, expr, unit, thresholds, mappings=None):
    return {"type": "stat", "title": title, "description": description, "datasource": DATASOURCE,
            "targets": [target(expr, instant=True)],
            "fieldConfig": field_config(unit, thresholds=thresholds, mappings=mappings),
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "background", "graphMode": "none", "textMode": "value",
                        "justifyMode": "auto", "orientation": "auto"}}


def table(title, description, targets, unit, join_by, organize, overrides=None, sort_by=None):
    transformations = [
        {"id": "joinByField", "options": {"byField": join_by, "mode": "outer"}},
        {"id": "organize", "options": organize},
    ]
    return {"type": "table", "title": title, "description": description,
            "datasource": DATASOURCE, "targets": targets,
            "fieldConfig": field_config(unit, overrides=overrides,
                                        extra={"custom": {"align": "auto", "filterable": True}}),
            "transformations": transformations,
            "options": {"showHeader": True, "cellHeight": "sm",
                        "sortBy": [{"displayName": sort_by or join_by, "desc": False}]}}


def state_timeline(title, description, targets, unit, mappings, thresholds):
    return {"type": "state-timeline", "title": title, "description": description,
            "datasource": DATASOURCE, "targets": targets,
            "fieldConfig": field_config(unit, thresholds=thresholds, mappings=mappings,
                                        extra={"custom": {"lineWidth": 0, "fillOpacity": 80}}),
            "options": {"showValue": "never", "rowHeight": 0.9, "mergeValues": True,
                        "alignValue": "left", "legend": {"showLegend": True,
                                                         "displayMode": "list",
                                                         "placement": "bottom"},
                        "tooltip": {"mode": "single", "sort": "none"}}}


def override(name, props):
    return {"matcher": {"id": "byName", "options": name},
            "properties": [{"id": k, "value": v} for k, v in props.items()]}


def dashboard(uid, title, description, tags, layout):
    return {
        "id": None,
        "uid": uid,
        "title": title,
        "description": description,
        "tags": tags,
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "schemaVersion": 39,
        "version": 1,
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "weekStart": "",
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard"}]},
        "links": [{"title": "Freshness dashboards", "type": "dashboards", "tags": ["freshness"],
                   "asDropdown": True, "includeVars": True, "keepTime": True}],
        "templating": variables(),
        "panels": layout.panels,
    }


GREEN = {"color": "green", "value": None}
STATE_COLORS = {"fresh": "green", "late": "yellow", "stale": "orange", "missing": "red",
                "probe_failed": "purple", "paused": "blue", "unknown": "text"}
SUCCESS_MAPPINGS = [{"type": "value", "options": {
    "0": {"text": "failed", "color": "red", "index": 0},
    "1": {"text": "ok", "color": "green", "index": 1}}}]
UP_MAPPINGS = [{"type": "value", "options": {
    "0": {"text": "down", "color": "red", "index": 0},
    "1": {"text": "up", "color": "green", "index": 1}}}]
STATE_MAPPINGS = [{"type": "value", "options": {
    state: {"text": state, "color": color, "index": i}
    for i, (state, color) in enumerate(STATE_COLORS.items())}}]


def pipeline_freshness():
    lay = Layout()
    lay.row("Overview")
    lay.add(stat("Checks failing",
                 "Checks whose last collection failed (freshness_check_success == 0). Their last "
                 "good value is still shown below.",
                 f'count(freshness_check_success{{{SEL}}} == 0) or vector(0)', "none",
                 [GREEN, {"color": "red", "value": 1}]), 4, 4)
    lay.add(stat("Tables lagging",
                 "Lag series above their check's threshold (recording rule "
                 "check:freshness_lag_seconds:threshold) right now, active window or not.",
                 f'count(freshness_lag_seconds{{{SEL}}} > on(check) group_left() '
                 f'check:freshness_lag_seconds:threshold{{{SEL_RULE}}}) or vector(0)', "none",
                 [GREEN, {"color": "orange", "value": 1}]), 4, 4)
    lay.add(stat("Unfinished runs",
                 "Runs started inside their check's window that have not finished, summed over "
                 "the selected checks.",
                 f'sum(freshness_unfinished_runs{{{SEL}}}) or vector(0)', "none",
                 [GREEN, {"color": "orange", "value": 1}]), 4, 4)
    lay.add(stat("Duplicate executions",
                 "Keys executed more than once inside their check's window, summed over the "
                 "selected checks.",
                 f'sum(freshness_duplicate_executions{{{SEL}}}) or vector(0)', "none",
                 [GREEN, {"color": "red", "value": 1}]), 4, 4)
    lay.add(stat("Artifacts not fresh",
                 "Artifact checks whose slot in force is not satisfied (any state but fresh or "
                 "paused).",
                 f'count(freshness_artifact_state{{{SEL}, state!~"fresh|paused"}} == 1) '
                 'or vector(0)', "none",
                 [GREEN, {"color": "orange", "value": 1}]), 4, 4)
    lay.add(stat("Alerts firing",
                 "Alerts about the selected exporters firing now: those of the selected checks "
                 "plus exporter-wide ones without a check label (ALERTS series).",
                 f'count(ALERTS{{{SEL_ALERTS}, alertstate="firing"}}) or vector(0)', "none",
                 [GREEN, {"color": "red", "value": 1}]), 4, 4)

    lay.row("Table lag")
    lay.add(timeseries(
        "Lag per check",
        "now − newest event time of each lag check (dashed: its threshold from the recording "
        "rule check:freshness_lag_seconds:threshold). Lag alerts fire only while the check is "
        "active. An empty table is +Inf.",
        [target(f'max by (check) (freshness_lag_seconds{{{SEL}}})', "{{check}}", "A"),
         threshold_target("freshness_lag_seconds")],
        "s", min_value=0, overrides=THRESHOLD_STYLE), 16, 9)
    lay.add(table(
        "Lag against threshold",
        "Current lag, threshold and whether the check is inside its active window (lag alerts "
        "only fire while active).",
        [target(f'max by (check) (freshness_lag_seconds{{{SEL}}})', ref="A", instant=True,
                table=True),
         target(f'max by (check) (check:freshness_lag_seconds:threshold{{{SEL_RULE}}}) '
                f'and on(check) max by (check) (freshness_lag_seconds{{{SEL}}})', ref="B",
                instant=True, table=True),
         target(f'max by (check) (freshness_check_active{{{SEL}}}) and on(check) '
                f'max by (check) (freshness_lag_seconds{{{SEL}}})', ref="C", instant=True,
                table=True)],
        "s", "check",
        {"excludeByName": {"Time": True, "Time 1": True, "Time 2": True, "Time 3": True},
         "renameByName": {"Value #A": "Lag", "Value #B": "Threshold", "Value #C": "Active"}},
        overrides=[override("Active", {"unit": "bool_yes_no"}),
                   override("Lag", {"custom.cellOptions": {"type": "color-text"},
                                    "color": {"mode": "thresholds"}})]), 8, 9)

    lay.row("Runs and executions")
    lay.add(timeseries(
        "Unfinished runs",
        "Runs started inside the check's window without a finish time (kind runs); dashed: "
        "the threshold check:freshness_unfinished_runs:threshold.",
        [target(f'max by (check) (freshness_unfinished_runs{{{SEL}}})', "{{check}}"),
         threshold_target("freshness_unfinished_runs")],
        "none", min_value=0, overrides=THRESHOLD_STYLE), 8, 8)
    lay.add(timeseries(
        "Oldest unfinished run age",
        "Age of the oldest run started inside the window that has not finished, 0 if none "
        "(kind runs). A steadily growing line is a hung run; dashed: the maximum runtime "
        "check:freshness_oldest_unfinished_run_age_seconds:threshold.",
        [target(f'max by (check) (freshness_oldest_unfinished_run_age_seconds{{{SEL}}})',
                "{{check}}"),
         threshold_target("freshness_oldest_unfinished_run_age_seconds")],
        "s", min_value=0, overrides=THRESHOLD_STYLE), 8, 8)
    lay.add(timeseries(
        "Duplicate executions",
        "Keys executed more than once inside the check's window (kind duplicates). Any value "
        "above the dashed threshold (check:freshness_duplicate_executions:threshold) alerts.",
        [target(f'max by (check) (freshness_duplicate_executions{{{SEL}}})', "{{check}}"),
         threshold_target("freshness_duplicate_executions")],
        "none", min_value=0, overrides=THRESHOLD_STYLE), 8, 8)

    lay.row("Artifacts")
    lay.add(table(
        "Artifacts",
        "One row per artifact check: state of the slot in force, age of the satisfying object, "
        "deadline of the slot in force or the next one, and due slots missed since the last "
        "satisfied one.",
        [target(f'max by (check, state) (freshness_artifact_state{{{SEL}}} == 1)', ref="A",
                instant=True, table=True),
         target(f'max by (check) (freshness_artifact_age_seconds{{{SEL}}})', ref="B",
                instant=True, table=True),
         target(f'max by (check) (freshness_artifact_deadline_timestamp_seconds{{{SEL}}}) * 1000',
                ref="C", instant=True, table=True),
         target(f'max by (check) (freshness_artifact_missed_slots{{{SEL}}})', ref="D",
                instant=True, table=True)],
        "none", "check",
        {"excludeByName": {"Time": True, "Time 1": True, "Time 2": True, "Time 3": True,
                           "Time 4": True, "Value #A": True},
         "renameByName": {"state": "State", "Value #B": "Age", "Value #C": "Deadline",
                          "Value #D": "Missed slots"},
         "indexByName": {"check": 0, "state": 1, "Value #B": 2, "Value #C": 3, "Value #D": 4}},
        overrides=[override("Age", {"unit": "s"}),
                   override("Deadline", {"unit": "dateTimeAsIso"}),
                   override("State", {"mappings": STATE_MAPPINGS,
                                      "custom.cellOptions": {"type": "color-background"}}),
                   override("Missed slots", {
                       "custom.cellOptions": {"type": "color-text"},
                       "color": {"mode": "thresholds"},
                       "thresholds": {"mode": "absolute",
                                      "steps": [GREEN, {"color": "red", "value": 1}]}})]),
            14, 9)
    lay.add(state_timeline(
        "Artifact state over time",
        "State of each artifact check's slot in force over time.",
        [target("", "{{check}}")], "none", [], [GREEN]), 10, 9)
    # The state-timeline needs one number per check: weight the one-hot series by a state code.
    codes = list(STATE_COLORS)
    lay.panels[-1]["targets"][0]["expr"] = " + ".join(
        f'(max by (check) (freshness_artifact_state{{{SEL}, state="{s}"}}) * {i})'
        for i, s in enumerate(codes))
    lay.panels[-1]["fieldConfig"]["defaults"]["mappings"] = [{"type": "value", "options": {
        str(i): {"text": s, "color": STATE_COLORS[s], "index": i} for i, s in enumerate(codes)}}]

    lay.row("Alerts")
    lay.add(table(
        "Firing alerts",
        "Alerts about the selected exporters firing now (ALERTS series): those of the "
        "selected checks plus exporter-wide ones without a check label.",
        [target(f'ALERTS{{{SEL_ALERTS}, alertstate="firing"}}', ref="A", instant=True,
                table=True)],
        "none", "alertname",
        {"excludeByName": {"Time": True, "Value": True, "__name__": True, "alertstate": True},
         "indexByName": {"alertname": 0, "severity": 1, "check": 2}},
        overrides=[override("severity", {"custom.cellOptions": {"type": "color-background"},
                                         "mappings": [{"type": "value", "options": {
                                             "critical": {"color": "red", "index": 0},
                                             "warning": {"color": "orange", "index": 1},
                                             "info": {"color": "blue", "index": 2},
                                             "none": {"color": "text", "index": 3}}}]})]),
            12, 8)
    lay.panels[-1]["transformations"] = [lay.panels[-1]["transformations"][1]]
    lay.add(state_timeline(
        "Recent alerts",
        "Which alerts about the selected exporters and checks were pending or firing over the "
        "selected time range (ALERTS series).",
        [target(f'max by (alertname, check) (ALERTS{{{SEL_ALERTS}, alertstate="firing"}}) * 2'
                f' or max by (alertname, check) (ALERTS{{{SEL_ALERTS}, alertstate="pending"}})',
                "{{alertname}} {{check}}")],
        "none",
        [{"type": "value", "options": {"1": {"text": "pending", "color": "yellow", "index": 0},
                                       "2": {"text": "firing", "color": "red", "index": 1}}}],
        [GREEN]), 12, 8)

    lay.row("Observe mode")
    lay.add(table(
        "Observe-mode checks",
        "Checks in mode observe: evaluated and exported, their alerts routed to no one. Use "
        "this to see what a new check would have raised before switching it to enforce.",
        [target(f'max by (check, kind, target, severity) '
                f'(freshness_check_info{{{SEL}, mode="observe"}})', ref="A", instant=True,
                table=True),
         target(f'max by (check) (freshness_check_success{{{SEL}}}) and on(check) '
                f'max by (check) (freshness_check_info{{{SEL}, mode="observe"}})', ref="B",
                instant=True, table=True),
         target(f'count by (check) (ALERTS{{{SEL}, alertstate="firing", mode="observe"}}) '
                f'or on(check) (0 * max by (check) '
                f'(freshness_check_info{{{SEL}, mode="observe"}}))', ref="C",
                instant=True, table=True)],
        "none", "check",
        {"excludeByName": {"Time": True, "Time 1": True, "Time 2": True, "Time 3": True,
                           "Value #A": True},
         "renameByName": {"Value #B": "Last collection", "Value #C": "Alerts it would raise"}},
        overrides=[override("Last collection", {"mappings": SUCCESS_MAPPINGS,
                                                "custom.cellOptions": {
                                                    "type": "color-background"}})]), 12, 8)
    lay.add(table(
        "Observe-mode artifact states",
        "State of the slot in force for artifact checks in observe mode.",
        [target(f'max by (check, state) (freshness_artifact_state{{{SEL}}} == 1) and on(check) '
                f'max by (check) (freshness_check_info{{{SEL}, mode="observe"}})', ref="A",
                instant=True, table=True)],
        "none", "check",
        {"excludeByName": {"Time": True, "Value": True}, "renameByName": {"state": "State"}},
        overrides=[override("State", {"mappings": STATE_MAPPINGS,
                                      "custom.cellOptions": {"type": "color-background"}})]),
            12, 8)
    lay.panels[-1]["transformations"] = [lay.panels[-1]["transformations"][1]]

    return dashboard(
        "freshness-pipeline", "Pipeline freshness",
        "Data-pipeline freshness from freshness_exporter: table lag against thresholds, "
        "unfinished and duplicated runs, scheduled artifacts, alerts and observe-mode checks.",
        ["freshness", "pipelines"], lay)


def exporter_health():
    lay = Layout()
    lay.row("Exporter")
    lay.add(stat("Exporter up",
                 "Prometheus scrape of the exporter succeeded (up), lowest over the selected "
                 "instances.",
                 f'min(up{{{SEL_EXPORTER}}})', "none",
                 [{"color": "red", "value": None}, {"color": "green", "value": 1}],
                 UP_MAPPINGS), 4, 4)
    lay.add(stat("Self-heartbeat age",
                 "Time since the newest completed collection of any check "
                 "(freshness_last_collection_timestamp_seconds). A growing value means the "
                 "collection loop stalled.",
                 f'max(time() - freshness_last_collection_timestamp_seconds{{{SEL_EXPORTER}}})',
                 "s", [GREEN, {"color": "orange", "value": 120}, {"color": "red", "value": 600}]),
            4, 4)
    lay.add(stat("Last reload",
                 "Whether the last configuration reload (SIGHUP or POST /-/reload) succeeded. A "
                 "failed reload keeps the running configuration.",
                 f'min(freshness_config_last_reload_successful{{{SEL_EXPORTER}}})', "none",
                 [{"color": "red", "value": None}, {"color": "green", "value": 1}],
                 [{"type": "value", "options": {
                     "0": {"text": "failed", "color": "red", "index": 0},
                     "1": {"text": "ok", "color": "green", "index": 1}}}]), 4, 4)
    lay.add(stat("Config age",
                 "Time since the configuration was last loaded successfully.",
                 f'max(time() - freshness_config_last_reload_success_timestamp_seconds'
                 f'{{{SEL_EXPORTER}}})', "s", [GREEN]), 4, 4)
    lay.add(stat("Targets down",
                 "Database targets that do not answer (freshness_target_up == 0).",
                 f'count(freshness_target_up{{{SEL_EXPORTER}}} == 0) or vector(0)', "none",
                 [GREEN, {"color": "red", "value": 1}]), 4, 4)
    lay.add(stat("Uptime",
                 "Time since the exporter process started (process_start_time_seconds).",
                 f'min(time() - process_start_time_seconds{{{SEL_EXPORTER}}})', "s", [GREEN]),
            4, 4)
    lay.add(table(
        "Build and configuration",
        "Version and revision of each exporter instance, reload status and when the running "
        "configuration was loaded.",
        [target(f'max by (instance, version, revision) '
                f'(freshness_exporter_build_info{{{SEL_EXPORTER}}})', ref="A", instant=True,
                table=True),
         target(f'max by (instance) (freshness_config_last_reload_successful{{{SEL_EXPORTER}}})',
                ref="B", instant=True, table=True),
         target(f'max by (instance) (freshness_config_last_reload_success_timestamp_seconds'
                f'{{{SEL_EXPORTER}}}) * 1000', ref="C", instant=True, table=True)],
        "none", "instance",
        {"excludeByName": {"Time": True, "Time 1": True, "Time 2": True, "Time 3": True,
                           "Value #A": True},
         "renameByName": {"Value #B": "Last reload", "Value #C": "Loaded at"}},
        overrides=[override("Last reload", {"mappings": SUCCESS_MAPPINGS,
                                            "custom.cellOptions": {"type": "color-background"}}),
                   override("Loaded at", {"unit": "dateTimeAsIso"})]), 10, 6)
    lay.add(timeseries(
        "Reload status",
        "freshness_config_last_reload_successful per instance: 1 after a good reload, 0 after "
        "a rejected file (the previous configuration keeps running).",
        [target(f'max by (instance) (freshness_config_last_reload_successful{{{SEL_EXPORTER}}})',
                "{{instance}}")], "none", min_value=0), 8, 6)
    lay.add(stat("Calendar validity left",
                 "Time until the end of each business calendar's holiday list (valid_through). "
                 "Past it, the checks that use the calendar fail with reason config; "
                 "FreshnessCalendarExpiring warns 30 days ahead.",
                 f'min by (calendar) (freshness_calendar_valid_through_timestamp_seconds'
                 f'{{{SEL_EXPORTER}}}) - time()', "s",
                 [{"color": "red", "value": None}, {"color": "orange", "value": 7 * 86400},
                  {"color": "green", "value": 30 * 86400}]), 6, 6)
    lay.panels[-1]["targets"][0]["legendFormat"] = "{{calendar}}"
    lay.panels[-1]["options"]["textMode"] = "value_and_name"

    lay.row("Collections")
    lay.add(timeseries(
        "Collection duration per check",
        "Duration of each check's last collection (freshness_check_duration_seconds). Compare "
        "with the check's timeout budget.",
        [target(f'max by (check) (freshness_check_duration_seconds{{{SEL}}})', "{{check}}")],
        "s", min_value=0), 12, 8)
    lay.add(state_timeline(
        "Collection success per check",
        "Whether each check's last collection succeeded (freshness_check_success). A failing "
        "check keeps its last good observation.",
        [target(f'min by (check) (freshness_check_success{{{SEL}}})', "{{check}}")],
        "none", SUCCESS_MAPPINGS,
        [{"color": "red", "value": None}, {"color": "green", "value": 1}]), 12, 8)
    lay.add(timeseries(
        "Check errors by reason",
        "Rate of collection errors per check and reason (timeout, connection, query, probe, "
        "config) from freshness_check_errors_total.",
        [target(f'sum by (check, reason) (rate(freshness_check_errors_total{{{SEL}}}'
                '[$__rate_interval]))', "{{check}} {{reason}}")],
        "ops", min_value=0, stack=True), 12, 8)
    lay.add(timeseries(
        "Time since last successful collection",
        "now − freshness_check_last_success_timestamp_seconds per check: how old the value on "
        "the freshness dashboard is.",
        [target(f'max by (check) (time() - freshness_check_last_success_timestamp_seconds'
                f'{{{SEL}}})', "{{check}}")],
        "s", min_value=0), 12, 8)
    lay.add(state_timeline(
        "Target up",
        "Whether each PostgreSQL target answers (freshness_target_up). A target down inhibits "
        "that target's data alerts.",
        [target(f'min by (target) (freshness_target_up{{{SEL_EXPORTER}}})', "{{target}}")],
        "none", UP_MAPPINGS, [{"color": "red", "value": None}, {"color": "green", "value": 1}]),
            12, 8)
    lay.add(timeseries(
        "Self-heartbeat age",
        "now − freshness_last_collection_timestamp_seconds per instance: time since the newest "
        "completed collection. Alerted on when it stalls.",
        [target(f'time() - freshness_last_collection_timestamp_seconds{{{SEL_EXPORTER}}}',
                "{{instance}}")], "s", min_value=0), 12, 8)

    lay.row("Scrape and process")
    lay.add(timeseries(
        "Scrape duration",
        "How long Prometheus takes to scrape /metrics (scrape_duration_seconds). A scrape "
        "renders the last results and never touches a database, so it stays short.",
        [target(f'scrape_duration_seconds{{{SEL_EXPORTER}}}', "{{instance}}")], "s",
        min_value=0), 12, 8)
    lay.add(timeseries(
        "Process CPU",
        "CPU used by the exporter process, in cores (rate of process_cpu_seconds_total).",
        [target(f'rate(process_cpu_seconds_total{{{SEL_EXPORTER}}}[$__rate_interval])',
                "{{instance}}")], "percentunit", min_value=0), 12, 8)
    lay.add(timeseries(
        "Process memory",
        "Resident and virtual memory of the exporter process.",
        [target(f'process_resident_memory_bytes{{{SEL_EXPORTER}}}', "{{instance}} resident", "A"),
         target(f'process_virtual_memory_bytes{{{SEL_EXPORTER}}}', "{{instance}} virtual", "B")],
        "bytes", min_value=0), 12, 8)
    lay.add(timeseries(
        "File descriptors",
        "Open file descriptors of the exporter process against its limit (process_max_fds).",
        [target(f'process_open_fds{{{SEL_EXPORTER}}}', "{{instance}} open", "A"),
         target(f'process_max_fds{{{SEL_EXPORTER}}}', "{{instance}} max", "B")],
        "none", min_value=0), 12, 8)

    return dashboard(
        "freshness-exporter", "Exporter health",
        "Health of freshness_exporter itself: collection duration and success per check, errors "
        "by reason, targets, reloads, self-heartbeat, scrape duration and process resources.",
        ["freshness", "exporter"], lay)


DASHBOARDS = {
    "pipeline-freshness.json": pipeline_freshness,
    "exporter-health.json": exporter_health,
}


def render(build):
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"


def main(argv):
    check = "--check" in argv[1:]
    stale = []
    for name, build in DASHBOARDS.items():
        path = os.path.join(HERE, name)
        text = render(build)
        if check:
            try:
                with open(path, encoding="utf-8") as f:
                    current = f.read()
            except FileNotFoundError:
                current = None
            if current != text:
                stale.append(name)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if stale:
        print("out of date (run python3 dashboards/generate.py): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
