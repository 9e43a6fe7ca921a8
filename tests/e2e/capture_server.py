#!/usr/bin/env python3
"""A stand-in for Slack and PagerDuty: records every POST as one JSON line.

usage: capture_server.py OUT.jsonl PORT_FILE

Listens on 127.0.0.1 on a free port and writes that port to PORT_FILE once it accepts
connections. Each request body (JSON when it parses, text otherwise) is appended to OUT.jsonl as
{"path": ..., "received": unix seconds, "body": ...}. Answers like the real services do: 202 with a
JSON status for paths under /pagerduty, 200 "ok" otherwise. Standard library only.
"""
import http.server
import json
import os
import sys
import threading
import time

LOCK = threading.Lock()


class CaptureHandler(http.server.BaseHTTPRequestHandler):
    out_path = ""

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw
        record = {"path": self.path, "received": time.time(), "body": body}
        with LOCK, open(self.out_path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, sort_keys=True) + "\n")
        if self.path.startswith("/pagerduty"):
            self._reply(202, "application/json",
                        json.dumps({"status": "success", "message": "Event processed"}))
        else:
            self._reply(200, "text/plain", "ok")

    def do_GET(self):  # noqa: N802
        self._reply(200, "text/plain", "capture server\n")

    def _reply(self, status, content_type, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        sys.stderr.write("capture: " + (format % args) + "\n")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    CaptureHandler.out_path = sys.argv[1]
    open(CaptureHandler.out_path, "a").close()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CaptureHandler)
    port_file = sys.argv[2]
    with open(port_file + ".tmp", "w") as out:
        out.write(f"{server.server_address[1]}\n")
    os.replace(port_file + ".tmp", port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
