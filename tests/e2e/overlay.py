#!/usr/bin/python3
"""Test overlays of the shipped rule bundle and routing: same rules, shorter clocks.

usage:
  overlay.py rules OUT_DIR RULE_FILE...
      Copies the rule files with every non-zero `for` divided by 30 (10m -> 20s, 2m -> 4s,
      FreshnessExporterDown 2s) and `keep_firing_for` set to 15s. Thresholds come from the
      exporter's config (tests/e2e/freshness.yml), not from the rules.
  overlay.py alertmanager SOURCE_YML OUT_YML SECRETS_DIR CAPTURE_URL
      Copies the Alertmanager config with PagerDuty and Slack pointed at CAPTURE_URL (/pagerduty,
      /slack; the Slack URL and the routing key go into files in SECRETS_DIR, as in production),
      e-mail at a closed local port (or, from Python, at the smtp_smarthost argument), plain
      SMTP without STARTTLS, absolute template paths, and timers of seconds.
"""
import os
import pathlib
import re
import sys

import yaml

UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(duration):
    total = 0.0
    for number, unit in re.findall(r"(\d+)(ms|s|m|h|d)", str(duration)):
        total += int(number) * UNITS[unit]
    return total


def overlay_rules(out_dir, files):
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in files:
        document = yaml.safe_load(pathlib.Path(name).read_text())
        for group in document.get("groups", []):
            for rule in group.get("rules", []):
                if "alert" not in rule:
                    continue
                if rule["alert"] == "FreshnessExporterDown":
                    rule["for"] = "2s"
                elif seconds(rule.get("for", 0)) > 0:
                    rule["for"] = f"{max(seconds(rule['for']) / 30, 1):g}s"
                if "keep_firing_for" in rule:
                    rule["keep_firing_for"] = "15s"
        target = out_dir / pathlib.Path(name).name
        target.write_text("# Test overlay of " + pathlib.Path(name).name + "\n" +
                          yaml.safe_dump(document, sort_keys=False, width=1000))


def overlay_alertmanager(source, out, secrets_dir, capture_url, smtp_smarthost="127.0.0.1:1"):
    source = pathlib.Path(source).resolve()
    config = yaml.safe_load(source.read_text())
    secrets = pathlib.Path(secrets_dir)
    secrets.mkdir(parents=True, exist_ok=True)
    (secrets / "slack_webhook_url").write_text(f"{capture_url}/slack\n")
    (secrets / "pagerduty_routing_key").write_text("e2e-routing-key\n")
    # No newline: Alertmanager sends this file's content verbatim as the SMTP password.
    (secrets / "smtp_password").write_text("e2e-smtp-password")
    for path in secrets.iterdir():
        os.chmod(path, 0o600)

    def redirect_files(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("_file") and isinstance(value, str):
                    node[key] = str(secrets / pathlib.Path(value).name)
                else:
                    redirect_files(value)
        elif isinstance(node, list):
            for item in node:
                redirect_files(item)

    redirect_files(config)
    config["global"]["pagerduty_url"] = f"{capture_url}/pagerduty"
    config["global"]["smtp_smarthost"] = smtp_smarthost
    config["global"]["smtp_require_tls"] = False
    config["templates"] = [str(source.parent / t) for t in config.get("templates", [])]

    def shorten(route):
        for key, value in (("group_wait", "1s"), ("group_interval", "5s"),
                           ("repeat_interval", "1h")):
            if key in route or route is config["route"]:
                route[key] = value
        for child in route.get("routes", []):
            shorten(child)

    shorten(config["route"])
    pathlib.Path(out).write_text("# Test overlay of " + source.name + "\n" +
                                 yaml.safe_dump(config, sort_keys=False, width=1000))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "rules":
        overlay_rules(sys.argv[2], sys.argv[3:])
        return 0
    if len(sys.argv) == 6 and sys.argv[1] == "alertmanager":
        overlay_alertmanager(*sys.argv[2:])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
