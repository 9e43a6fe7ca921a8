#!/usr/bin/python3
"""Inhibition rules of rules/alertmanager/alertmanager.yml, against a real Alertmanager.

usage: inhibition_test.py [ALERTMANAGER_YML]

Starts prometheus-alertmanager on a free loopback port with the shipped config (test overlay:
receivers pointed at a closed local port), posts alerts through its API and checks which ones
Alertmanager reports as inhibited, and by what.
"""
import datetime
import json
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(REPO / "tests" / "e2e"))
import overlay  # noqa: E402

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


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(url, data=None):
    body = None if data is None else json.dumps(data).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as response:
        return json.loads(response.read() or "null")


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else str(REPO / "rules/alertmanager/alertmanager.yml")
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if not binary:
        print("inhibition_test: prometheus-alertmanager not found", file=sys.stderr)
        return 1
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="freshness-inhibition."))
    process = None
    try:
        config = workdir / "alertmanager.yml"
        overlay.overlay_alertmanager(source, config, workdir / "secrets", "http://127.0.0.1:1")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(workdir / "alertmanager.log", "w")
        process = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.path={workdir / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/ready", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    print((workdir / "alertmanager.log").read_text(), file=sys.stderr)
                    print("inhibition_test: Alertmanager did not start", file=sys.stderr)
                    return 1
                time.sleep(0.2)

        now = datetime.datetime.now(datetime.timezone.utc)
        stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731
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
                    [{"labels": labels, "startsAt": stamp(now),
                      "endsAt": stamp(now + datetime.timedelta(hours=1))} for labels in posted])
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
            ended = stamp(datetime.datetime.now(datetime.timezone.utc))
            request(f"{base}/api/v2/alerts",
                    [{"labels": labels, "startsAt": stamp(now), "endsAt": ended}
                     for labels in posted])
            verdict = "ok  " if got == expect_inhibited else "FAIL"
            failures += got != expect_inhibited
            print(f"{verdict} {name}: inhibited={got}, expected {expect_inhibited}")
        print(f"inhibition_test: {len(CASES) - failures}/{len(CASES)} cases pass")
        return 1 if failures else 0
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
