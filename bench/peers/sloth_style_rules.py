#!/usr/bin/env python3
"""Writes Sloth-style Prometheus rules for N freshness SLOs, the peer of bench/slo_rules_bench.sh.

usage: sloth_style_rules.py N OBJECTIVE_PERCENT PERIOD_DAYS > rules.yml

What SLO generators in the Sloth mould produce for an event-ratio SLI, written out by hand for
the freshness SLI (bad counting seconds / counting seconds), over two raw counters per check that
an exporter would have to export for it (bench/peers/slo_counters_server.py serves them):
  bench_slo_bad_seconds_total{check}       bad counting seconds so far
  bench_slo_counting_seconds_total{check}  counting seconds so far
Per SLO, three rule groups, as such generators lay them out:
  - SLI recordings: the error ratio over each burn-rate lookback window (5m 30m 1h 2h 6h 1d 3d),
    as a ratio of rate()s over the raw counters, and over the SLO period as the average of the
    5m ratio (sum_over_time / count_over_time);
  - metadata: objective, error budget, period, current and period burn rate, budget left, info;
  - alerts: page (14.4x over 1h and 5m, or 6x over 6h and 30m) and ticket (3x over 1d and 2h, or
    1x over 3d and 6h), multiwindow, multi-burn-rate.
Every series carries the SLO's identity labels (slo_id, slo_service, slo_name) and the windowed
ones a slo_window label.
"""
import sys

WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
PAGE = [("1h", "5m", 14.4), ("6h", "30m", 6)]
TICKET = [("1d", "2h", 3), ("3d", "6h", 1)]


def quote(labels):
    return ", ".join(f'{k}="{v}"' for k, v in labels.items())


def yaml_block(text, indent):
    pad = " " * indent
    return "|\n" + "".join(pad + line + "\n" for line in text.splitlines())


def rule(kind, name, expr, labels=None, extra=""):
    out = f"  - {kind}: {name}\n    expr: {yaml_block(expr, 6)}"
    if labels:
        out += "    labels:\n" + "".join(f'      {k}: "{v}"\n' for k, v in labels.items())
    return out + extra


def slo_groups(check, objective, period_days):
    ident = {"slo_id": f"freshness-{check}", "slo_service": "freshness", "slo_name": check}
    sel = "{" + quote(ident) + "}"
    period = f"{period_days}d"
    budget = 1 - objective / 100
    groups = []

    sli = []
    for w in WINDOWS:
        expr = (f'sum(rate(bench_slo_bad_seconds_total{{check="{check}"}}[{w}]))\n/\n'
                f'sum(rate(bench_slo_counting_seconds_total{{check="{check}"}}[{w}]))')
        sli.append(rule("record", f"slo:sli_error:ratio_rate{w}", expr,
                        dict(ident, slo_window=w)))
    expr = (f"sum_over_time(slo:sli_error:ratio_rate5m{sel}[{period}])\n/ ignoring (slo_window)\n"
            f"count_over_time(slo:sli_error:ratio_rate5m{sel}[{period}])")
    sli.append(rule("record", f"slo:sli_error:ratio_rate{period}", expr,
                    dict(ident, slo_window=period)))
    groups.append((f"slo-sli-recordings-freshness-{check}", sli))

    meta = [
        rule("record", "slo:objective:ratio", f"vector({objective / 100!r})", ident),
        rule("record", "slo:error_budget:ratio", f"vector({budget!r})", ident),
        rule("record", "slo:time_period:days", f"vector({period_days})", ident),
        rule("record", "slo:current_burn_rate:ratio",
             f"slo:sli_error:ratio_rate5m{sel}\n/ on (slo_id, slo_name, slo_service) group_left\n"
             f"slo:error_budget:ratio{sel}", ident),
        rule("record", "slo:period_burn_rate:ratio",
             f"slo:sli_error:ratio_rate{period}{sel}\n/ on (slo_id, slo_name, slo_service) "
             f"group_left\nslo:error_budget:ratio{sel}", ident),
        rule("record", "slo:period_error_budget_remaining:ratio",
             f"1 - slo:period_burn_rate:ratio{sel}", ident),
        rule("record", "slo_info", "vector(1)", dict(ident, slo_objective=str(objective))),
    ]
    groups.append((f"slo-meta-recordings-freshness-{check}", meta))

    def burn(pairs):
        return "\nor\n".join(
            f"(\n    max(slo:sli_error:ratio_rate{long}{sel} > ({factor} * {budget!r})) without (slo_window)\n"
            f"    and\n    max(slo:sli_error:ratio_rate{short}{sel} > ({factor} * {budget!r})) without (slo_window)\n)"
            for long, short, factor in pairs)

    alerts = [
        rule("alert", "FreshnessSloPage", burn(PAGE), dict(ident, severity="critical")),
        rule("alert", "FreshnessSloTicket", burn(TICKET), dict(ident, severity="warning")),
    ]
    groups.append((f"slo-alerts-freshness-{check}", alerts))
    return groups


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    n, objective, period_days = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    out = ["groups:\n"]
    for i in range(n):
        for name, rules in slo_groups(f"c{i}", objective, period_days):
            out.append(f"- name: {name}\n  rules:\n")
            out.extend(rules)
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
