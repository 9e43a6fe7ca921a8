#!/usr/bin/python3
"""Inhibition rules of rules/alertmanager/alertmanager.yml, against a real Alertmanager.

usage: inhibition_test.py [ALERTMANAGER_YML]

Starts prometheus-alertmanager on a free loopback port with the shipped config (test overlay:
receivers pointed at a closed local port), posts alerts through its API and checks which ones
Alertmanager reports as inhibited, and by what.
"""
import datetime
import pathlib
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from alertmanager_harness import (REPO, HarnessError, now, request,  # noqa: E402
                                  running_alertmanager, stamp)

EXPORTER = {"job": "freshness_exporter", "instance": "exporter:9560", "env": "prod"}
OTHER_EXPORTER = {"job": "freshness_exporter", "instance": "exporter-2:9560", "env": "prod"}


def alert(name, severity, **labels):
    return {"alertname": name, "severity": severity, **labels}


# (source alerts that fire, target alert, expected: inhibited by a source or not)
CASES = [
    ("target down silences its checks' alerts",
     [alert("FreshnessTargetDown", "critical", target="ops", **EXPORTER)],
     alert("FreshnessLagHigh", "warning", check="telemetry", target="ops", mode="enforce", **EXPORTER),
     True),
    ("target down silences check failures on that target",
     [alert("FreshnessTargetDown", "critical", target="ops", **EXPORTER)],
     alert("FreshnessCheckFailing", "warning", check="features", target="ops", mode="enforce", **EXPORTER),
     True),
    ("target down leaves other targets alone",
     [alert("FreshnessTargetDown", "critical", target="ops", **EXPORTER)],
     alert("FreshnessLagHigh", "warning", check="research_lag", target="research", mode="enforce", **EXPORTER),
     False),
    ("exporter down silences its data alerts",
     [alert("FreshnessExporterDown", "critical", **EXPORTER)],
     alert("FreshnessDuplicateExecution", "critical", check="executions", target="ops", mode="enforce", **EXPORTER),
     True),
    ("exporter down leaves another exporter's alerts alone",
     [alert("FreshnessExporterDown", "critical", **EXPORTER)],
     alert("FreshnessDuplicateExecution", "critical", check="executions", target="ops", mode="enforce", **OTHER_EXPORTER),
     False),
    ("exporter absent silences the job's alerts",
     [alert("FreshnessExporterAbsent", "critical", job="freshness_exporter")],
     alert("FreshnessUnfinishedRuns", "critical", check="dispatcher", target="ops", mode="enforce", **EXPORTER),
     True),
    ("critical silences the warning of the same alert and check",
     [alert("TradingDailyLossLimit", "critical", check="daily_pnl", account="hedge", target="ops", mode="enforce", **EXPORTER)],
     alert("TradingDailyLossLimit", "warning", check="daily_pnl", account="hedge", target="ops", mode="enforce", **EXPORTER),
     True),
    ("critical leaves the warning of another series of the same check alone",
     [alert("TradingDailyLossLimit", "critical", check="daily_pnl", account="hedge", target="ops", mode="enforce", **EXPORTER)],
     alert("TradingDailyLossLimit", "warning", check="daily_pnl", account="main", target="ops", mode="enforce", **EXPORTER),
     False),
    ("critical leaves the warning of another check alone",
     [alert("FreshnessArtifactMissing", "critical", check="pit_parity", mode="enforce", **EXPORTER)],
     alert("FreshnessArtifactMissing", "warning", check="eod_report", mode="enforce", **EXPORTER),
     False),
    ("nothing silences the Watchdog",
     [alert("FreshnessExporterDown", "critical", **EXPORTER),
      alert("FreshnessExporterAbsent", "critical", job="freshness_exporter")],
     alert("Watchdog", "none"),
     False),
]


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else str(REPO / "rules/alertmanager/alertmanager.yml")
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="freshness-inhibition."))
    try:
        with running_alertmanager(source, workdir) as base:
            return run_cases(base)
    except HarnessError as error:
        print(f"inhibition_test: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_cases(base):
    started = now()
    failures = 0
    for index, (name, sources, target, expect_inhibited) in enumerate(CASES):
        # Each case has its own label and instances, and resolves its alerts at the end, so
        # cases never inhibit each other.
        def isolate(labels):
            labels = dict(labels, test_case=str(index))
            if "instance" in labels:
                labels["instance"] = f"case{index}-{labels['instance']}"
            return labels
        posted = [isolate(s) for s in sources] + [isolate(target)]
        request(f"{base}/api/v2/alerts",
                [{"labels": labels, "startsAt": stamp(started),
                  "endsAt": stamp(started + datetime.timedelta(hours=1))} for labels in posted])
        got = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            alerts = request(f"{base}/api/v2/alerts?filter=test_case%3D%22{index}%22")
            mine = [a for a in alerts if a["labels"] == isolate(target)]
            if mine and len(alerts) == len(posted):
                got = bool(mine[0]["status"]["inhibitedBy"])
                if got == expect_inhibited:
                    break
            time.sleep(0.2)
        ended = stamp(now())
        request(f"{base}/api/v2/alerts",
                [{"labels": labels, "startsAt": stamp(started), "endsAt": ended}
                 for labels in posted])
        verdict = "ok  " if got == expect_inhibited else "FAIL"
        failures += got != expect_inhibited
        print(f"{verdict} {name}: inhibited={got}, expected {expect_inhibited}")
    print(f"inhibition_test: {len(CASES) - failures}/{len(CASES)} cases pass")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
