#!/usr/bin/env python3
"""Waits for and asserts on what capture_server.py recorded. Standard library only.

usage:
  captures.py count FILE [--path P CONDITION...]
      prints how many requests were captured so far (a mark for --after), or with --path how
      many to P meet every CONDITION.
  captures.py wait FILE --path P [--after N] [--timeout S] [CONDITION...]
      waits until a request to path P, captured after the first N, meets every CONDITION;
      prints its body as JSON. Exit 1 on timeout, listing what was captured.
  captures.py none FILE --path P [--after N] [CONDITION...]
      exit 1 if any request to P captured after the first N meets every CONDITION.
CONDITION:
  --field a.b.0.c=VALUE      the body's field at that path equals VALUE (compared as text)
  --contains a.b.c=TEXT      the field contains TEXT
"""
import argparse
import json
import sys
import time


def records(path):
    with open(path, encoding="utf-8") as source:
        return [json.loads(line) for line in source if line.strip()]


def lookup(body, dotted):
    value = body
    for part in dotted.split("."):
        if isinstance(value, list):
            value = value[int(part)] if part.isdigit() and int(part) < len(value) else None
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def text(value):
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def matches(record, args):
    if record["path"] != args.path:
        return False
    for condition in args.field:
        key, _, expected = condition.partition("=")
        if text(lookup(record["body"], key)) != expected:
            return False
    for condition in args.contains:
        key, _, expected = condition.partition("=")
        value = lookup(record["body"], key)
        if value is None or expected not in text(value):
            return False
    return True


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("command", choices=["count", "wait", "none"])
    parser.add_argument("file")
    parser.add_argument("--path")
    parser.add_argument("--after", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--field", action="append", default=[])
    parser.add_argument("--contains", action="append", default=[])
    args = parser.parse_args()
    if args.command == "count":
        found = records(args.file)
        if args.path:
            found = [r for r in found if matches(r, args)]
        print(len(found))
        return 0
    if not args.path:
        parser.error("--path is required")
    description = " ".join([args.path] + args.field + args.contains)
    if args.command == "none":
        found = [r for r in records(args.file)[args.after:] if matches(r, args)]
        for record in found:
            print(f"captures: unexpected {description}:\n{json.dumps(record, indent=2)}",
                  file=sys.stderr)
        return 1 if found else 0
    deadline = time.monotonic() + args.timeout
    while True:
        for record in records(args.file)[args.after:]:
            if matches(record, args):
                print(json.dumps(record["body"], indent=2, sort_keys=True))
                return 0
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    print(f"captures: nothing matched {description} within {args.timeout:.0f}s; captured:",
          file=sys.stderr)
    for record in records(args.file):
        print(json.dumps(record, sort_keys=True)[:2000], file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
