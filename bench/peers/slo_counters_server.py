#!/usr/bin/env python3
"""Serves, on /metrics, the raw counters Sloth-style SLO rules need for N freshness checks
(bench/peers/sloth_style_rules.py): bench_slo_counting_seconds_total{check} grows with the wall
clock; bench_slo_bad_seconds_total{check} too for every tenth check (c0, c10, ...: bad all the
time), else stays 0. The same share of bad checks as bench/slo_rules_bench.sh gives the exporter.

usage: slo_counters_server.py PORT N
"""
import http.server
import sys
import time

START = time.time()


class Handler(http.server.BaseHTTPRequestHandler):
    n = 0

    def do_GET(self):
        if self.path.split("?")[0] != "/metrics":
            self.send_error(404)
            return
        elapsed = time.time() - START
        lines = ["# TYPE bench_slo_counting_seconds_total counter",
                 "# HELP bench_slo_counting_seconds_total Counting seconds so far."]
        lines += [f'bench_slo_counting_seconds_total{{check="c{i}"}} {elapsed:.3f}'
                  for i in range(self.n)]
        lines += ["# TYPE bench_slo_bad_seconds_total counter",
                  "# HELP bench_slo_bad_seconds_total Bad counting seconds so far."]
        lines += [f'bench_slo_bad_seconds_total{{check="c{i}"}} '
                  f'{elapsed if i % 10 == 0 else 0:.3f}' for i in range(self.n)]
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    Handler.n = int(sys.argv[2])
    http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()


if __name__ == "__main__":
    main()
