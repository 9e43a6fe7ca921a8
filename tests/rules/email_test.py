#!/usr/bin/python3
"""The e-mail digest of rules/alertmanager/alertmanager.yml, delivered by a real Alertmanager.

usage: email_test.py [ALERTMANAGER_YML]

Starts a small SMTP server on a free loopback port (it offers AUTH PLAIN and records every
message) and prometheus-alertmanager with the shipped config (test overlay: timers of seconds,
the SMTP smarthost pointed at that server, no STARTTLS). Then, through Alertmanager's API:
  - an info alert and a warning alert fire: exactly one mail arrives, for the info alert, sent
    with the credentials of the config (the password read from its file), from and to the
    configured addresses, its subject the freshness.title template, a text part and an HTML
    part each showing the summary, the description, the check, the target and the runbook, and
    the HTML escaping what it must;
  - the info alert resolves: no mail (send_resolved: false).
"""
import base64
import datetime
import email
import email.policy
import pathlib
import shutil
import socketserver
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from alertmanager_harness import (REPO, HarnessError, free_port, now, request,  # noqa: E402
                                  running_alertmanager, stamp)

EXPORTER = {"job": "freshness_exporter", "instance": "exporter:9560", "env": "prod"}
INFO_ALERT = {
    "labels": {"alertname": "FreshnessCalendarExpiring", "severity": "info", "calendar": "xnys",
               "check": "positions_report", "target": "ops", **EXPORTER},
    "annotations": {
        "summary": "A calendar's holiday list ends soon.",
        "description": "Calendar xnys ends in 12 days; <after> that & beyond, every day is open.",
        "runbook_url": "docs/runbooks.md#freshnesscalendarexpiring",
    },
}
WARNING_ALERT = {
    "labels": {"alertname": "FreshnessLagHigh", "severity": "warning", "check": "telemetry",
               "target": "ops", "mode": "enforce", **EXPORTER},
    "annotations": {"summary": "Lag is high.", "description": "telemetry lags.",
                    "runbook_url": "docs/runbooks.md#freshnesslaghigh"},
}


class SmtpCapture(socketserver.ThreadingTCPServer):
    """Just enough ESMTP for Go's net/smtp client: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address):
        super().__init__(address, SmtpSession)
        self.messages = []
        self.lock = threading.Lock()


class SmtpSession(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        message = {"auth": None, "from": None, "to": [], "data": None}
        self.reply("220 127.0.0.1 ESMTP capture")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            argument = line[len(verb):].strip()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250-127.0.0.1\r\n250-8BITMIME\r\n250 AUTH PLAIN\r\n")
            elif verb == "AUTH":
                mechanism, _, initial = argument.partition(" ")
                if mechanism.upper() != "PLAIN" or not initial:
                    self.reply("504 5.5.4 only AUTH PLAIN with an initial response")
                    continue
                _, user, password = base64.b64decode(initial).decode().split("\0")
                message["auth"] = (user, password)
                self.reply("235 2.7.0 authenticated")
            elif verb == "MAIL":
                message["from"] = argument.partition(":")[2].split()[0].strip("<>")
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                message["to"].append(argument.partition(":")[2].strip().strip("<>"))
                self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while True:
                    data_line = self.rfile.readline()
                    if not data_line or data_line == b".\r\n":
                        break
                    lines.append(data_line[1:] if data_line.startswith(b"..") else data_line)
                message["data"] = b"".join(lines)
                with self.server.lock:
                    self.server.messages.append(dict(message))
                message = {"auth": message["auth"], "from": None, "to": [], "data": None}
                self.reply("250 2.0.0 queued")
            elif verb == "RSET":
                message.update({"from": None, "to": [], "data": None})
                self.reply("250 2.0.0 ok")
            elif verb == "NOOP":
                self.reply("250 2.0.0 ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("502 5.5.2 not implemented")


def post(base, alert, ends_at):
    request(f"{base}/api/v2/alerts",
            [dict(alert, startsAt=stamp(STARTED), endsAt=stamp(ends_at))])


STARTED = now() - datetime.timedelta(minutes=5)


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else str(REPO / "rules/alertmanager/alertmanager.yml")
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="freshness-email."))
    smtp = SmtpCapture(("127.0.0.1", free_port()))
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    failures = []

    def expect(condition, what):
        print(("ok   " if condition else "FAIL ") + what)
        if not condition:
            failures.append(what)

    try:
        with running_alertmanager(source, workdir,
                                  smtp_smarthost=f"127.0.0.1:{smtp.server_address[1]}") as base:
            later = now() + datetime.timedelta(hours=1)
            post(base, WARNING_ALERT, later)
            post(base, INFO_ALERT, later)
            # group_wait is 1 s in the overlay; give the warning's Slack attempt time to fail
            # (its receiver points at a closed port) and any stray mail time to arrive.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not smtp.messages:
                time.sleep(0.2)
            time.sleep(3)
            with smtp.lock:
                messages = list(smtp.messages)
            expect(len(messages) == 1, f"one mail for the two alerts (got {len(messages)})")
            if not messages:
                print((workdir / "alertmanager.log").read_text(), file=sys.stderr)
                return 1
            check_message(messages[0], workdir, expect)

            post(base, INFO_ALERT, now())  # resolved now
            time.sleep(8)  # group_interval is 5 s in the overlay
            with smtp.lock:
                after = len(smtp.messages)
            expect(after == 1, f"no mail when the info alert resolves (got {after - 1})")
    except HarnessError as error:
        print(f"email_test: {error}", file=sys.stderr)
        return 1
    finally:
        smtp.shutdown()
        smtp.server_close()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"email_test: {len(failures)} failure(s)")
    return 1 if failures else 0


def check_message(message, workdir, expect):
    password = (workdir / "secrets" / "smtp_password").read_text()
    expect(message["auth"] == ("freshness-alerts@example.com", password),
           f"AUTH PLAIN with the configured user and the password file's content ({message['auth']})")
    expect(message["from"] == "freshness-alerts@example.com", f"envelope from ({message['from']})")
    expect(message["to"] == ["data-freshness@example.com"], f"envelope to ({message['to']})")
    mail = email.message_from_bytes(message["data"], policy=email.policy.default)
    title = "[FIRING:1] FreshnessCalendarExpiring check=positions_report (info)"
    expect(mail["Subject"] == title, f"subject is the title template ({mail['Subject']!r})")
    expect(mail["To"] == "data-freshness@example.com", f"To header ({mail['To']!r})")
    text = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    expect(text is not None and html is not None, "a text part and an HTML part")
    if text is None or html is None:
        return
    text, html = text.get_content(), html.get_content()
    annotations = INFO_ALERT["annotations"]
    for line in ("FIRING FreshnessCalendarExpiring since ",
                 f"Summary: {annotations['summary']}",
                 f"Description: {annotations['description']}",
                 "Check: positions_report  Target: ops  Env: prod  Instance: exporter:9560",
                 f"Runbook: {annotations['runbook_url']}"):
        expect(line in text, f"text part has {line!r}")
    expect("FreshnessLagHigh" not in text + html, "the warning alert is in no mail")
    for fragment in (f"<h3>{title}</h3>",
                     "<b>FreshnessCalendarExpiring</b> (firing, since ",
                     "A calendar&#39;s holiday list ends soon.",
                     "Calendar xnys ends in 12 days; &lt;after&gt; that &amp; beyond",
                     "Check: positions_report, target: ops",
                     f'<a href="{annotations["runbook_url"]}">{annotations["runbook_url"]}</a>'):
        expect(fragment in html, f"HTML part has {fragment!r}")
    expect("<after>" not in html, "the HTML part escapes the description")


if __name__ == "__main__":
    sys.exit(main())
