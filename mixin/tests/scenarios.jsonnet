// Scenario timelines for the rule bundle (rendered to rules/tests/scenarios.test.yml by
// mixin/build.sh). Each one plays a situation operators meet and asserts, at checkpoints, the
// exact set of firing alerts (Watchdog aside): what fires, with which labels and severity, what
// keeps firing, what resolves, and that nothing else fires.
local T = import 'timeline.libsonnet';

local always = T.always;
local ramp = T.ramp;
local between = T.between;

local env = { env: 'prod' };
local base = { job: 'freshness_exporter' } + env;
local alert(name, severity, check, extra={}) =
  base { alertname: name, severity: severity, check: check, target: 'ops', mode: 'enforce' } + extra;

local lagTiers(warning, critical=null) =
  [['freshness_lag_seconds', 'warning', warning]] +
  (if critical == null then [] else [['freshness_lag_seconds', 'critical', critical]]);
local lag(value, labels={}) = [{ metric: 'freshness_lag_seconds', labels: labels, value: value }];

local exporter(instance, minutes, checks, extra={}) = T.exporter({
  instance: instance,
  minutes: minutes,
  labels: env,
  targets: [{ name: 'ops', up: always(1) }],
  checks: checks,
} + extra);

local runsCheck(age, maxDuration=1800, extra={}) = {
  name: 'nightly_etl',
  kind: 'runs',
  tiers: [['freshness_oldest_unfinished_run_age_seconds', 'critical', maxDuration]],
  signals: [
    { metric: 'freshness_oldest_unfinished_run_age_seconds', value: age },
    { metric: 'freshness_unfinished_runs', value: function(t) if age(t) > 0 then 1 else 0 },
  ],
} + extra;

{
  rule_files: ['../freshness-records.rules.yml', '../freshness-alerts.rules.yml'],
  evaluation_interval: '1m',
  // Records first, then alerts, at every step (Prometheus evaluates groups independently, so
  // live, alerts may lag the records by up to one interval).
  group_eval_order: ['freshness-records', 'freshness-exporter', 'freshness-data'],
  tests: [
    // ------------------------------------------------------------------------------------------
    // telemetry: warning above 180 s, critical above 900 s, for 10 minutes. The lag grows a minute
    // a minute: over 780 s (warning) from minute 14, over 1,500 s (critical) from minute 26. The
    // warning alert hands over to the critical one (it resolves after keep_firing_for); there is
    // never more than one alert per series and tier.
    T.test(
      'lag: tiers and for, computed from the data; one alert per series at its highest tier',
      34,
      [exporter('exporter:9560', 34, [{
        name: 'telemetry',
        kind: 'lag',
        'for': 600,
        tiers: lagTiers(180, 900),
        signals: lag(ramp(0, 0, 60)),
      }])],
      [
        T.firing(13, []),
        T.firing(14, [alert('FreshnessLagHigh', 'warning', 'telemetry')]),
        T.firing(25, [alert('FreshnessLagHigh', 'warning', 'telemetry')]),
        T.firing(26, [alert('FreshnessLagHigh', 'warning', 'telemetry'), alert('FreshnessLagHigh', 'critical', 'telemetry')]),
        T.firing(29, [alert('FreshnessLagHigh', 'critical', 'telemetry')]),
        T.firing(34, [alert('FreshnessLagHigh', 'critical', 'telemetry')]),
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // Per-symbol lag: only the stale symbol alerts, and its alert names it.
    T.test(
      'lag per group: the stale series alerts with its group labels',
      20,
      [exporter('exporter:9560', 20, [{
        name: 'trades',
        kind: 'lag',
        tiers: lagTiers(300),
        signals: lag(always(20), { symbol: 'AAPL' }) + lag(ramp(0, 100, 60), { symbol: 'XYZ' }),
      }])],
      [
        T.firing(3, []),
        T.firing(4, [alert('FreshnessLagHigh', 'warning', 'trades', { symbol: 'XYZ' })]),
        T.firing(20, [alert('FreshnessLagHigh', 'warning', 'trades', { symbol: 'XYZ' })]),
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // Active hours: the market opens at minute 10 after a night without data. Data gets the
    // tier plus for to arrive from the open: `telemetry` resumes at minute 12 and never alerts;
    // `quotes` never resumes and alerts 180 + 120 s after the open. An empty table (+Inf) alerts
    // at once inside the window.
    T.test(
      'lag: inside the active window only, and the data gets its tier from the open',
      30,
      [exporter('exporter:9560', 30, [
        {
          name: 'telemetry',
          kind: 'lag',
          'for': 120,
          tiers: lagTiers(180),
          active: between(10, 1000, always(1), always(0)),
          activeFor: function(t) if t < 10 then 0 else 60 * (t - 10),
          signals: lag(function(t) if t < 12 then 40000 + 60 * t else 5),
        },
        {
          name: 'quotes',
          kind: 'lag',
          'for': 120,
          tiers: lagTiers(180),
          active: between(10, 1000, always(1), always(0)),
          activeFor: function(t) if t < 10 then 0 else 60 * (t - 10),
          signals: lag(ramp(0, 40000, 60)),
        },
        {
          name: 'orders',
          kind: 'lag',
          tiers: lagTiers(600),
          active: between(10, 1000, always(1), always(0)),
          activeFor: function(t) if t < 10 then 0 else 60 * (t - 10),
          signals: lag(always(T.inf)),
        },
      ])],
      [
        T.firing(9, []),
        T.firing(14, []),
        T.firing(15, []),
        T.firing(16, [alert('FreshnessLagHigh', 'warning', 'quotes')]),
        T.firing(21, [alert('FreshnessLagHigh', 'warning', 'quotes'), alert('FreshnessLagHigh', 'warning', 'orders')]),
        T.firing(30, [alert('FreshnessLagHigh', 'warning', 'quotes'), alert('FreshnessLagHigh', 'warning', 'orders')]),
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // A nightly job that normally runs 20 minutes, with max_duration 30m: no page. The next night
    // the run hangs: it pages once its age passes 30 minutes, and keeps firing.
    T.test(
      'runs: a long normal batch job does not page, a hung run does',
      70,
      [exporter('exporter:9560', 70, [runsCheck(function(t)
        if t < 20 then 60 * t          // night 1: runs 20 minutes, then finishes
        else if t < 25 then 0
        else 60 * (t - 25))])],        // night 2: starts at 25 and never finishes
      [
        T.firing(19, []),
        T.firing(25, []),
        T.firing(55, []),
        T.firing(56, [alert('FreshnessRunTooLong', 'critical', 'nightly_etl')]),
        T.firing(70, [alert('FreshnessRunTooLong', 'critical', 'nightly_etl')]),
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // Any duplicate execution pages at once; it resolves keep_firing_for after the key leaves the
    // window.
    T.test(
      'duplicates: any duplicate pages at once, and resolves after keep_firing_for',
      25,
      [exporter('exporter:9560', 25, [{
        name: 'executions',
        kind: 'duplicates',
        tiers: [['freshness_duplicate_executions', 'critical', 0]],
        signals: [{ metric: 'freshness_duplicate_executions', value: between(5, 15, always(1), always(0)) }],
      }])],
      [
        T.firing(4, []),
        T.firing(5, [alert('FreshnessDuplicateExecution', 'critical', 'executions')]),
        T.firing(17, [alert('FreshnessDuplicateExecution', 'critical', 'executions')]),
        T.firing(18, []),
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // The pod is replaced mid-incident: the old one (instance 10.0.0.1, pod fx-1) goes at minute
    // 10, the new one (10.0.0.2, fx-2) is discovered at 11 and completes its first collection at
    // 12. One alert, same labels, firing throughout: held (value -1) while nobody reports it.
    T.test(
      'pod restart mid-incident: one continuous alert',
      20,
      [
        exporter('10.0.0.1:9560', 20, [{ name: 'telemetry', kind: 'lag', tiers: lagTiers(180), signals: lag(ramp(0, 1000, 60)) }], {
          targetLabels: { namespace: 'data', service: 'fx', pod: 'fx-1' },
          discovered: function(t) t < 10,
        }),
        exporter('10.0.0.2:9560', 20, [{
          name: 'telemetry',
          kind: 'lag',
          tiers: lagTiers(180),
          success: function(t) if t >= 12 then 1 else 0,
          signals: lag(function(t) if t >= 12 then 1000 + 60 * t else null),
        }], {
          targetLabels: { namespace: 'data', service: 'fx', pod: 'fx-2' },
          discovered: function(t) t >= 11,
          startedAt: 11,
        }),
      ],
      [
        T.firing(t, [alert('FreshnessLagHigh', 'warning', 'telemetry', { namespace: 'data', service: 'fx' })])
        for t in [1, 9, 10, 11, 12, 13, 16, 20]
      ],
      alertTests=[{
        eval_time: '11m',
        alertname: 'FreshnessLagHigh',
        exp_alerts: [{
          exp_labels: alert('FreshnessLagHigh', 'warning', 'telemetry', { namespace: 'data', service: 'fx' }) { alertname:: '' },
          exp_annotations: {
            summary: 'Data stopped flowing into a table watched by a lag check.',
            description: 'Check telemetry (target ops) was over its warning threshold. No exporter can report it now (down, restarting, stalled, its target down, the check failing or in maintenance); it stays firing until one can, at most 6h after the breach was last seen.',
            series: '',
            runbook_url: 'docs/runbooks.md#freshnesslaghigh',
          },
        }],
      }],
    ),

    // ------------------------------------------------------------------------------------------
    // Two replicas watch the same database: one alert. Replica b dies at minute 5: its scrapes
    // fail (FreshnessExporterDown for that instance after 2 minutes), the data alert goes on from
    // replica a without a break.
    T.test(
      'two replicas: one alert; one replica down does not interrupt it',
      15,
      [
        exporter('10.0.0.1:9560', 15, [{ name: 'telemetry', kind: 'lag', tiers: lagTiers(180), signals: lag(ramp(0, 1000, 60)) }], {
          targetLabels: { namespace: 'data', service: 'fx', pod: 'fx-a' },
        }),
        exporter('10.0.0.2:9560', 15, [{ name: 'telemetry', kind: 'lag', tiers: lagTiers(180), signals: lag(ramp(0, 1010, 60)) }], {
          targetLabels: { namespace: 'data', service: 'fx', pod: 'fx-b' },
          down: function(t) t >= 5,
        }),
      ],
      [
        T.firing(t, [alert('FreshnessLagHigh', 'warning', 'telemetry', { namespace: 'data', service: 'fx' })])
        for t in [1, 4, 5, 6]
      ] + [
        T.firing(t, [
          alert('FreshnessLagHigh', 'warning', 'telemetry', { namespace: 'data', service: 'fx' }),
          base { alertname: 'FreshnessExporterDown', severity: 'critical', instance: '10.0.0.2:9560', namespace: 'data', service: 'fx', pod: 'fx-b' } + { env:: '' },
        ])
        for t in [7, 15]
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // One Helm release per database: releases fx-orders and fx-risk. fx-risk disappears from
    // service discovery at minute 10: FreshnessExporterAbsent names it after 2 minutes, and its
    // firing lag alert is held. fx-orders is rolled out at minute 6 (new pod, new instance, one
    // minute of overlap): no absent alert for it.
    T.test(
      'one of two releases vanishes: it alerts; a rollout of the other does not',
      20,
      [
        exporter('10.0.1.1:9560', 20, [{ name: 'orders_lag', kind: 'lag', tiers: lagTiers(600), signals: lag(always(30)) }], {
          targetLabels: { namespace: 'data', service: 'fx-orders', pod: 'fx-orders-1' },
          discovered: function(t) t < 7,
        }),
        exporter('10.0.1.2:9560', 20, [{
          name: 'orders_lag',
          kind: 'lag',
          tiers: lagTiers(600),
          success: function(t) if t >= 7 then 1 else 0,
          signals: lag(function(t) if t >= 7 then 30 else null),
        }], {
          targetLabels: { namespace: 'data', service: 'fx-orders', pod: 'fx-orders-2' },
          discovered: function(t) t >= 6,
          startedAt: 6,
        }),
        exporter('10.0.2.1:9560', 20, [{ name: 'risk_lag', kind: 'lag', tiers: lagTiers(600), signals: lag(ramp(0, 900, 60)) }], {
          targetLabels: { namespace: 'data', service: 'fx-risk', pod: 'fx-risk-1' },
          discovered: function(t) t < 10,
        }),
      ],
      [
        T.firing(t, [alert('FreshnessLagHigh', 'warning', 'risk_lag', { namespace: 'data', service: 'fx-risk' })])
        for t in [1, 6, 7, 8, 10, 11]
      ] + [
        T.firing(t, [
          alert('FreshnessLagHigh', 'warning', 'risk_lag', { namespace: 'data', service: 'fx-risk' }),
          { alertname: 'FreshnessExporterAbsent', severity: 'critical', job: 'freshness_exporter', namespace: 'data', service: 'fx-risk' },
        ])
        for t in [12, 20]
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // A check that fails every other collection (interval 30 s: one error a minute) alerts on its
    // error ratio; the data it does see is fine, so nothing else fires. It stops failing at
    // minute 20 and the alert resolves once 5 minutes passed without an error (+ keep_firing_for).
    T.test(
      'flapping check: alerts on its error ratio, resolves after 5 clean minutes',
      32,
      [exporter('exporter:9560', 32, [{
        name: 'features',
        kind: 'lag',
        tiers: lagTiers(600),
        success: function(t) if t < 20 && t % 2 == 1 then 0 else 1,
        errorsPerMinute: function(t) if t < 20 then 1 else 0,
        signals: lag(always(20)),
      }])],
      [
        T.firing(5, []),
        T.firing(7, [alert('FreshnessCheckFailing', 'warning', 'features')]),
        T.firing(24, [alert('FreshnessCheckFailing', 'warning', 'features')]),
        T.firing(28, []),
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // An artifact goes from missing to probe_failed (the bucket's permissions break at minute 10)
    // and arrives at minute 20 (fixed). The overdue alert fires throughout, held while the probe
    // fails; FreshnessCheckFailing speaks for the probe (its error ratio passes 25 % at minute
    // 13, for 5 minutes); both resolve after the fix, the check alert once 5 minutes passed
    // without an error.
    T.test(
      'artifact missing -> probe_failed -> fresh: one alert throughout, no gap',
      30,
      [exporter('exporter:9560', 30, [{
        name: 'signals',
        kind: 'artifact',
        interval: 60,
        artifactTiers: [['missing', 'warning'], ['stale', 'warning']],
        success: function(t) if t >= 10 && t < 20 then 0 else 1,
        errorsPerMinute: function(t) if t >= 10 && t < 20 then 1 else 0,
        signals: T.artifactStates(function(t) if t < 10 then 'missing' else if t < 20 then 'probe_failed' else 'fresh'),
      }])],
      [
        T.firing(t, [alert('FreshnessArtifactOverdue', 'warning', 'signals') { target:: '' }])
        for t in [1, 9, 10, 11, 14, 16]
      ] + [
        T.firing(t, [
          alert('FreshnessArtifactOverdue', 'warning', 'signals') { target:: '' },
          alert('FreshnessCheckFailing', 'warning', 'signals') { target:: '' },
        ])
        for t in [18, 19, 20, 22]
      ] + [
        T.firing(23, [alert('FreshnessCheckFailing', 'warning', 'signals') { target:: '' }]),
        T.firing(26, [alert('FreshnessCheckFailing', 'warning', 'signals') { target:: '' }]),
        T.firing(27, []),
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // The collection loop stalls at minute 5: the exporter still answers scrapes, the lags it
    // serves keep growing from the last observation and cross their tiers, but only the heartbeat
    // pages. `features`, already firing before the stall, stays firing (held).
    T.test(
      'heartbeat stall with growing lag: only the heartbeat pages',
      20,
      [exporter('exporter:9560', 20, [
        { name: 'telemetry', kind: 'lag', tiers: lagTiers(180), signals: lag(function(t) if t < 5 then 10 else 10 + 60 * (t - 5)) },
        { name: 'quotes', kind: 'lag', tiers: lagTiers(300), signals: lag(function(t) if t < 5 then 10 else 10 + 60 * (t - 5)) },
        { name: 'features', kind: 'lag', tiers: lagTiers(600), signals: lag(ramp(0, 1000, 60)) },
      ], { stalledSince: 5 })],
      [
        T.firing(4, [alert('FreshnessLagHigh', 'warning', 'features')]),
        T.firing(10, [alert('FreshnessLagHigh', 'warning', 'features')]),
        T.firing(12, [alert('FreshnessLagHigh', 'warning', 'features')]),
        T.firing(13, [
          alert('FreshnessLagHigh', 'warning', 'features'),
          base { alertname: 'FreshnessSelfHeartbeatStalled', severity: 'critical', instance: 'exporter:9560' },
        ]),
        T.firing(20, [
          alert('FreshnessLagHigh', 'warning', 'features'),
          base { alertname: 'FreshnessSelfHeartbeatStalled', severity: 'critical', instance: 'exporter:9560' },
        ]),
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // The exporter is down from minute 10 to 20 while a lag alert fires; the data recovers in the
    // meantime. The alert is held (no false "resolved" while nobody can see), the exporter-down
    // alert pages, and once the exporter is back the data decides: the lag alert resolves
    // keep_firing_for later, so the incident is closed.
    T.test(
      'data recovers while the exporter is down: held, then resolved once it is back',
      26,
      [exporter('exporter:9560', 26, [{
        name: 'telemetry',
        kind: 'lag',
        tiers: lagTiers(180),
        signals: lag(function(t) if t < 10 then 1000 + 60 * t else 5),
      }], { down: function(t) t >= 10 && t < 20 })],
      [
        T.firing(9, [alert('FreshnessLagHigh', 'warning', 'telemetry')]),
        T.firing(11, [alert('FreshnessLagHigh', 'warning', 'telemetry')]),
        T.firing(12, [alert('FreshnessLagHigh', 'warning', 'telemetry'), base { alertname: 'FreshnessExporterDown', severity: 'critical', instance: 'exporter:9560' } + { env:: '' }]),
        T.firing(19, [alert('FreshnessLagHigh', 'warning', 'telemetry'), base { alertname: 'FreshnessExporterDown', severity: 'critical', instance: 'exporter:9560' } + { env:: '' }]),
        T.firing(20, [alert('FreshnessLagHigh', 'warning', 'telemetry')]),
        T.firing(22, [alert('FreshnessLagHigh', 'warning', 'telemetry')]),
        T.firing(23, []),
        T.firing(26, []),
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // Maintenance from minute 5 to 20. `orders` crosses its tier inside the window: nothing fires
    // until the window ends, then it fires at once because the data is still late. `features`
    // was firing before the window and stays firing (held) through it.
    T.test(
      'maintenance window: quiet inside, an absence still there at the end alerts then',
      25,
      [exporter('exporter:9560', 25, [
        { name: 'orders', kind: 'lag', tiers: lagTiers(600), maintenance: between(5, 20, always(1), always(0)), signals: lag(ramp(0, 0, 60)) },
        { name: 'features', kind: 'lag', tiers: lagTiers(600), maintenance: between(5, 20, always(1), always(0)), signals: lag(ramp(0, 1000, 60)) },
      ])],
      [
        T.firing(4, [alert('FreshnessLagHigh', 'warning', 'features')]),
        T.firing(12, [alert('FreshnessLagHigh', 'warning', 'features')]),
        T.firing(19, [alert('FreshnessLagHigh', 'warning', 'features')]),
        T.firing(20, [alert('FreshnessLagHigh', 'warning', 'features'), alert('FreshnessLagHigh', 'warning', 'orders')]),
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // The database goes down from minute 5 to 30. Only the target alert speaks: its checks fail
    // (no FreshnessCheckFailing for that), `telemetry`'s served lag crosses its tier (no alert,
    // nobody can see the data), `features` was firing and stays firing (held). When the database
    // is back and the data is still late, `telemetry` fires then.
    T.test(
      'target down: only the target alert speaks',
      36,
      [exporter('exporter:9560', 36, [
        {
          name: 'telemetry',
          kind: 'lag',
          tiers: lagTiers(600),
          success: function(t) if t >= 5 && t < 30 then 0 else 1,
          errorsPerMinute: function(t) if t >= 5 && t < 30 then 2 else 0,
          signals: lag(ramp(0, 0, 60)),
        },
        {
          name: 'features',
          kind: 'lag',
          tiers: lagTiers(600),
          success: function(t) if t >= 5 && t < 30 then 0 else 1,
          errorsPerMinute: function(t) if t >= 5 && t < 30 then 2 else 0,
          signals: lag(ramp(0, 1000, 60)),
        },
      ], { targets: [{ name: 'ops', up: function(t) if t >= 5 && t < 30 then 0 else 1 }] })],
      [
        T.firing(4, [alert('FreshnessLagHigh', 'warning', 'features')]),
        T.firing(6, [alert('FreshnessLagHigh', 'warning', 'features')]),
        T.firing(7, [alert('FreshnessLagHigh', 'warning', 'features'), base { alertname: 'FreshnessTargetDown', severity: 'critical', target: 'ops' }]),
        T.firing(29, [alert('FreshnessLagHigh', 'warning', 'features'), base { alertname: 'FreshnessTargetDown', severity: 'critical', target: 'ops' }]),
        T.firing(30, [alert('FreshnessLagHigh', 'warning', 'features'), alert('FreshnessLagHigh', 'warning', 'telemetry'), base { alertname: 'FreshnessTargetDown', severity: 'critical', target: 'ops' }]),
        T.firing(33, [alert('FreshnessLagHigh', 'warning', 'features'), alert('FreshnessLagHigh', 'warning', 'telemetry')]),
      ],
    ),

    // ------------------------------------------------------------------------------------------
    // A check removed by a reload while it fires: its series go, the exporter stays healthy, so
    // the alert is not held and resolves after keep_firing_for. An observe-mode check fires with
    // mode="observe" (Alertmanager routes it to no one).
    T.test(
      'a check removed by a reload resolves; observe-mode alerts carry mode="observe"',
      16,
      [exporter('exporter:9560', 16, [
        { name: 'old', kind: 'lag', tiers: lagTiers(180), present: function(t) t < 10, signals: lag(ramp(0, 1000, 60)) },
        { name: 'shadow', kind: 'lag', mode: 'observe', tiers: lagTiers(180), signals: lag(ramp(0, 1000, 60)) },
      ], {})],
      [
        T.firing(5, [alert('FreshnessLagHigh', 'warning', 'old'), alert('FreshnessLagHigh', 'warning', 'shadow', { mode: 'observe' })]),
        T.firing(12, [alert('FreshnessLagHigh', 'warning', 'old'), alert('FreshnessLagHigh', 'warning', 'shadow', { mode: 'observe' })]),
        T.firing(13, [alert('FreshnessLagHigh', 'warning', 'shadow', { mode: 'observe' })]),
      ],
    ),
  ],
}
