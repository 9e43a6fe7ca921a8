// SLO burn-rate alerts (docs/slo.md): multiwindow, multi-burn-rate, per the Google SRE workbook.
// A fast burn (14.4x over 1h and 5m) or a sustained one (6x over 6h and 30m) pages; a slow one
// (1x over 3d and 6h) goes to Slack. One alert per check at the highest severity. It is not
// inhibited by the check's threshold alert: Alertmanager groups notifications by check, so when
// both fire for one problem they arrive as one notification (one PagerDuty incident); the
// threshold alert says what is wrong now, the budget alert what it costs the window, and it also
// speaks for what no threshold alert catches (repeated short breaches).
local p = import '../lib/promql.libsonnet';

{
  local config = $._config,
  local s(metric, extra='') = p.series(config, metric, extra),
  local replicas = p.replicaList(config),

  local burn(long, short, factor) =
    '(check:freshness_slo_burn_rate:%s > %g and check:freshness_slo_burn_rate:%s > %g)' % [long, factor, short, factor],
  local tier(severity) =
    local windows = [w for w in $.sloBurnWindows if w[3] == severity];
    '(\n  label_replace(\n      ' + std.join('\n    or\n      ', [burn(w[0], w[1], w[2]) for w in windows]) +
    ',\n    "severity", "%s", "", ""\n  )\n)' % severity,
  prometheusAlerts+:: {
    groups+: [
      {
        name: 'freshness-slo-alerts',
        rules: [
          {
            alert: 'FreshnessSloBudgetBurn',
            expr: tier('critical') + '\nor ignoring (severity)\n' + tier('warning') + '\n',
            keep_firing_for: config.keepFiringFor,
            annotations: {
              summary: "A check is using up its freshness error budget faster than its SLO allows.",
              description: |||
                Check {{ $labels.check }} burns its error budget at {{ with printf "check:freshness_slo_burn_rate:1h{check=%q}" $labels.check | query }}{{ . | first | value | printf "%.1f" }}{{ end }}x over 1h, {{ with printf "check:freshness_slo_burn_rate:6h{check=%q}" $labels.check | query }}{{ . | first | value | printf "%.1f" }}{{ end }}x over 6h and {{ with printf "check:freshness_slo_burn_rate:3d{check=%q}" $labels.check | query }}{{ . | first | value | printf "%.1f" }}{{ end }}x over 3d (objective {{ with printf "check:freshness_slo_objective:value{check=%q}" $labels.check | query }}{{ . | first | value | humanizePercentage }}{{ end }}); {{ with printf "check:freshness_slo_budget_remaining:seconds{check=%q}" $labels.check | query }}{{ . | first | value | humanizeDuration }}{{ end }} of bad time left in its window.
              |||,
              runbook_url: p.runbook(config, 'FreshnessSloBudgetBurn'),
            },
          },
          {
            alert: 'FreshnessSloBudgetExhausted',
            expr: 'check:freshness_slo_budget_remaining:ratio <= 0',
            'for': '10m',
            keep_firing_for: config.keepFiringFor,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'A check has spent its whole freshness error budget for the SLO window.',
              description: 'Check {{ $labels.check }} was good {{ with printf "check:freshness_slo_sli:window{check=%q}" $labels.check | query }}{{ . | first | value | humanizePercentage }}{{ end }} of its counting time over its SLO window, below its objective of {{ with printf "check:freshness_slo_objective:value{check=%q}" $labels.check | query }}{{ . | first | value | humanizePercentage }}{{ end }}.',
              runbook_url: p.runbook(config, 'FreshnessSloBudgetExhausted'),
            },
          },
        ],
      },
    ],
  },
}
