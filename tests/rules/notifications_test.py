#!/usr/bin/python3
"""What reaches people, through a real Alertmanager running the shipped routing and templates.

usage: notifications_test.py [ALERTMANAGER_YML]

Starts prometheus-alertmanager (test overlay: timers of seconds) and a capture server standing in
for Slack and PagerDuty, posts alerts as Prometheus would and asserts on the notifications:
  - a check with two lagging series is one Slack notification that names both series;
  - a data alert that resolves while FreshnessExporterDown fires closes its PagerDuty incident
    (there is no inhibition that would swallow the resolve);
  - escalation: the critical tier pages, the warning of the same series resolves in Slack;
  - observe-mode alerts and the Watchdog reach nobody.
"""
import datetime
import pathlib
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from alertmanager_harness import (REPO, HarnessError, captured, now, request,  # noqa: E402
                                  running_alertmanager, running_capture, stamp)

DEPLOYMENT = {"job": "freshness_exporter", "env": "prod"}


def data_alert(name, severity, check, series="", **labels):
    return {
        "labels": {"alertname": name, "severity": severity, "check": check, "target": "ops",
                   "mode": "enforce", **DEPLOYMENT, **labels},
        "annotations": {"summary": f"{name} summary.", "description": f"{check} {series} is late.",
                        "series": series, "runbook_url": f"docs/runbooks.md#{name.lower()}"},
    }


class Timeline:
    def __init__(self, base, records):
        self.base, self.records, self.started = base, records, now()

    def fire(self, *alerts):
        request(f"{self.base}/api/v2/alerts", [
            dict(a, startsAt=stamp(self.started), endsAt=stamp(now() + datetime.timedelta(hours=1)))
            for a in alerts])

    def resolve(self, *alerts):
        request(f"{self.base}/api/v2/alerts", [
            dict(a, startsAt=stamp(self.started), endsAt=stamp(now())) for a in alerts])

    def wait(self, what, predicate, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [r for r in captured(self.records) if predicate(r)]
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"no {what} within {timeout}s; captured: "
                             + "; ".join(f"{r['path']} {r['body']}" for r in captured(self.records)))


def slack_title(record):
    return record["body"]["attachments"][0]["title"] if record["path"] == "/slack" else ""


def pagerduty(record, action, check):
    body = record["body"]
    return (record["path"] == "/pagerduty" and body.get("event_action") == action
            and body.get("payload", {}).get("custom_details", {}).get("check", "").startswith(check))


def case_series_named(t):
    t.fire(data_alert("FreshnessLagHigh", "warning", "trades", "symbol=XYZ", symbol="XYZ"),
           data_alert("FreshnessLagHigh", "warning", "trades", "symbol=QQQ", symbol="QQQ"))
    [message] = t.wait("Slack notification for trades",
                       lambda r: "check=trades" in slack_title(r))[:1]
    title = slack_title(message)
    text = message["body"]["attachments"][0]["text"]
    assert title.startswith("[FIRING:2] FreshnessLagHigh check=trades (warning): "), title
    assert "symbol=QQQ" in title and "symbol=XYZ" in title, title
    assert "Series: symbol=XYZ" in text and "Series: symbol=QQQ" in text, text
    time.sleep(2)
    count = len([r for r in captured(t.records) if "check=trades" in slack_title(r)])
    assert count == 1, f"{count} Slack notifications for one problem"


def case_resolve_while_exporter_down(t):
    duplicate = data_alert("FreshnessDuplicateExecution", "critical", "executions")
    down = {"labels": {"alertname": "FreshnessExporterDown", "severity": "critical",
                       "instance": "exporter:9560", **DEPLOYMENT},
            "annotations": {"summary": "down.", "description": "down", "runbook_url": "x"}}
    t.fire(duplicate)
    t.wait("the duplicate's page", lambda r: pagerduty(r, "trigger", "executions"))
    t.fire(down)
    t.wait("the exporter-down page", lambda r: r["path"] == "/pagerduty" and
           "FreshnessExporterDown" in r["body"].get("payload", {}).get("summary", ""))
    t.resolve(duplicate)
    t.wait("the duplicate's resolve while the exporter is down",
           lambda r: pagerduty(r, "resolve", "executions"))
    t.resolve(down)


def case_escalation(t):
    warning = data_alert("FreshnessLagHigh", "warning", "telemetry")
    critical = data_alert("FreshnessLagHigh", "critical", "telemetry")
    t.fire(warning)
    t.wait("the warning in Slack", lambda r: slack_title(r).startswith("[FIRING:1] FreshnessLagHigh check=telemetry (warning)"))
    t.fire(critical, warning)
    t.wait("the critical page", lambda r: pagerduty(r, "trigger", "telemetry"))
    t.resolve(warning)
    t.wait("the warning's resolve in Slack",
           lambda r: slack_title(r).startswith("[RESOLVED] FreshnessLagHigh check=telemetry (warning)"))
    assert not [r for r in captured(t.records) if "check=telemetry (critical)" in slack_title(r)], \
        "the critical tier went to Slack"


def case_nobody(t):
    observed = data_alert("FreshnessLagHigh", "critical", "shadow", mode="observe")
    watchdog = {"labels": {"alertname": "Watchdog", "severity": "none"}, "annotations": {}}
    t.fire(observed, watchdog)
    time.sleep(4)
    leaked = [r for r in captured(t.records)
              if "shadow" in str(r["body"]) or "Watchdog" in str(r["body"])]
    assert not leaked, f"observe mode or the Watchdog notified someone: {leaked}"


CASES = [
    ("a check with two lagging series is one notification naming both", case_series_named),
    ("a resolve while the exporter is down closes the PagerDuty incident",
     case_resolve_while_exporter_down),
    ("escalation pages, and the warning resolves in Slack", case_escalation),
    ("observe mode and the Watchdog reach nobody", case_nobody),
]


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else str(REPO / "rules/alertmanager/alertmanager.yml")
    failures = 0
    for name, case in CASES:
        workdir = pathlib.Path(tempfile.mkdtemp(prefix="freshness-notifications."))
        try:
            with running_capture(workdir) as (url, records), \
                    running_alertmanager(source, workdir, capture_url=url) as base:
                case(Timeline(base, records))
            print(f"ok   {name}")
        except (AssertionError, HarnessError) as error:
            failures += 1
            print(f"FAIL {name}: {error}", file=sys.stderr)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"notifications_test: {len(CASES) - failures}/{len(CASES)} cases pass")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
