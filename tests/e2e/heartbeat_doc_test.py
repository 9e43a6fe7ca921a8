#!/usr/bin/env python3
"""The heartbeat pattern of docs/heartbeats.md, run as written against a real PostgreSQL.

usage: heartbeat_doc_test.py EXPORTER_BINARY

Takes the page's SQL blocks (table and upsert) and its YAML block (the checks) verbatim, starts
PostgreSQL 15 on loopback in a temporary directory, lets `ingest` beat now, `scorer` 3 minutes
ago and `batch` never, writes the heartbeat file with the page's shell line and backdates it 5
minutes, runs
`freshness_exporter --once --output=json` and asserts the verdicts the page promises: one series
per expected service with its lag (+Inf for the service without a row), `heartbeats` critical
because of `batch` with `scorer` over the warning tier, the stale file critical. Then `batch`
and `scorer` beat and the file is written again: every verdict is ok.
"""
import json
import os
import re
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "deploy"))
import deploy_lib as lib  # noqa: E402
from dashboards_live_test import Stack, shell  # noqa: E402

EXPORTER = None
DOC = os.path.join(lib.ROOT, "docs", "heartbeats.md")


def blocks(language):
    with open(DOC, encoding="utf-8") as f:
        return re.findall(r"```" + language + r"\n(.*?)```", f.read(), re.S)


class HeartbeatDocTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        lib.require_tool("psql")
        if not EXPORTER or not os.access(EXPORTER, os.X_OK):
            raise AssertionError(f"no exporter binary at {EXPORTER}")
        cls.stack = Stack()
        try:
            port = shell("free_port")
            shell(f'pg_start "{cls.stack.pgdata}" {port}')
            cls.stack.pg_started = True
            cls.dsn = shell(f"pg_dsn {port}")
        except BaseException:
            cls.stack.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def psql(self, sql):
        subprocess.run(["psql", self.dsn, "--no-psqlrc", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       check=True, capture_output=True)

    def beat(self, service, seconds_ago):
        # The page's upsert, as a service runs it, moved back in time.
        upsert = blocks("sql")[1].replace("'ingest'", f"'{service}'").replace(
            "now()", f"now() - interval '{seconds_ago} seconds'")
        self.psql(upsert)

    def run_once(self):
        result = subprocess.run(
            [EXPORTER, f"--config.file={self.config}", "--once", "--output=json"],
            capture_output=True, text=True, env=dict(os.environ, HEARTBEAT_DSN=self.dsn),
            timeout=60)
        self.assertIn(result.returncode, (0, 1, 2), result.stderr)
        return result.returncode, {c["name"]: c for c in json.loads(result.stdout)["checks"]}

    def test_the_documented_pattern(self):
        sql, upsert = blocks("sql")
        self.assertIn("ON CONFLICT (service)", upsert)
        self.psql(sql)
        (config_text,) = blocks("yaml")
        self.config = os.path.join(self.stack.dir, "heartbeats.yml")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(config_text)
        beat_file = os.path.join(self.stack.dir, "heartbeats", "nightly-export.beat")
        os.makedirs(os.path.dirname(beat_file))
        # As the page's shell line does (a file with the time in it, not an empty one).
        shell_line = blocks("sh")[0].strip()
        subprocess.run(["sh", "-c", shell_line], cwd=self.stack.dir, check=True)
        self.assertGreater(os.path.getsize(beat_file), 0)
        os.utime(beat_file, (time.time() - 300, time.time() - 300))
        self.beat("ingest", 0)
        self.beat("scorer", 180)

        code, checks = self.run_once()
        self.assertEqual(code, 2, "the worst verdict is critical (exit 2)")
        heartbeats = checks["heartbeats"]
        self.assertEqual(heartbeats["verdict"], "critical", heartbeats["reason"])
        self.assertEqual(heartbeats["worst"]["labels"], {"service": "batch"})
        lags = {s["labels"]["service"]: s["value"] for s in heartbeats["samples"]
                if s["metric"] == "freshness_lag_seconds"}
        self.assertEqual(set(lags), {"ingest", "scorer", "batch"})
        self.assertLess(float(lags["ingest"]), 60)
        self.assertGreater(float(lags["scorer"]), 120, "scorer is over warn_after 2m")
        self.assertLess(float(lags["scorer"]), 300, "but under error_after 5m")
        self.assertEqual(str(lags["batch"]), "+Inf")
        file_check = checks["nightly_export_heartbeat"]
        self.assertEqual(file_check["verdict"], "critical", file_check["reason"])
        self.assertEqual(file_check["state"], "stale", file_check["reason"])

        self.beat("batch", 0)
        self.beat("scorer", 0)
        subprocess.run(["sh", "-c", shell_line], cwd=self.stack.dir, check=True)
        code, checks = self.run_once()
        self.assertEqual(code, 0, {n: c["reason"] for n, c in checks.items()})
        self.assertEqual({c["verdict"] for c in checks.values()}, {"ok"})


if __name__ == "__main__":
    EXPORTER = sys.argv.pop(1) if len(sys.argv) > 1 else None
    unittest.main(verbosity=2)
