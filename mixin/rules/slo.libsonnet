// Freshness SLOs (docs/slo.md). For checks with `slo:` in the exporter config, per check and
// without the replica labels (every series below has the same labels: check, job, the exporter's
// global and discovery labels, so they combine one-to-one), in one group evaluated in order:
//   check:freshness_slo_counting:value    1 when the instant counts (active window, business day,
//                                         enforce mode, no maintenance, not paused), else 0
//   check:freshness_slo_bad:value         1 when it counts and the check is over a tier of its own
//                                         (warning or critical: not within its warning threshold)
//   check:freshness_slo_<x>:seconds_total counting (bad) time accumulated so far, in seconds: at
//                                         every evaluation the previous total plus the value times
//                                         the time since the previous evaluation (at most 5 min)
//   check:freshness_slo_<x>:seconds<w>    counting (bad) seconds over the window w: the total now
//                                         minus the total w ago; w = 5m, 30m, 1h, 6h, 3d and the
//                                         check's SLO window
//   check:freshness_slo_error_ratio:<w>   bad / counting seconds over w
//   check:freshness_slo_burn_rate:<w>     error ratio / (1 - objective)
// Instants no healthy exporter reports add nothing to either total. Every window costs two
// sample lookups per check, whatever its length, so a 30-day SLO is as cheap as a 5-minute one.
local p = import '../lib/promql.libsonnet';

{
  local config = $._config,
  local s(metric, extra='') = p.series(config, metric, extra),
  local replicas = p.replicaList(config),
  local signals = 'signal!~"target_down|check_errors"',

  // Burn-rate windows of the alerts: [long, short, factor, severity] (Google SRE workbook,
  // "Alerting on SLOs", multiwindow, multi-burn-rate).
  sloBurnWindows:: [
    ['1h', '5m', 14.4, 'critical'],
    ['6h', '30m', 6, 'critical'],
    ['3d', '6h', 1, 'warning'],
  ],
  sloWindows:: { '7d': 7 * 86400, '14d': 14 * 86400, '28d': 28 * 86400, '30d': 30 * 86400 },

  local total(what) = 'check:freshness_slo_%s:seconds_total' % what,
  // The total now minus the total `offset` ago; from zero when there is no total that old (a
  // new check, a new Prometheus), or when it went back (a total restarted after Prometheus was
  // down longer than the lookback).
  local since(what, offset) =
    '((%(t)s - (%(t)s offset %(o)s or 0 * %(t)s)) >= 0 or %(t)s)' % { t: total(what), o: offset },
  local window(w) = [
    {
      record: 'check:freshness_slo_%s:seconds%s' % [what, w],
      expr: since(what, w),
    }
    for what in ['counting', 'bad']
  ] + ratio(w, 'seconds' + w),
  local ratio(name, source) = [
    {
      record: 'check:freshness_slo_error_ratio:%s' % name,
      expr: 'check:freshness_slo_bad:%s / check:freshness_slo_counting:%s' % [source, source],
    },
    {
      record: 'check:freshness_slo_burn_rate:%s' % name,
      expr: 'check:freshness_slo_error_ratio:%s / (1 - check:freshness_slo_objective:value)' % name,
    },
  ],

  prometheusRules+:: {
    groups+: [
      {
        name: 'freshness-slo',
        rules: [
          {
            record: 'check:freshness_slo_objective:value',
            expr: 'max without (%s) (%s)' % [replicas, s('freshness_slo_objective')],
          },
          {
            record: 'check:freshness_slo_window_seconds:value',
            expr: 'max without (%s) (%s)' % [replicas, s('freshness_slo_window_seconds')],
          },
          {
            record: 'check:freshness_slo_counting:value',
            expr: 'max without (%s) (%s and on (job, instance) freshness:exporter:healthy)' % [replicas, s('freshness_slo_counting')],
          },
          {
            record: 'check:freshness_slo_bad:value',
            expr: |||
              max without (%(replicas)s) (
                  %(counting)s
                * on (job, instance, check) group_left ()
                  (
                      group by (job, instance, check) (freshness:breach:value{%(signals)s})
                    or on (job, instance, check)
                      0 * group by (job, instance, check) (%(counting)s)
                  )
                and on (job, instance) freshness:exporter:healthy
              )
            ||| % { replicas: replicas, counting: s('freshness_slo_counting'), signals: signals },
          },
        ] + [
          {
            record: total(what),
            expr: |||
              (
                  %(total)s
                + check:freshness_slo_%(what)s:value * clamp_max(time() - timestamp(%(total)s), 300)
              )
              or
              0 * check:freshness_slo_%(what)s:value
            ||| % { total: total(what), what: what },
          }
          for what in ['counting', 'bad']
        ]
        + std.flattenArrays([window(w) for w in ['5m', '30m', '1h', '6h', '3d']])
        + [
          {
            // ... over each check's own SLO window (slo.window).
            record: 'check:freshness_slo_%s:seconds_window' % what,
            expr: std.join('\nor\n', [
              '(%s and check:freshness_slo_window_seconds:value == %d)' % [since(what, name), $.sloWindows[name]]
              for name in std.objectFields($.sloWindows)
            ]) + '\n',
          }
          for what in ['counting', 'bad']
        ]
        + ratio('window', 'seconds_window')
        + [
          {
            // 1 - error ratio over the SLO window: the share of counting time that was good.
            record: 'check:freshness_slo_sli:window',
            expr: '1 - check:freshness_slo_error_ratio:window',
          },
          {
            // Error budget left, as a fraction of the budget (below 0: overspent).
            record: 'check:freshness_slo_budget_remaining:ratio',
            expr: '1 - check:freshness_slo_burn_rate:window',
          },
          {
            // ... and as time: bad time still allowed in the window, in seconds of counting time
            // ("3h12m of bad trading minutes left this 28 days").
            record: 'check:freshness_slo_budget_remaining:seconds',
            expr: |||
              (1 - check:freshness_slo_objective:value) * check:freshness_slo_counting:seconds_window
              - check:freshness_slo_bad:seconds_window
            |||,
          },
        ],
      },
    ],
  },
}
