// Recording rules: each one with and without samples, and the precedence of rule-side
// overrides over the thresholds an exporter declares.
local T = import 'timeline.libsonnet';

local always = T.always;
local env = { env: 'prod' };
local target = { job: 'freshness_exporter', instance: 'exporter:9560' } + env;
local exporter(minutes, checks, extra={}) = T.exporter({
  instance: 'exporter:9560',
  minutes: minutes,
  labels: env,
  targets: [{ name: 'ops', up: always(1) }],
  checks: checks,
} + extra);
local lag(value, labels={}) = [{ metric: 'freshness_lag_seconds', labels: labels, value: value }];
local labels(name, extra={}) =
  name + '{' + std.join(',', ['%s="%s"' % [k, (target + extra)[k]] for k in std.objectFields(target + extra)]) + '}';
local sample(name, extra, value) = { labels: labels(name, extra), value: value };
local at(t, expr, samples) = { expr: expr, eval_time: '%dm' % t, exp_samples: samples };

{
  rule_files: ['../freshness-records.rules.yml'],
  evaluation_interval: '1m',
  tests: [
    T.test(
      'thresholds: a rule-side override wins over the declared tier; a tier nobody declares is absent',
      3,
      [exporter(3, [
        { name: 'telemetry', kind: 'lag', tiers: [['freshness_lag_seconds', 'warning', 180]], signals: lag(always(10)) },
        { name: 'features', kind: 'lag', tiers: [['freshness_lag_seconds', 'warning', 600], ['freshness_lag_seconds', 'critical', 3600]], signals: lag(always(10)) },
        {
          name: 'dispatcher',
          kind: 'runs',
          tiers: [['freshness_oldest_unfinished_run_age_seconds', 'critical', 3600], ['freshness_consecutive_failed_runs', 'critical', 3], ['freshness_last_successful_run_age_seconds', 'warning', 93600]],
          signals: [{ metric: 'freshness_oldest_unfinished_run_age_seconds', value: always(0) }],
        },
        {
          name: 'fills_volume',
          kind: 'volume',
          tiers: [['freshness_volume_ratio', 'warning', 0.95]],
          signals: [{ metric: 'freshness_volume_ratio', value: always(1) }],
        },
        {
          name: 'executions',
          kind: 'duplicates',
          tiers: [['freshness_duplicate_executions', 'critical', 0]],
          signals: [{ metric: 'freshness_duplicate_executions', value: always(0) }],
        },
      ])],
      [
        // telemetry: override without a severity (the warning tier) and one for critical.
        at(3, 'check:freshness_lag_seconds:threshold', [
          sample('check:freshness_lag_seconds:threshold', { check: 'features', severity: 'critical' }, 3600),
          sample('check:freshness_lag_seconds:threshold', { check: 'features', severity: 'warning' }, 600),
          sample('check:freshness_lag_seconds:threshold', { check: 'telemetry', severity: 'critical' }, 900),
          sample('check:freshness_lag_seconds:threshold', { check: 'telemetry', severity: 'warning' }, 60),
        ]),
        at(3, 'check:freshness_oldest_unfinished_run_age_seconds:threshold', [
          sample('check:freshness_oldest_unfinished_run_age_seconds:threshold', { check: 'dispatcher', severity: 'critical' }, 1800),
        ]),
        at(3, 'check:freshness_duplicate_executions:threshold', [
          sample('check:freshness_duplicate_executions:threshold', { check: 'executions', severity: 'critical' }, 0),
        ]),
        at(3, 'check:freshness_oldest_unfinished_run_age_seconds:threshold{severity="warning"}', []),
        at(3, 'check:freshness_consecutive_failed_runs:threshold', [
          sample('check:freshness_consecutive_failed_runs:threshold', { check: 'dispatcher', severity: 'critical' }, 3),
        ]),
        at(3, 'check:freshness_last_successful_run_age_seconds:threshold', [
          sample('check:freshness_last_successful_run_age_seconds:threshold', { check: 'dispatcher', severity: 'warning' }, 93600),
        ]),
        at(3, 'check:freshness_volume_ratio:threshold', [
          sample('check:freshness_volume_ratio:threshold', { check: 'fills_volume', severity: 'warning' }, 0.95),
        ]),
        at(3, 'check:freshness_consecutive_failed_runs:threshold{severity="warning"}', []),
        at(3, 'check:freshness_volume_ratio:threshold{severity="critical"}', []),
        at(3, 'check:freshness_duplicate_executions:threshold{severity="warning"}', []),
        at(3, 'check:freshness_lag_seconds:threshold{check="nope"}', []),
        at(3, 'freshness:exporter:heartbeat_max_age_seconds', [
          { labels: 'freshness:exporter:heartbeat_max_age_seconds{instance="exporter:9560",job="freshness_exporter"}', value: 300 },
        ]),
        at(3, 'freshness:exporter:healthy', [sample('freshness:exporter:healthy', {}, 1)]),
        at(3, 'freshness:breach:value', []),
        at(3, 'freshness:breach:last_seen_timestamp_seconds', []),
      ],
      extraSeries=[
        T.series('check:freshness_lag_seconds:threshold_override', { check: 'telemetry' }, 3, always(60)),
        T.series('check:freshness_lag_seconds:threshold_override', { check: 'telemetry', severity: 'critical' }, 3, always(900)),
        T.series('check:freshness_oldest_unfinished_run_age_seconds:threshold_override', { check: 'dispatcher', severity: 'critical' }, 3, always(1800)),
      ],
    ),

    T.test(
      'health: heartbeat bound, healthy, watching (collecting, not in maintenance)',
      20,
      [exporter(20, [
        { name: 'telemetry', kind: 'lag', interval: 300, tiers: [['freshness_lag_seconds', 'warning', 600]], signals: lag(always(10)) },
        { name: 'features', kind: 'lag', tiers: [['freshness_lag_seconds', 'warning', 600]], maintenance: always(1), signals: lag(always(10)) },
        { name: 'orders', kind: 'lag', tiers: [['freshness_lag_seconds', 'warning', 600]], success: always(0), signals: lag(always(10)) },
      ], { stalledSince: 10 })],
      [
        // 3 x the shortest interval (30 s) is under 300 s: 300.
        at(5, 'freshness:exporter:heartbeat_max_age_seconds', [
          { labels: 'freshness:exporter:heartbeat_max_age_seconds{instance="exporter:9560",job="freshness_exporter"}', value: 300 },
        ]),
        at(5, 'freshness:check:watching', [
          sample('freshness:check:watching', { check: 'telemetry', kind: 'lag', mode: 'enforce', target: 'ops' }, 1),
        ]),
        at(5, 'freshness:exporter:healthy', [sample('freshness:exporter:healthy', {}, 1)]),
        // Stalled at minute 10: not watching after two intervals, not healthy after 300 s.
        at(11, 'freshness:check:watching', [
          sample('freshness:check:watching', { check: 'telemetry', kind: 'lag', mode: 'enforce', target: 'ops' }, 1),
        ]),
        at(16, 'freshness:check:watching', []),
        at(14, 'freshness:exporter:healthy', [sample('freshness:exporter:healthy', {}, 1)]),
        at(15, 'freshness:exporter:healthy', []),
      ],
    ),

    T.test(
      'health: an exporter with no checks has no heartbeat bound and is never healthy',
      3,
      [exporter(3, [])],
      [
        at(3, 'freshness:exporter:heartbeat_max_age_seconds', []),
        at(3, 'freshness:exporter:healthy', []),
        at(3, 'check:freshness_last_successful_run_age_seconds:threshold', []),
      ],
    ),

    T.test(
      'breaches: every series over a tier, with target and mode; remembered for holdFor',
      8,
      [exporter(8, [
        { name: 'trades', kind: 'lag', tiers: [['freshness_lag_seconds', 'warning', 180], ['freshness_lag_seconds', 'critical', 600]], signals: lag(always(700), { symbol: 'XYZ' }) + lag(always(10), { symbol: 'AAPL' }) },
        {
          name: 'signals',
          kind: 'artifact',
          artifactTiers: [['missing', 'warning'], ['stale', 'warning']],
          signals: T.artifactStates(function(t) if t < 4 then 'stale' else 'fresh'),
        },
      ])],
      [
        at(2, 'freshness:breach:value', [
          sample('freshness:breach:value', { check: 'signals', signal: 'artifact', severity: 'critical', mode: 'enforce' }, 1),
          sample('freshness:breach:value', { check: 'trades', symbol: 'XYZ', signal: 'lag', severity: 'critical', target: 'ops', mode: 'enforce' }, 700),
          sample('freshness:breach:value', { check: 'trades', symbol: 'XYZ', signal: 'lag', severity: 'warning', target: 'ops', mode: 'enforce' }, 700),
        ]),
        // The artifact became fresh at 4: last seen at 3, remembered.
        at(6, 'freshness:breach:last_seen_timestamp_seconds{signal="artifact"}', [
          sample('freshness:breach:last_seen_timestamp_seconds', { check: 'signals', signal: 'artifact', severity: 'critical', mode: 'enforce' }, 180),
        ]),
      ],
      extraSeries=[
        // Rule-side: stale is critical for this check (wins over warn_on), missing is not alerted.
        T.series('check:freshness_artifact_state:severity_override', { check: 'signals', state: 'stale', severity: 'critical' }, 8, always(1)),
        T.series('check:freshness_artifact_state:severity_override', { check: 'signals', state: 'missing', severity: 'none' }, 8, always(1)),
      ],
    ),
  ],
}
