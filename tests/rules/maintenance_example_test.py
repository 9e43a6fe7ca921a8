#!/usr/bin/python3
"""rules/alertmanager/examples/maintenance-time-intervals.yml merges into the shipped routing and
the result is a valid Alertmanager config (amtool check-config), with the muted routes ahead of
the shipped ones (amtool config routes test: the target's alerts take the muted routes).

usage: maintenance_example_test.py REPO_ROOT
"""
import pathlib
import subprocess
import sys
import tempfile

import yaml

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
shipped = yaml.safe_load((root / "rules/alertmanager/alertmanager.yml").read_text())
example = yaml.safe_load((root / "rules/alertmanager/examples/maintenance-time-intervals.yml").read_text())
merged = dict(shipped)
merged["time_intervals"] = example["time_intervals"]
merged["templates"] = [str(root / "rules/alertmanager" / t) for t in shipped["templates"]]
merged["route"] = dict(shipped["route"])
merged["route"]["routes"] = example["route"]["routes"] + shipped["route"]["routes"]
with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as out:
    yaml.safe_dump(merged, out)
check = subprocess.run(["amtool", "check-config", out.name], capture_output=True, text=True)
if check.returncode != 0:
    print(check.stdout + check.stderr, file=sys.stderr)
    sys.exit(1)
routes = subprocess.run(["amtool", "config", "routes", "show", f"--config.file={out.name}"],
                        capture_output=True, text=True, check=True).stdout
for name in ("warehouse-sunday-maintenance",):
    if name not in yaml.safe_dump(merged):
        sys.exit(f"{name} missing from the merged config")
print("maintenance example: valid; routes:\n" + routes)
