// Recording rules, evaluated in order in one group, per exporter instance:
//   health    freshness:exporter:healthy, freshness:check:watching
//   tiers     check:<metric>:threshold{severity}: the exporter's declared tier, or a rule-side
//             override check:<metric>:threshold_override{check, severity} (severity defaults to
//             warning), which wins
//   breaches  freshness:breach:value{signal, severity}: every series over a tier, with the check's
//             target and mode
//   memory    freshness:breach:last_seen_timestamp_seconds: when each breach was last seen,
//             kept for holdFor, so an alert can be held while nobody can report it
local p = import '../lib/promql.libsonnet';

{
  local config = $._config,
  local s(metric, extra='') = p.series(config, metric, extra),

  // Numeric tiers: the compared metric, the check kind, and whether it folds the check's `for`.
  local numericTiers = [
    { metric: 'freshness_lag_seconds', kind: 'lag' },
    { metric: 'freshness_oldest_unfinished_run_age_seconds', kind: 'runs' },
    { metric: 'freshness_duplicate_executions', kind: 'duplicates' },
    { metric: 'freshness_consecutive_failed_runs', kind: 'runs' },
    { metric: 'freshness_last_successful_run_age_seconds', kind: 'runs' },
    { metric: 'freshness_volume_ratio', kind: 'volume' },
  ],
  local severities = ['warning', 'critical'],
  local overrideSeverity(severity) =
    if severity == 'warning' then 'severity=~"|warning"' else 'severity="%s"' % severity,

  local thresholdRule(tier, severity) = {
    record: 'check:%s:threshold' % tier.metric,
    labels: { severity: severity },
    expr: |||
      (
          0 * group without (kind, target, mode) (%(info)s)
        + on (check) group_left ()
          max by (check) (check:%(metric)s:threshold_override{%(override)s})
      )
      or on (job, instance, check)
        max without (metric, severity) (%(declared)s)
    ||| % {
      info: s('freshness_check_info', 'kind="%s"' % tier.kind),
      metric: tier.metric,
      override: overrideSeverity(severity),
      declared: s('freshness_check_threshold', 'metric="%s", severity="%s"' % [tier.metric, severity]),
    },
  },

  // Adds the check's target and mode (for routing and the target-down hold) to a per-instance
  // expression.
  local withInfo(expr) = |||
    (
      %s
    )
    * on (job, instance, check) group_left (target, mode) %s
  ||| % [p.indent(std.rstripChars(expr, '\n'), 2), s('freshness_check_info')],

  local active = '(%s == 1)' % s('freshness_check_active'),
  local tierPlusFor(metric, severity) = |||
    (
        check:%s:threshold{severity="%s"}
      + on (job, instance, check) group_left ()
        %s
    )
  ||| % [metric, severity, s('freshness_check_for_seconds')],

  local lagBreach(severity) = {
    record: 'freshness:breach:value',
    labels: { signal: 'lag', severity: severity },
    // min(lag, active period) > tier + for: at the start of an active period the data gets the
    // whole tier (plus for) to arrive; +Inf (an empty table) is over every tier.
    expr: withInfo(|||
      (
          %(lag)s
        > on (job, instance, check) group_left (severity)
          %(tier)s
      )
      and on (job, instance, check)
      (
          %(activeFor)s
        > on (job, instance, check) group_left ()
          %(tier)s
      )
    ||| % {
      lag: s('freshness_lag_seconds'),
      activeFor: s('freshness_check_active_for_seconds'),
      tier: p.indent(std.rstripChars(tierPlusFor('freshness_lag_seconds', severity), '\n'), 4),
    }),
  },

  local runsBreach(severity) = {
    record: 'freshness:breach:value',
    labels: { signal: 'runs', severity: severity },
    expr: withInfo(|||
      (
          %(age)s
        > on (job, instance, check) group_left (severity)
          %(tier)s
      )
      and on (job, instance, check) %(active)s
    ||| % {
      age: s('freshness_oldest_unfinished_run_age_seconds'),
      tier: p.indent(std.rstripChars(tierPlusFor('freshness_oldest_unfinished_run_age_seconds', severity), '\n'), 4),
      active: active,
    }),
  },

  // A series compared with its tier as it is (no `for`): the operator says which way is bad.
  local plainBreach(signal, metric, op, severity) = {
    record: 'freshness:breach:value',
    labels: { signal: signal, severity: severity },
    expr: withInfo(|||
      (
          %(value)s
        %(op)s on (job, instance, check) group_left (severity)
          check:%(metric)s:threshold{severity="%(severity)s"}
      )
      and on (job, instance, check) %(active)s
    ||| % { value: s(metric), op: op, metric: metric, severity: severity, active: active }),
  },

  local duplicatesBreach(severity) = {
    record: 'freshness:breach:value',
    labels: { signal: 'duplicates', severity: severity },
    expr: withInfo(|||
      (
          %(count)s
        > on (job, instance, check) group_left (severity)
          check:freshness_duplicate_executions:threshold{severity="%(severity)s"}
      )
      and on (job, instance, check) %(active)s
    ||| % { count: s('freshness_duplicate_executions'), severity: severity, active: active }),
  },

  // An artifact in a state of one of its tiers. The state is dropped from the labels, so a move
  // from one bad state to another of the same tier (missing -> stale) is one alert throughout.
  // A rule-side check:freshness_artifact_state:severity_override{check, state, severity} wins
  // over the exporter's warn_on/error_on for that state.
  local artifactBreach = {
    record: 'freshness:breach:value',
    labels: { signal: 'artifact' },
    expr: withInfo(|||
      max without (state) (
          (
              (%(state)s == 1)
            * on (check, state) group_left (severity)
              max by (check, state, severity) (check:freshness_artifact_state:severity_override{severity=~"warning|critical"})
          )
        or
          (
              (%(state)s == 1)
            * on (job, instance, check, state) group_left (severity)
              %(declared)s
            unless on (check, state)
              check:freshness_artifact_state:severity_override
          )
      )
      and on (job, instance, check) %(active)s
    ||| % {
      state: s('freshness_artifact_state'),
      declared: s('freshness_artifact_state_severity'),
      active: active,
    }),
  },

  // Query gauges against the thresholds declared on their metric mapping (above or below).
  local queryBreach(severity) = {
    record: 'freshness:breach:value',
    labels: { signal: 'query', severity: severity },
    local compare(direction, op) = |||
      (
          label_replace(%(gauges)s, "metric", "$1", "__name__", "(.+)")
        %(op)s on (job, instance, check, metric) group_left (severity)
          max without (direction) (%(threshold)s)
      )
    ||| % {
      gauges: '{%s, check!="", __name__!~"freshness_.*"}' % config.exporterSelector,
      op: op,
      threshold: s('freshness_query_threshold', 'direction="%s", severity="%s"' % [direction, severity]),
    },
    expr: withInfo(|||
      (
        %s
        or
        %s
      )
      and on (job, instance, check) %s
    ||| % [p.indent(std.rstripChars(compare('above', '>'), '\n'), 2), p.indent(std.rstripChars(compare('below', '<'), '\n'), 2), active]),
  },

  // A database the exporter cannot reach (only from healthy exporters: a stalled one's view is
  // old). The alert then asks that no healthy replica reaches it.
  local targetDownBreach = {
    record: 'freshness:breach:value',
    labels: { signal: 'target_down', severity: 'critical' },
    expr: |||
      (%s == 0)
      and on (job, instance) freshness:exporter:healthy
    ||| % s('freshness_target_up'),
  },

  // A check whose collections fail: the share of failures over the window (so a check failing
  // every other run is caught), or, for checks with long intervals, its last collection (value 2);
  // not once it has had no error for 5 minutes.
  // Collections that fail because the target is down are the target alert's.
  local checkErrorsBreach = {
    record: 'freshness:breach:value',
    labels: { signal: 'check_errors', severity: 'warning' },
    expr: |||
      (
        (
            (
                sum without (reason) (increase(%(errors)s[%(window)s]))
              /
                increase(%(collections)s[%(window)s])
            )
          > %(ratio)g
        or
          (
              (%(success)s == 0) + 2
            and on (job, instance, check)
              (%(interval)s >= %(long)d)
          )
        )
        * on (job, instance, check) group_left (target, mode) %(info)s
      )
      unless on (job, instance, target) (%(targetUp)s == 0)
      unless on (job, instance, check) (%(maintenance)s == 1)
      unless on (job, instance, check) (increase(%(errors)s[5m]) == 0)
      and on (job, instance) freshness:exporter:healthy
    ||| % {
      errors: s('freshness_check_errors_total'),
      collections: s('freshness_check_collections_total'),
      window: config.checkErrorWindow,
      ratio: config.checkErrorRatio,
      success: s('freshness_check_success'),
      interval: s('freshness_check_interval_seconds'),
      long: config.checkLongIntervalSeconds,
      info: s('freshness_check_info'),
      targetUp: s('freshness_target_up'),
      maintenance: s('freshness_check_maintenance'),
    },
  },

  prometheusRules+:: {
    groups+: [
      {
        name: 'freshness-records',
        rules: [
          {
            // No collection completed for 3 shortest intervals (at least heartbeatMinSeconds)
            // means the collection loop is stuck.
            record: 'freshness:exporter:heartbeat_max_age_seconds',
            expr: 'clamp_min(3 * min by (job, instance) (%s), %d)' % [s('freshness_check_interval_seconds'), config.heartbeatMinSeconds],
          },
          {
            // Scraped (a failed scrape leaves no series) and collecting.
            record: 'freshness:exporter:healthy',
            expr: |||
              0 * (
                  (time() - %s)
                < on (job, instance) group_left ()
                  freshness:exporter:heartbeat_max_age_seconds
              ) + 1
            ||| % s('freshness_last_collection_timestamp_seconds'),
          },
          {
            // The exporter can see this check's data now: it is healthy, the check's last
            // collection succeeded and, when the exporter was scraped, was at most two intervals
            // (+30 s) old, and the check is not in a maintenance window. So a stalled collector
            // stops counting as a witness within two intervals, before the ages it serves (which
            // keep growing from the last observation) can cross a tier.
            record: 'freshness:check:watching',
            expr: |||
              %(info)s
              and on (job, instance) freshness:exporter:healthy
              and on (job, instance, check) (%(success)s == 1)
              and on (job, instance, check)
                (
                    timestamp(%(lastSuccess)s) - %(lastSuccess)s
                  < on (job, instance, check) group_left ()
                    2 * %(interval)s + 30
                )
              unless on (job, instance, check) (%(maintenance)s == 1)
            ||| % {
              info: s('freshness_check_info'),
              success: s('freshness_check_success'),
              lastSuccess: s('freshness_check_last_success_timestamp_seconds'),
              interval: s('freshness_check_interval_seconds'),
              maintenance: s('freshness_check_maintenance'),
            },
          },
        ] + [
          thresholdRule(tier, severity)
          for tier in numericTiers
          for severity in severities
        ] + [
          lagBreach(severity)
          for severity in severities
        ] + [
          runsBreach(severity)
          for severity in severities
        ] + [
          duplicatesBreach(severity)
          for severity in severities
        ] + [
          // Failed runs: consecutive failures reaching the tier (error_after_failures: 3 pages
          // on the third); no successful run for longer than max_success_age; the volume of a
          // period below its share of what was expected.
          plainBreach(tier[0], tier[1], tier[2], severity)
          for tier in [
            ['failed_runs', 'freshness_consecutive_failed_runs', '>='],
            ['success_age', 'freshness_last_successful_run_age_seconds', '>'],
            ['volume', 'freshness_volume_ratio', '<'],
          ]
          for severity in severities
        ] + [
          artifactBreach,
        ] + [
          queryBreach(severity)
          for severity in severities
        ] + [
          targetDownBreach,
          checkErrorsBreach,
          {
            // When each breach was last seen; kept for holdFor after it was last seen.
            record: 'freshness:breach:last_seen_timestamp_seconds',
            expr: |||
              timestamp(freshness:breach:value)
              or
              (freshness:breach:last_seen_timestamp_seconds > time() - %d)
            ||| % config.holdForSeconds,
          },
        ],
      },
    ],
  },
}
