// What each alert says: exact labels and annotations as Alertmanager receives them, for every
// alert of the bundle, and a case where each stays silent. (Timing and "nothing else fires" are
// in scenarios.jsonnet.)
local T = import 'timeline.libsonnet';

local always = T.always;
local ramp = T.ramp;
local env = { env: 'prod' };
local base = { job: 'freshness_exporter' } + env;
local exporter(minutes, checks, extra={}) = T.exporter({
  instance: 'exporter:9560',
  minutes: minutes,
  labels: env,
  targets: [{ name: 'ops', up: always(1) }],
  checks: checks,
} + extra);
local lagTiers(warning, critical=null) =
  [['freshness_lag_seconds', 'warning', warning]] +
  (if critical == null then [] else [['freshness_lag_seconds', 'critical', critical]]);
local lag(value, labels={}) = [{ metric: 'freshness_lag_seconds', labels: labels, value: value }];
local runbook(name) = 'docs/runbooks.md#' + std.asciiLower(name);

// One alert_rule_test entry.
local expect(t, name, alerts) = {
  eval_time: '%dm' % t,
  alertname: name,
  exp_alerts: [
    { exp_labels: a.labels, exp_annotations: a.annotations { runbook_url: runbook(name) } }
    for a in alerts
  ],
};

local dataLabels(severity, check, extra={}) =
  base { severity: severity, check: check, target: 'ops', mode: 'enforce' } + extra;

{
  rule_files: ['../freshness-records.rules.yml', '../freshness-alerts.rules.yml'],
  evaluation_interval: '1m',
  group_eval_order: ['freshness-records', 'freshness-exporter', 'freshness-data'],
  tests: [
    T.test(
      'FreshnessLagHigh: names the series, its tier and for; an empty table; silent below the tier',
      20,
      [exporter(20, [
        { name: 'trades', kind: 'lag', 'for': 600, tiers: lagTiers(180, 3600), signals: lag(ramp(0, 100, 60), { symbol: 'XYZ' }) + lag(always(20), { symbol: 'AAPL' }) },
        { name: 'orders', kind: 'lag', tiers: lagTiers(600), signals: lag(always(T.inf)) },
        { name: 'features', kind: 'lag', tiers: lagTiers(600), signals: lag(always(590)) },
      ])],
      [],
      alertTests=[
        expect(12, 'FreshnessLagHigh', [
          {
            labels: dataLabels('warning', 'orders'),
            annotations: {
              summary: 'Data stopped flowing into a table watched by a lag check.',
              description: "Check orders (target ops) finds no rows at all, over its warning threshold of 10m 0s inside the check's active window.",
              series: '',
            },
          },
          {
            labels: dataLabels('warning', 'trades', { symbol: 'XYZ' }),
            annotations: {
              summary: 'Data stopped flowing into a table watched by a lag check.',
              description: "The newest row of check trades (target ops) is 13m 40s old, over its warning threshold of 3m 0s for 10m 0s inside the check's active window.",
              series: 'symbol=XYZ',
            },
          },
        ]),
      ],
    ),
    T.test(
      'FreshnessLagHigh: silent when every series is within its tiers',
      10,
      [exporter(10, [{ name: 'features', kind: 'lag', tiers: lagTiers(600), signals: lag(always(590)) }])],
      [],
      alertTests=[expect(10, 'FreshnessLagHigh', [])],
    ),

    T.test(
      'FreshnessRunTooLong: the age of the oldest unfinished run over max_duration + for',
      40,
      [exporter(40, [{
        name: 'dispatcher',
        kind: 'runs',
        'for': 300,
        tiers: [['freshness_oldest_unfinished_run_age_seconds', 'critical', 1800]],
        signals: [{ metric: 'freshness_oldest_unfinished_run_age_seconds', value: ramp(0, 0, 60) }],
      }])],
      [],
      alertTests=[
        expect(35, 'FreshnessRunTooLong', []),
        expect(36, 'FreshnessRunTooLong', [{
          labels: dataLabels('critical', 'dispatcher'),
          annotations: {
            summary: 'A run has been going for longer than its maximum duration and probably hung.',
            description: 'The oldest unfinished run of check dispatcher (target ops) started 36m 0s ago, over its critical limit of 30m 0s for 5m 0s.',
            series: '',
          },
        }]),
      ],
    ),

    T.test(
      'FreshnessDuplicateExecution: pages at once; silent with none',
      6,
      [exporter(6, [
        {
          name: 'executions',
          kind: 'duplicates',
          tiers: [['freshness_duplicate_executions', 'critical', 0]],
          signals: [{ metric: 'freshness_duplicate_executions', value: T.between(3, 100, always(2), always(0)) }],
        },
      ])],
      [],
      alertTests=[
        expect(2, 'FreshnessDuplicateExecution', []),
        expect(3, 'FreshnessDuplicateExecution', [{
          labels: dataLabels('critical', 'executions'),
          annotations: {
            summary: 'A key was executed more than once, an idempotency violation.',
            description: 'Check executions (target ops) finds 2 keys executed more than once inside its window, over its critical threshold of 0.',
            series: '',
          },
        }]),
      ],
    ),

    T.test(
      'FreshnessRunsFailing, FreshnessNoSuccessfulRun: failures in a row, no success for too long',
      6,
      [exporter(6, [{
        name: 'nightly_etl',
        kind: 'runs',
        tiers: [
          ['freshness_oldest_unfinished_run_age_seconds', 'critical', 3600],
          ['freshness_consecutive_failed_runs', 'critical', 3],
          ['freshness_last_successful_run_age_seconds', 'warning', 93600],
        ],
        signals: [
          { metric: 'freshness_oldest_unfinished_run_age_seconds', value: always(0) },
          { metric: 'freshness_consecutive_failed_runs', value: T.between(3, 100, always(3), always(2)) },
          { metric: 'freshness_last_successful_run_age_seconds', value: ramp(0, 93000, 300) },
        ],
      }])],
      [],
      alertTests=[
        expect(2, 'FreshnessRunsFailing', []),
        expect(3, 'FreshnessRunsFailing', [{
          labels: dataLabels('critical', 'nightly_etl'),
          annotations: {
            summary: 'The most recent runs of a job failed one after another.',
            description: 'The last 3 finished runs of check nightly_etl (target ops) failed in a row, reaching its critical threshold of 3 consecutive failures.',
            series: '',
          },
        }]),
        expect(1, 'FreshnessNoSuccessfulRun', []),
        expect(3, 'FreshnessNoSuccessfulRun', [{
          labels: dataLabels('warning', 'nightly_etl'),
          annotations: {
            summary: 'A job has not completed a successful run for longer than it should.',
            description: 'The newest successful run of check nightly_etl (target ops) finished 1d 2h 5m 0s ago, over its warning limit of 1d 2h 0m 0s.',
            series: '',
          },
        }]),
      ],
    ),
    T.test(
      'FreshnessVolumeLow: the share of expected rows below its floor',
      4,
      [exporter(4, [{
        name: 'fills_volume',
        kind: 'volume',
        tiers: [['freshness_volume_ratio', 'warning', 0.95], ['freshness_volume_ratio', 'critical', 0.5]],
        signals: [
          { metric: 'freshness_volume_ratio', value: T.between(2, 100, always(0.9), always(0.97)) },
          { metric: 'freshness_volume_observed_rows', value: T.between(2, 100, always(4500), always(4850)) },
          { metric: 'freshness_volume_expected_rows', value: always(5000) },
        ],
      }])],
      [],
      alertTests=[
        expect(1, 'FreshnessVolumeLow', []),
        expect(2, 'FreshnessVolumeLow', [{
          labels: dataLabels('warning', 'fills_volume'),
          annotations: {
            summary: 'Fewer rows arrived than expected: data is missing.',
            description: 'Check fills_volume (target ops) counted 90% of the rows it expected (4500 of 5000) in its last period, below its warning floor of 95%.',
            series: '',
          },
        }]),
      ],
    ),
    T.test(
      'FreshnessArtifactOverdue: the state, the expanded location and partition, how late',
      10,
      [exporter(10, [{
        name: 'signals',
        kind: 'artifact',
        interval: 60,
        artifactTiers: [['missing', 'warning'], ['stale', 'warning'], ['late', 'warning']],
        signals: T.artifactStates(function(t) if t < 5 then 'late' else 'missing') + [
          { metric: 'freshness_artifact_slot_info', labels: { location: '/data/signals/2026-12-01/signals.csv', partition: '2026-12-01' }, value: always(1) },
          { metric: 'freshness_artifact_deadline_timestamp_seconds', value: always(240) },
        ],
      }])],
      [],
      alertTests=[
        expect(3, 'FreshnessArtifactOverdue', [{
          labels: dataLabels('warning', 'signals') { target:: '' },
          annotations: {
            summary: 'A scheduled artifact is not there, or not refreshed, past its deadline.',
            description: 'Check signals is late for /data/signals/2026-12-01/signals.csv (partition 2026-12-01).',
            series: '',
          },
        }]),
        expect(10, 'FreshnessArtifactOverdue', [{
          labels: dataLabels('warning', 'signals') { target:: '' },
          annotations: {
            summary: 'A scheduled artifact is not there, or not refreshed, past its deadline.',
            description: 'Check signals is missing for /data/signals/2026-12-01/signals.csv (partition 2026-12-01); its deadline passed 6m 0s ago.',
            series: '',
          },
        }]),
      ],
    ),
    T.test(
      'FreshnessArtifactOverdue: silent when fresh, or in a state with no tier',
      5,
      [exporter(5, [
        { name: 'fresh', kind: 'artifact', artifactTiers: [['missing', 'warning']], signals: T.artifactStates(always('fresh')) },
        { name: 'in_grace', kind: 'artifact', artifactTiers: [['missing', 'warning']], signals: T.artifactStates(always('late')) },
      ])],
      [],
      alertTests=[expect(5, 'FreshnessArtifactOverdue', [])],
    ),

    T.test(
      'FreshnessQueryThreshold: a query gauge beyond a declared threshold, per series',
      5,
      [exporter(5, [{
        name: 'daily_pnl',
        kind: 'query',
        queryTiers: [['trading_daily_pnl', 'critical', 'below', -50000], ['trading_daily_pnl', 'warning', 'below', -40000]],
        signals: [
          { metric: 'trading_daily_pnl', labels: { account: 'main' }, value: always(-62500) },
          { metric: 'trading_daily_pnl', labels: { account: 'hedge' }, value: always(-45000) },
          { metric: 'trading_daily_pnl', labels: { account: 'arb' }, value: always(1200) },
        ],
      }])],
      [],
      alertTests=[expect(5, 'FreshnessQueryThreshold', [
        {
          labels: dataLabels('warning', 'daily_pnl', { metric: 'trading_daily_pnl', account: 'hedge' }),
          annotations: {
            summary: 'A gauge of a query check is beyond the threshold declared for it.',
            description: 'trading_daily_pnl of check daily_pnl is -45k, beyond its warning threshold of -40k.',
            series: 'account=hedge',
          },
        },
        {
          labels: dataLabels('critical', 'daily_pnl', { metric: 'trading_daily_pnl', account: 'main' }),
          annotations: {
            summary: 'A gauge of a query check is beyond the threshold declared for it.',
            description: 'trading_daily_pnl of check daily_pnl is -62.5k, beyond its critical threshold of -50k.',
            series: 'account=main',
          },
        },
      ])],
    ),
    T.test(
      'FreshnessQueryThreshold: silent within its thresholds',
      5,
      [exporter(5, [{
        name: 'daily_pnl',
        kind: 'query',
        queryTiers: [['trading_daily_pnl', 'critical', 'below', -50000]],
        signals: [{ metric: 'trading_daily_pnl', labels: { account: 'main' }, value: always(10) }],
      }])],
      [],
      alertTests=[expect(5, 'FreshnessQueryThreshold', [])],
    ),

    T.test(
      'FreshnessTargetDown and FreshnessCheckFailing: what they say; silent when healthy',
      12,
      [exporter(12, [
        { name: 'telemetry', kind: 'lag', tiers: lagTiers(600), success: always(0), errorsPerMinute: always(2), signals: lag(always(30)) },
        { name: 'features', kind: 'lag', target: 'research', tiers: lagTiers(600), success: always(0), errorsPerMinute: always(2), signals: lag(always(30)) },
      ], { targets: [{ name: 'ops', up: always(0) }, { name: 'research', up: always(1) }] })],
      [],
      alertTests=[
        expect(12, 'FreshnessTargetDown', [{
          labels: base { severity: 'critical', target: 'ops' },
          annotations: {
            summary: 'A monitored database does not answer, so its checks cannot see the data.',
            description: 'No exporter has reached target ops for 2 minutes. Its checks keep their last readings; their alerts neither fire nor resolve until it answers.',
          },
        }]),
        expect(12, 'FreshnessCheckFailing', [{
          labels: dataLabels('warning', 'features', { target: 'research' }),
          annotations: {
            summary: 'A freshness check keeps failing, so its data is not being watched.',
            description: "Check features (target research) failed 100% of its collections over the last 15m; the reason is counted in freshness_check_errors_total{reason} and shown on the exporter's status page. Its data alerts neither fire nor resolve until it succeeds.",
          },
        }]),
      ],
    ),
    T.test(
      'FreshnessTargetDown and FreshnessCheckFailing: silent when the checks succeed',
      12,
      [exporter(12, [{ name: 'telemetry', kind: 'lag', tiers: lagTiers(600), signals: lag(always(30)) }])],
      [],
      alertTests=[expect(12, 'FreshnessTargetDown', []), expect(12, 'FreshnessCheckFailing', [])],
    ),

    T.test(
      'exporter alerts: down, heartbeat, reload, calendar',
      10,
      [
        exporter(10, [{ name: 'telemetry', kind: 'lag', tiers: lagTiers(600), signals: lag(always(30)) }], {
          instance: 'exporter-a:9560',
          down: always(true),
        }),
        exporter(10, [{ name: 'telemetry', kind: 'lag', tiers: lagTiers(600), signals: lag(always(30)) }], {
          instance: 'exporter-b:9560',
          stalledSince: 1,
        }),
      ],
      [],
      extraSeries=[
        T.series('freshness_config_last_reload_successful', base { instance: 'exporter-b:9560' }, 10, always(0)),
        T.series('freshness_calendar_valid_through_timestamp_seconds', base { instance: 'exporter-b:9560', calendar: 'xnys' }, 10, always(20 * 86400)),
      ],
      alertTests=[
        expect(2, 'FreshnessExporterDown', [{
          labels: { job: 'freshness_exporter', instance: 'exporter-a:9560', severity: 'critical' },
          annotations: {
            summary: 'A freshness exporter cannot be scraped, so the checks it runs are not being watched.',
            description: 'Prometheus has failed to scrape exporter-a:9560 (job freshness_exporter) for 2 minutes. Alerts that were firing on its checks stay firing until an exporter reports them again.',
          },
        }]),
        expect(9, 'FreshnessSelfHeartbeatStalled', [{
          labels: base { instance: 'exporter-b:9560', severity: 'critical' },
          annotations: {
            summary: 'The exporter answers scrapes but has stopped completing collections.',
            description: 'The newest collection on exporter-b:9560 finished 8m 0s ago; every value it serves is frozen at that time. Data alerts of its checks neither fire nor resolve until it collects again.',
          },
        }]),
        expect(5, 'FreshnessConfigReloadFailed', [{
          labels: base { instance: 'exporter-b:9560', severity: 'warning' },
          annotations: {
            summary: 'The exporter rejected its new configuration and keeps running the previous one.',
            description: 'The last configuration reload on exporter-b:9560 failed; changes made since the last good reload are not in effect.',
          },
        }]),
        expect(4, 'FreshnessConfigReloadFailed', []),
        expect(0, 'FreshnessCalendarExpiring', []),
      ],
    ),
    T.test(
      'FreshnessCalendarExpiring: within 30 days, once for every replica',
      70,
      [],
      [],
      extraSeries=[
        T.series('freshness_calendar_valid_through_timestamp_seconds', base { instance: 'a:9560', calendar: 'xnys' }, 70, always(20 * 86400)),
        T.series('freshness_calendar_valid_through_timestamp_seconds', base { instance: 'b:9560', calendar: 'xnys' }, 70, always(20 * 86400)),
        T.series('freshness_calendar_valid_through_timestamp_seconds', base { instance: 'a:9560', calendar: 'xlon' }, 70, always(400 * 86400)),
      ],
      alertTests=[
        expect(60, 'FreshnessCalendarExpiring', [{
          labels: base { calendar: 'xnys', severity: 'info' },
          annotations: {
            summary: "A business calendar's holiday list ends within 30 days.",
            description: 'Calendar xnys is valid for 19d 23h 0m 0s more; after that the checks that use it fail with reason "config".',
          },
        }]),
      ],
    ),
    T.test(
      'FreshnessExporterAbsent: no exporter at all; Watchdog always',
      5,
      [],
      [],
      extraSeries=[T.series('other', { job: 'other' }, 5, always(1))],
      alertTests=[
        expect(2, 'FreshnessExporterAbsent', [{
          labels: { job: 'freshness_exporter', severity: 'critical' },
          annotations: {
            summary: 'A freshness exporter has disappeared from service discovery, so its checks are not being watched.',
            description: 'No target of job freshness_exporter has been discovered for 2 minutes, though one was up in the last 1d; it was removed from service discovery or the scrape configuration. If it was removed on purpose, silence this alert until the lookback has passed.',
          },
        }]),
        expect(1, 'Watchdog', [{
          labels: { severity: 'none' },
          annotations: {
            summary: "Always firing, so an external dead man's switch can tell that alerting works.",
            description: "This alert fires as long as Prometheus evaluates rules and reaches Alertmanager; its absence at the dead man's switch means the alerting pipeline is broken.",
          },
        }]),
      ],
    ),
    T.test(
      'exporter alerts: silent for a healthy exporter',
      10,
      [exporter(10, [{ name: 'telemetry', kind: 'lag', tiers: lagTiers(600), signals: lag(always(30)) }])],
      [],
      extraSeries=[T.series('freshness_config_last_reload_successful', base { instance: 'exporter:9560' }, 10, always(1))],
      alertTests=[
        expect(10, 'FreshnessExporterDown', []),
        expect(10, 'FreshnessExporterAbsent', []),
        expect(10, 'FreshnessSelfHeartbeatStalled', []),
        expect(10, 'FreshnessConfigReloadFailed', []),
      ],
    ),
  ],
}
