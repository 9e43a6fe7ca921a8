"""A real prometheus-alertmanager on a free loopback port, for the tests of tests/rules/.

    with running_alertmanager(source_yml, workdir, smtp_smarthost="127.0.0.1:2525") as base:
        request(f"{base}/api/v2/alerts", [...])

It runs the shipped config through the test overlay (tests/e2e/overlay.py: receivers pointed at
a closed local port or at capture_url, timers of seconds) and stops Alertmanager on exit;
workdir holds its config, secrets, data and log.
"""
import contextlib
import datetime
import json
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(REPO / "tests" / "e2e"))
import overlay  # noqa: E402


class HarnessError(Exception):
    pass


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(url, data=None):
    body = None if data is None else json.dumps(data).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as response:
        return json.loads(response.read() or "null")


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def now():
    return datetime.datetime.now(datetime.timezone.utc)


@contextlib.contextmanager
def running_alertmanager(source, workdir, smtp_smarthost="127.0.0.1:1",
                         capture_url="http://127.0.0.1:1"):
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if not binary:
        raise HarnessError("prometheus-alertmanager not found (scripts/install-deps.sh)")
    workdir = pathlib.Path(workdir)
    config = workdir / "alertmanager.yml"
    overlay.overlay_alertmanager(source, config, workdir / "secrets", capture_url,
                                 smtp_smarthost=smtp_smarthost)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = workdir / "alertmanager.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.path={workdir / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/ready", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    print(log_path.read_text(), file=sys.stderr)
                    raise HarnessError("Alertmanager did not start")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()



@contextlib.contextmanager
def running_capture(workdir):
    """tests/e2e/capture_server.py on a free port; yields (its URL, the file it records to)."""
    workdir = pathlib.Path(workdir)
    records = workdir / "captures.jsonl"
    records.touch()
    port_file = workdir / "capture.port"
    process = subprocess.Popen([sys.executable, str(REPO / "tests/e2e/capture_server.py"),
                                str(records), str(port_file)])
    try:
        deadline = time.monotonic() + 10
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or process.poll() is not None:
                raise HarnessError("the capture server did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port_file.read_text().strip()}", records
    finally:
        process.terminate()
        process.wait(timeout=10)


def captured(records):
    """Every request the capture server recorded so far, oldest first."""
    return [json.loads(line) for line in pathlib.Path(records).read_text().splitlines() if line]
