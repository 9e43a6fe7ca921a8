#!/usr/bin/python3
"""Static checks of the rule bundle that promtool does not do.

usage: check_rule_bundle.py coverage|conventions REPO_ROOT

coverage     every alert has a promtool test case where it fires and one where it stays silent:
             an alert_rule_test with non-empty / empty exp_alerts, or a checkpoint of the firing
             set (a promql_expr_test of ALERTS{alertstate="firing", alertname!="X"} or
             alertname=~"RE": the alerts in its samples fire, every other alert of the loaded
             files that the matcher selects is silent); every recording rule
             has a promql_expr_test of its name with samples and one without. The test case must
             load the rule file.
conventions  alert names are CamelCase; severity is critical|warning|info (none only for
             Watchdog), static or carried by the freshness:breach:value series the alert
             aggregates (the tier that was crossed) or set by label_replace; summary is static, description templated,
             runbook_url an existing anchor in docs/runbooks.md whose section says what it means,
             how to check and how to fix; recording rules are named level:metric:operation;
             alertmanager.yml holds no secret inline (*_file keys).
Exits 1 and lists every problem; prints what it checked otherwise.
"""
import pathlib
import re
import sys

import yaml

ALWAYS_FIRING = {"Watchdog"}  # cannot have a silent case by design
SEVERITIES = {"critical", "warning", "info"}


def rule_files(root):
    return sorted(p for p in (root / "rules").rglob("*.rules.yml"))


def test_files(root):
    return sorted((root / "rules" / "tests").glob("*.test.yml"))


def load_rules(root):
    """Yields (file, rule) for every rule of every group."""
    for path in rule_files(root):
        document = yaml.safe_load(path.read_text()) or {}
        for group in document.get("groups", []):
            for rule in group.get("rules", []):
                yield path, rule


def metric_name(expr):
    match = re.match(r"\s*([a-zA-Z_:][a-zA-Z0-9_:]*)", expr)
    return match.group(1) if match else None


FIRING_SET = re.compile(r'\s*ALERTS\{alertstate="firing", alertname(!=|=~)"([^"]*)"\}\s*$')


def alerts_in(paths):
    """Alert names defined in these rule files."""
    names = set()
    for path in paths:
        if not path.exists():
            continue
        document = yaml.safe_load(path.read_text()) or {}
        for group in document.get("groups", []):
            names.update(rule["alert"] for rule in group.get("rules", []) if "alert" in rule)
    return names


def coverage(root):
    problems = []
    fires, silent = {}, {}        # alert name -> set of rule files loaded by the covering tests
    samples, no_samples = {}, {}  # record name -> same
    for path in test_files(root):
        document = yaml.safe_load(path.read_text()) or {}
        loaded = {(path.parent / f).resolve() for f in document.get("rule_files", [])}
        defined = alerts_in(loaded)
        for case in document.get("tests", []):
            for test in case.get("alert_rule_test", []) or []:
                target = fires if test.get("exp_alerts") else silent
                target.setdefault(test["alertname"], set()).update(loaded)
            for test in case.get("promql_expr_test", []) or []:
                checkpoint = FIRING_SET.match(test["expr"])
                if checkpoint:
                    firing = {re.search(r'alertname="([^"]+)"', s["labels"]).group(1)
                              for s in test.get("exp_samples") or []}
                    operator, value = checkpoint.groups()
                    covered = {n for n in defined if (n != value if operator == "!=" else
                                                      re.fullmatch(value, n))}
                    for name in covered:
                        target = fires if name in firing else silent
                        target.setdefault(name, set()).update(loaded)
                    continue
                target = samples if test.get("exp_samples") else no_samples
                for name in {metric_name(test["expr"])} | set(
                        re.findall(r"[a-z_]+:[a-z0-9_]+:[a-z0-9_]+", test["expr"])):
                    target.setdefault(name, set()).update(loaded)
    alerts = records = 0
    for path, rule in load_rules(root):
        where = f"{path.relative_to(root)}"
        if "alert" in rule:
            alerts += 1
            name = rule["alert"]
            if path.resolve() not in fires.get(name, set()):
                problems.append(f"{where}: alert {name} has no test case where it fires")
            if name not in ALWAYS_FIRING and path.resolve() not in silent.get(name, set()):
                problems.append(f"{where}: alert {name} has no test case where it stays silent")
        else:
            records += 1
            name = rule["record"]
            if path.resolve() not in samples.get(name, set()):
                problems.append(f"{where}: recording rule {name} has no test with samples")
            if path.resolve() not in no_samples.get(name, set()):
                problems.append(f"{where}: recording rule {name} has no test without samples")
    return problems, f"{alerts} alerting and {records} recording rules covered"


def runbook_anchors(root):
    anchors = set()
    for line in (root / "docs" / "runbooks.md").read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^a-z0-9 _-]", "", title).replace(" ", "-"))
    return anchors


def runbook_sections(root):
    """Section title (lower case) -> its text, for every ## section of docs/runbooks.md."""
    sections, title = {}, None
    for line in (root / "docs" / "runbooks.md").read_text().splitlines():
        if line.startswith("## "):
            title = line[3:].strip().lower()
            sections[title] = ""
        elif title is not None:
            sections[title] += line + "\n"
    return sections


# Keys of Alertmanager's config that hold a secret inline; each has a *_file twin.
INLINE_SECRET_KEYS = {"api_url", "slack_api_url", "routing_key", "service_key", "auth_password",
                      "smtp_auth_password", "auth_secret", "password", "api_key",
                      "bot_token", "token", "credentials", "client_secret"}


def inline_secrets(node, where=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in INLINE_SECRET_KEYS:
                yield f"{where}.{key}".lstrip(".")
            yield from inline_secrets(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from inline_secrets(item, f"{where}[{index}]")


def conventions(root):
    problems = []
    anchors = runbook_anchors(root)
    sections = runbook_sections(root)
    alertmanager = yaml.safe_load((root / "rules" / "alertmanager" / "alertmanager.yml").read_text())
    for key in inline_secrets(alertmanager):
        problems.append(f"rules/alertmanager/alertmanager.yml: {key} holds a secret inline; "
                        "use its *_file key")
    count = 0
    for path, rule in load_rules(root):
        count += 1
        where = f"{path.relative_to(root)}"
        if "record" in rule:
            if not re.fullmatch(r"[a-z_]+:[a-z0-9_]+:[a-z0-9_]+", rule["record"]):
                problems.append(f"{where}: {rule['record']} is not level:metric:operation")
            continue
        name = rule["alert"]
        labels = rule.get("labels") or {}
        annotations = rule.get("annotations") or {}
        if not re.fullmatch(r"(?:[A-Z][a-z0-9]+)+", name):
            problems.append(f"{where}: alert {name} is not CamelCase")
        severity = labels.get("severity")
        if severity is None:
            if not re.search(r'freshness:breach:value\{[^}]*severity="(critical|warning)"|'
                             r'freshness:breach:value\{signal="(target_down|check_errors)"\}|'
                             r'"severity", "(critical|warning)"', rule["expr"]):
                problems.append(f"{where}: {name} has no severity label and aggregates no breach")
        elif name in ALWAYS_FIRING:
            if severity != "none":
                problems.append(f"{where}: {name} must have severity none")
        elif severity not in SEVERITIES:
            problems.append(f"{where}: {name} has severity {severity!r}")
        summary = annotations.get("summary", "")
        if not summary or "{{" in summary:
            problems.append(f"{where}: {name} needs a static summary")
        elif not summary.rstrip().endswith(".") or summary.count(". ") > 0:
            problems.append(f"{where}: {name}'s summary must be one sentence")
        if "{{" not in annotations.get("description", ""):
            problems.append(f"{where}: {name} needs a templated description")
        expected = f"docs/runbooks.md#{name.lower()}"
        if annotations.get("runbook_url") != expected:
            problems.append(f"{where}: {name}'s runbook_url must be {expected}")
        if name.lower() not in anchors:
            problems.append(f"docs/runbooks.md: no section for {name}")
        else:
            text = sections.get(name.lower(), "")
            for part in ("**Meaning.**", "**Check.**", "**Fix.**"):
                if part not in text:
                    problems.append(f"docs/runbooks.md: the {name} section has no {part}")
    return problems, f"{count} rules follow the conventions"


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("coverage", "conventions"):
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[2]).resolve()
    problems, summary = (coverage if sys.argv[1] == "coverage" else conventions)(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
