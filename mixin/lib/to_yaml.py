#!/usr/bin/python3
"""Writes JSON (from jsonnet) as YAML that reads like hand-written rule files: block-style
multi-line strings, fields in the order people expect (record/alert, expr, for, keep_firing_for,
labels, annotations), everything else sorted. Used by mixin/build.sh; needs python3-yaml.

usage: to_yaml.py HEADER_TEXT < in.json > out.yml
"""
import json
import sys

import yaml

ORDER = ["rule_files", "evaluation_interval", "group_eval_order", "tests", "name", "interval",
         "record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations", "rules",
         "summary", "description", "series", "runbook_url", "input_series", "series", "values",
         "promql_expr_test", "alert_rule_test", "eval_time", "alertname", "exp_alerts",
         "exp_labels", "exp_annotations", "exp_samples"]


def ordered(node):
    if isinstance(node, dict):
        keys = sorted(node, key=lambda k: (ORDER.index(k) if k in ORDER else len(ORDER), k))
        return {k: ordered(node[k]) for k in keys if node[k] != {}}
    if isinstance(node, list):
        return [ordered(item) for item in node]
    return node


class Dumper(yaml.SafeDumper):
    pass


def represent_str(dumper, text):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


Dumper.add_representer(str, represent_str)
Dumper.add_representer(dict, lambda d, data: d.represent_mapping(
    "tag:yaml.org,2002:map", data.items()))

sys.stdout.write(sys.argv[1] if len(sys.argv) > 1 else "")
yaml.dump(ordered(json.load(sys.stdin)), sys.stdout, Dumper=Dumper, sort_keys=False,
          width=100000, allow_unicode=True, default_flow_style=False)
