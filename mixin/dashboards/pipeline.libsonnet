// "Pipeline freshness": what the checks see, against the tiers the exporter declares (or the
// rule-side overrides), the breaches the alerts are made of, each check's state (failed,
// maintenance, paused, inactive, observe, critical, warning, ok), artifacts with the slot in
// force, and the alert history.
local g = import 'lib.libsonnet';

{
  local config = $._config,
  local q = g.queries(config),
  local across = q.across,
  local chk = q.check,

  local stateColors = {
    fresh: 'green',
    late: 'yellow',
    stale: 'orange',
    missing: 'red',
    probe_failed: 'purple',
    paused: 'blue',
    unknown: 'text',
  },
  local artifactStates = ['fresh', 'late', 'stale', 'missing', 'probe_failed', 'paused', 'unknown'],
  local artifactStateMappings = g.valueMappings([[s, s, stateColors[s]] for s in artifactStates]),
  local artifactCodeMappings = g.valueMappings([
    [i, artifactStates[i], stateColors[artifactStates[i]]]
    for i in std.range(0, std.length(artifactStates) - 1)
  ]),
  local tierMappings = g.valueMappings([[0, 'none', 'green'], [1, 'warning', 'orange'], [2, 'critical', 'red']]),
  local severityMappings = [{ type: 'value', options: {
    critical: { color: 'red', index: 0 },
    warning: { color: 'orange', index: 1 },
    info: { color: 'blue', index: 2 },
    none: { color: 'text', index: 3 },
  } }],
  local yesNo = g.valueMappings([[0, 'no', 'green'], [1, 'yes', 'blue']]),
  local watchedMappings = g.valueMappings([[0, 'not watched', 'red'], [1, 'watched', 'green']]),
  // +Inf active_for_seconds: the check has no active window.
  local alwaysActive = [{ type: 'range', options: { from: 1e300, to: null, result: { text: 'always', index: 0 } } }],

  // The check's state as its verdict reads it, in the exporter's precedence: failed >
  // maintenance > paused > inactive > observe > critical > warning > ok.
  local checkStates = [
    [0, 'ok', 'green'],
    [1, 'warning', 'orange'],
    [2, 'critical', 'red'],
    [3, 'observe', 'purple'],
    [4, 'inactive', 'text'],
    [5, 'paused', 'blue'],
    [6, 'maintenance', 'blue'],
    [7, 'failed', 'dark-red'],
  ],
  local checkStateExpr = across(|||
    7 * (%(base)s %(on)s (%(success)s == 0))
    or 6 * (%(base)s %(on)s (%(maintenance)s == 1))
    or 5 * (%(base)s %(on)s (%(paused)s == 1))
    or 4 * (%(base)s %(on)s (%(active)s == 0))
    or 3 * (%(base)s %(on)s %(observe)s)
    or 2 * (%(base)s %(on)s %(critical)s)
    or 1 * (%(base)s %(on)s %(warning)s)
    or 0 * %(base)s
  ||| % {
    base: q.checkBase,
    on: 'and ' + q.onCheck,
    success: chk('freshness_check_success'),
    maintenance: chk('freshness_check_maintenance'),
    paused: chk('freshness_artifact_state', 'state="paused"'),
    active: chk('freshness_check_active'),
    observe: chk('freshness_check_info', 'mode="observe"'),
    critical: chk('freshness:breach:value', 'severity="critical"'),
    warning: chk('freshness:breach:value', 'severity="warning"'),
  }),

  // Tier lines of a compared series: "<check> warning tier", "<check> critical tier".
  local tierTarget(metric, ref='B') =
    g.target(across(chk('check:%s:threshold' % metric)), '{{check}} {{severity}} tier', ref),
  // A check-level series for the checks of one kind only.
  local ofKind(metric, kind) =
    across('%s and %s %s' % [chk(metric), q.onCheck, chk('freshness_check_info', 'kind="%s"' % kind)]),
  local firing = q.alerts('alertstate="firing"'),
  local alertKey = std.join(', ', (if config.showMultiCluster then [config.clusterLabel] else []) + ['job', 'alertname', 'check', 'severity']),
  local step = config.alertHistoryStep,

  local overview = [
    [g.stat(
      'Critical breaches',
      'Series over a critical tier now (recording rule freshness:breach:value), each counted once across replicas. The alert fires on it while an exporter can see the check (freshness:check:watching).',
      'count(%s) or vector(0)' % across(chk('freshness:breach:value', 'severity="critical"')),
      'none', g.steps('green', [[1, 'red']])
    ), 3, 4],
    [g.stat(
      'Warning breaches',
      'Series over a warning tier (and not a critical one) now, from freshness:breach:value, each counted once across replicas.',
      'count(%s unless ignoring (severity) %s) or vector(0)' % [
        across(chk('freshness:breach:value', 'severity="warning"')),
        across(chk('freshness:breach:value', 'severity="critical"')),
      ],
      'none', g.steps('green', [[1, 'orange']])
    ), 3, 4],
    [g.stat(
      'Checks failing',
      'Checks whose last collection failed on every replica (freshness_check_success == 0). Their last good value is still shown below, and their alerts are held, not resolved.',
      'count(%s == 0) or vector(0)' % across(chk('freshness_check_success')),
      'none', g.steps('green', [[1, 'red']])
    ), 3, 4],
    [g.stat(
      'Checks not watched',
      'Checks no exporter can vouch for now (freshness:check:watching absent): the exporter is down or stalled, the last collection failed or is older than two intervals, or the check is in maintenance. Their alerts neither fire nor resolve until an exporter watches them again.',
      'count(%s unless %s) or vector(0)' % [
        across(q.checkBase),
        across(chk('freshness:check:watching'), ['kind', 'target', 'mode']),
      ],
      'none', g.steps('green', [[1, 'orange']])
    ), 3, 4],
    [g.stat(
      'In maintenance',
      'Checks inside a maintenance window of their own or of their target (freshness_check_maintenance == 1): not alerted on.',
      'count(%s == 1) or vector(0)' % across(chk('freshness_check_maintenance')),
      'none', g.steps('green', [[1, 'blue']])
    ), 3, 4],
    [g.stat(
      'Outside active hours',
      'Checks outside their active window now (freshness_check_active == 0): their lag, runs, duplicates, artifact and query breaches are not alerted on.',
      'count(%s == 0) or vector(0)' % across(chk('freshness_check_active')),
      'none', g.steps('green', [[1, 'text']])
    ), 3, 4],
    [g.stat(
      'Observe mode',
      'Checks in mode observe: evaluated, exported and alerted on, but the alerts are routed to no one (see the Observe mode row).',
      'count(%s) or vector(0)' % across(chk('freshness_check_info', 'mode="observe"')),
      'none', g.steps('green', [[1, 'purple']])
    ), 3, 4],
    [g.stat(
      'Alerts firing',
      'Alerts of the rule bundle firing now about the selected exporters: data alerts (one per series, without the replica labels) of the selected checks and exporter-wide ones (no check label).',
      'count(%s) or vector(0)' % firing,
      'none', g.steps('green', [[1, 'red']])
    ), 3, 4],
  ],

  local checks = [
    [g.table(
      'Checks',
      "One row per check, across replicas: kind, target, mode; its state (the verdict's precedence: failed, maintenance, paused, inactive, observe, critical, warning, ok); how long its current active period has lasted (always: no active window; 0: outside it); maintenance; whether an exporter is watching it (healthy, last collection successful and at most two intervals old, not in maintenance); the collection interval.",
      g.tableTargets([
        across(chk('freshness_check_info')),
        checkStateExpr,
        across(chk('freshness_check_active_for_seconds')),
        across(chk('freshness_check_maintenance')),
        across('%s or 0 * %s' % [
          'max without (kind, target, mode) (%s)' % chk('freshness:check:watching'),
          q.checkBase,
        ]),
        across(chk('freshness_check_interval_seconds')),
      ]),
      'none',
      organize={
        excludeByName: { Time: true, job: true, 'Value #A': true },
        renameByName: {
          check: 'Check',
          kind: 'Kind',
          target: 'Target',
          mode: 'Mode',
          'Value #B': 'State',
          'Value #C': 'Active for',
          'Value #D': 'Maintenance',
          'Value #E': 'Watched',
          'Value #F': 'Interval',
        },
        indexByName: { check: 0, kind: 1, target: 2, mode: 3, 'Value #B': 4, 'Value #C': 5, 'Value #D': 6, 'Value #E': 7, 'Value #F': 8 },
      },
      overrides=[
        g.mappedColumn('State', g.valueMappings(checkStates)),
        g.override('Active for', { unit: 's', mappings: alwaysActive }),
        g.mappedColumn('Maintenance', yesNo),
        g.mappedColumn('Watched', watchedMappings),
        g.override('Interval', { unit: 's' }),
      ],
      sortBy='Check',
    ), 14, 9],
    [g.stateTimeline(
      'Check state over time',
      "Each check's state over the dashboard's range, across replicas (the worst one): failed, maintenance, paused, inactive, observe, critical or warning (a series over that tier), ok.",
      [g.target(checkStateExpr, '{{check}}')],
      'none', g.valueMappings(checkStates), g.steps('green')
    ), 10, 9],
  ],

  local breaches = [
    [g.table(
      'Breaches now',
      "Every series over a tier now (recording rule freshness:breach:value), across replicas: the check, the signal (lag, runs, duplicates, artifact, query, target_down, check_errors), the tier's severity, the check's target and mode, and the series' own labels (group_by columns, query labels). The value is the compared one: seconds for lag and runs, a count for duplicates, 1 for an artifact, the gauge for query, the failed share for check_errors. The tiers are the exporter's (freshness_check_threshold, warn_on/error_on, freshness_query_threshold) unless a rule-side override wins.",
      g.tableTargets([across(chk('freshness:breach:value'))]),
      'none',
      organize={
        excludeByName: { Time: true, job: true, __name__: true },
        renameByName: { check: 'Check', signal: 'Signal', severity: 'Severity', target: 'Target', mode: 'Mode' },
        indexByName: { check: 0, signal: 1, severity: 2 },
      },
      overrides=[g.mappedColumn('Severity', severityMappings)],
      sortBy='Check',
    ), 12, 8],
    [g.stateTimeline(
      'Breaches over time',
      'When each series was over a tier (freshness:breach:value) over the dashboard range, across replicas: critical or warning. Nothing drawn: within every tier, or not evaluated (exporter down, check inactive).',
      [g.target(across('clamp(%s, 2, 2) or clamp(%s, 1, 1)' % [
        chk('freshness:breach:value', 'severity="critical"'),
        chk('freshness:breach:value', 'severity="warning"'),
      ], ['severity', 'target', 'mode']))],
      'none', g.valueMappings([[1, 'warning', 'orange'], [2, 'critical', 'red']]), g.steps('green')
    ), 12, 8],
  ],

  local lag = [
    [g.timeseries(
      'Lag',
      'now − newest event time of each lag series, across replicas (max); +Inf (an empty table) is not drawn. Dashed: the check\'s tiers (recording rule check:freshness_lag_seconds:threshold, warning orange, critical red). A lag series breaches a tier when min(lag, time since its active period began) > tier + for, inside the active window.',
      [g.target(across(chk('freshness_lag_seconds'))), tierTarget('freshness_lag_seconds')],
      's', min=0, overrides=g.tierStyle
    ), 14, 9],
    [g.table(
      'Lag against tiers',
      "Per lag check: the worst series' lag, its tiers, its for, and how long its current active period has lasted (always: no active window). A tier is breached when min(lag, active for) > tier + for.",
      g.tableTargets([
        q.perCheck(chk('freshness_lag_seconds')),
        across(chk('check:freshness_lag_seconds:threshold', 'severity="warning"'), ['severity']),
        across(chk('check:freshness_lag_seconds:threshold', 'severity="critical"'), ['severity']),
        ofKind('freshness_check_for_seconds', 'lag'),
        ofKind('freshness_check_active_for_seconds', 'lag'),
      ]),
      's',
      organize={
        excludeByName: { Time: true, job: true },
        renameByName: {
          check: 'Check',
          'Value #A': 'Lag',
          'Value #B': 'Warning',
          'Value #C': 'Critical',
          'Value #D': 'For',
          'Value #E': 'Active for',
        },
        indexByName: { check: 0, 'Value #A': 1, 'Value #B': 2, 'Value #C': 3, 'Value #D': 4, 'Value #E': 5 },
      },
      overrides=[
        g.override('Lag', { 'custom.cellOptions': { type: 'color-text' }, color: { mode: 'thresholds' } }),
        g.override('Active for', { mappings: alwaysActive }),
      ],
      sortBy='Check',
    ), 10, 9],
  ],

  local runs = [
    [g.timeseries(
      'Unfinished runs',
      'Runs started inside the check\'s window without a finish time (kind runs), across replicas.',
      [g.target(across(chk('freshness_unfinished_runs')))],
      'none', min=0
    ), 8, 8],
    [g.timeseries(
      'Oldest unfinished run age',
      'Age of the oldest run started inside the window that has not finished, 0 if none (kind runs). A steadily growing line is a hung run. Dashed: the tiers (check:freshness_oldest_unfinished_run_age_seconds:threshold); a run breaches one when its age > tier + for.',
      [g.target(across(chk('freshness_oldest_unfinished_run_age_seconds'))), tierTarget('freshness_oldest_unfinished_run_age_seconds')],
      's', min=0, overrides=g.tierStyle
    ), 8, 8],
    [g.timeseries(
      'Duplicate executions',
      'Keys executed more than once inside the check\'s window (kind duplicates). A count above a dashed tier (check:freshness_duplicate_executions:threshold; the default critical tier 0 means any duplicate) is a breach.',
      [g.target(across(chk('freshness_duplicate_executions'))), tierTarget('freshness_duplicate_executions')],
      'none', min=0, overrides=g.tierStyle
    ), 8, 8],
    [g.timeseries(
      'Consecutive failed runs',
      'Failures in a row among the newest finished runs of runs checks with failed_when, counted across the window, across replicas. Dashed: the tiers (check:freshness_consecutive_failed_runs:threshold; error_after_failures defaults to 3); a streak at or above one breaches it.',
      [g.target(across(chk('freshness_consecutive_failed_runs'))), tierTarget('freshness_consecutive_failed_runs')],
      'none', min=0, overrides=g.tierStyle
    ), 8, 8],
    [g.timeseries(
      'Failed runs in the window',
      'Runs started inside the check\'s window whose finished row matches failed_when, across replicas.',
      [g.target(across(chk('freshness_failed_runs')))],
      'none', min=0
    ), 8, 8],
    [g.timeseries(
      'Since the last successful run',
      'Age of the newest successful run of runs checks with failed_when, across replicas (+Inf, not drawn, when none succeeded). Dashed: max_success_age (check:freshness_last_successful_run_age_seconds:threshold); an age above it breaches.',
      [
        g.target(across(chk('freshness_last_successful_run_age_seconds'))),
        tierTarget('freshness_last_successful_run_age_seconds'),
      ],
      's', min=0, overrides=g.tierStyle
    ), 8, 8],
    [g.table(
      'Failed runs by check',
      'Per runs check with failed_when, across replicas: failures in a row now, failed runs in the window, and when the newest successful run finished (empty: none did).',
      g.tableTargets([
        across(chk('freshness_consecutive_failed_runs')),
        across(chk('freshness_failed_runs')),
        '1000 * ' + across(chk('freshness_last_successful_run_timestamp_seconds')),
      ]),
      'none',
      organize={
        excludeByName: { Time: true, job: true },
        renameByName: {
          check: 'Check',
          'Value #A': 'Failures in a row',
          'Value #B': 'Failed in window',
          'Value #C': 'Last success',
        },
        indexByName: { check: 0, 'Value #A': 1, 'Value #B': 2, 'Value #C': 3 },
      },
      overrides=[g.override('Last success', { unit: 'dateTimeAsIso' })],
      sortBy='Check',
    ), 24, 6],
  ],

  local volume = [
    [g.timeseries(
      'Rows: observed and expected',
      'Volume checks: rows counted in the last period (observed) and what was expected (a fixed count, or the same period days, weeks or business days before), across replicas.',
      [
        g.target(across(chk('freshness_volume_observed_rows')), '{{check}} observed'),
        g.target(across(chk('freshness_volume_expected_rows')), '{{check}} expected', 'B'),
      ],
      'none', min=0
    ), 12, 8],
    [g.timeseries(
      'Volume ratio',
      'Observed / expected rows of volume checks, across replicas; absent when nothing was expected. Dashed: the floors (check:freshness_volume_ratio:threshold; warn_below defaults to 0.95); a ratio below one breaches it.',
      [g.target(across(chk('freshness_volume_ratio'))), tierTarget('freshness_volume_ratio')],
      'percentunit', min=0, overrides=g.tierStyle
    ), 12, 8],
  ],

  local artifacts = [
    [g.table(
      'Artifacts',
      "One row per artifact check, across replicas: the state of the slot in force, the tier that state is in (warn_on/error_on), the age of the satisfying object, the deadline of the slot in force or the next one, due slots missed since the last satisfied one, and the location probed for the slot with its partition date (freshness_artifact_slot_info).",
      g.tableTargets([
        across('%s == 1' % chk('freshness_artifact_state')),
        across(|||
          max without (state, severity) (
              (2 * %(critical)s or %(warning)s)
            * on (%(labels)s, state) group_left ()
              (%(state)s == 1)
          )
          or 0 * max without (state) (%(state)s == 1)
        ||| % {
          critical: chk('freshness_artifact_state_severity', 'severity="critical"'),
          warning: chk('freshness_artifact_state_severity', 'severity="warning"'),
          labels: std.join(', ', q.checkLabels),
          state: chk('freshness_artifact_state'),
        }),
        across(chk('freshness_artifact_age_seconds')),
        '1000 * ' + across(chk('freshness_artifact_deadline_timestamp_seconds')),
        across(chk('freshness_artifact_missed_slots')),
        across(chk('freshness_artifact_slot_info')),
      ]),
      'none',
      organize={
        excludeByName: { Time: true, job: true, 'Value #A': true, 'Value #F': true },
        renameByName: {
          check: 'Check',
          state: 'State',
          'Value #B': 'Tier',
          'Value #C': 'Age',
          'Value #D': 'Deadline',
          'Value #E': 'Missed slots',
          location: 'Location',
          partition: 'Partition',
        },
        indexByName: { check: 0, state: 1, 'Value #B': 2, 'Value #C': 3, 'Value #D': 4, 'Value #E': 5, partition: 6, location: 7 },
      },
      overrides=[
        g.mappedColumn('State', artifactStateMappings),
        g.mappedColumn('Tier', tierMappings),
        g.override('Age', { unit: 's' }),
        g.override('Deadline', { unit: 'dateTimeAsIso' }),
        g.override('Missed slots', {
          'custom.cellOptions': { type: 'color-text' },
          color: { mode: 'thresholds' },
          thresholds: { mode: 'absolute', steps: g.steps('green', [[1, 'red']]) },
        }),
      ],
      sortBy='Check',
    ), 14, 9],
    [g.stateTimeline(
      'Artifact state over time',
      "State of each artifact check's slot in force over time, across replicas.",
      [g.target(across('sum without (state) (%s)' % std.join(' or ', [
        '%s * %d' % [chk('freshness_artifact_state', 'state="%s"' % artifactStates[i]), i]
        for i in std.range(0, std.length(artifactStates) - 1)
      ])), '{{check}}')],
      'none', artifactCodeMappings, g.steps('green')
    ), 10, 9],
  ],

  local alerts = [
    [g.table(
      'Firing alerts',
      'Alerts of the rule bundle firing now (ALERTS): data alerts of the selected checks, identified without the replica labels (a restart or two replicas give one alert), and exporter-wide ones (no check label).',
      [g.target(firing, ref='A', instant=true, table=true)],
      'none',
      organize={
        excludeByName: { Time: true, Value: true, __name__: true, alertstate: true },
        indexByName: { alertname: 0, severity: 1, check: 2 },
      },
      overrides=[g.mappedColumn('severity', severityMappings)],
      sortBy='alertname',
    ), 12, 8],
    [g.table(
      'Longest firing alerts',
      'Over the dashboard range: how long each alert of the bundle was firing (per alert name, check and severity; counted at %s steps, so to within %s), when it was first and last seen firing. Set the range to last week to see what alerted last week and for how long (Prometheus must keep that much: 90 days of retention is advised).' % [step, step],
      g.tableTargets([
        '%d * count_over_time((max by (%s) (%s))[$__range:%s])' % [config.alertHistoryStepSeconds, alertKey, firing, step],
        '1000 * min_over_time(timestamp(max by (%s) (%s))[$__range:%s])' % [alertKey, firing, step],
        '1000 * max_over_time(timestamp(max by (%s) (%s))[$__range:%s])' % [alertKey, firing, step],
      ]),
      's',
      organize={
        excludeByName: { Time: true, job: true },
        renameByName: {
          alertname: 'Alert',
          check: 'Check',
          severity: 'Severity',
          'Value #A': 'Firing for',
          'Value #B': 'First firing',
          'Value #C': 'Last firing',
        },
        indexByName: { alertname: 0, check: 1, severity: 2, 'Value #A': 3, 'Value #B': 4, 'Value #C': 5 },
      },
      overrides=[
        g.mappedColumn('Severity', severityMappings),
        g.override('First firing', { unit: 'dateTimeAsIso' }),
        g.override('Last firing', { unit: 'dateTimeAsIso' }),
      ],
      sortBy='Firing for',
      sortDesc=true,
    ), 12, 8],
    [g.stateTimeline(
      'Alert history',
      "When each alert of the bundle was firing over the dashboard range (ALERTS{alertstate=\"firing\"} by alert name and check), coloured by its severity (the highest when it fired at several). Exporter-wide alerts have no check. With the instance variable set, data alerts (which carry no instance) still show.",
      [g.target('max by (alertname, check) (3 * %s or 2 * %s or %s)' % [
        q.alerts('alertstate="firing", severity="critical"'),
        q.alerts('alertstate="firing", severity="warning"'),
        q.alerts('alertstate="firing", severity!~"critical|warning"'),
      ], '{{alertname}} {{check}}')],
      'none', g.valueMappings([[1, 'info', 'blue'], [2, 'warning', 'orange'], [3, 'critical', 'red']]), g.steps('green')
    ), 24, 10],
  ],

  local observe = [
    [g.table(
      'Observe-mode checks',
      'Checks in mode observe: evaluated, exported and alerted on, the alerts routed to no one. What each would be now (its worst breach) and how many of its alerts fire, to decide before switching it to enforce.',
      g.tableTargets([
        across(chk('freshness_check_info', 'mode="observe"')),
        across(|||
          (
              2 * (%(base)s %(on)s %(critical)s)
            or 1 * (%(base)s %(on)s %(warning)s)
            or 0 * %(base)s
          )
          and %(onCheck)s %(observe)s
        ||| % {
          base: q.checkBase,
          on: 'and ' + q.onCheck,
          onCheck: q.onCheck,
          critical: chk('freshness:breach:value', 'severity="critical"'),
          warning: chk('freshness:breach:value', 'severity="warning"'),
          observe: chk('freshness_check_info', 'mode="observe"'),
        }),
        // Data alerts carry no instance: counted per check, then put on the check's series.
        across('0 * %(observe)s + on (%(by)s) group_left () count by (%(by)s) (%(alerts)s) or 0 * %(observe)s' % {
          by: std.join(', ', (if config.showMultiCluster then [config.clusterLabel] else []) + ['job', 'check']),
          alerts: q.alerts('alertstate="firing", mode="observe"'),
          observe: 'max without (kind, target, mode) (%s)' % chk('freshness_check_info', 'mode="observe"'),
        }),
      ]),
      'none',
      organize={
        excludeByName: { Time: true, job: true, 'Value #A': true, mode: true },
        renameByName: { check: 'Check', kind: 'Kind', target: 'Target', 'Value #B': 'Would be', 'Value #C': 'Alerts firing' },
        indexByName: { check: 0, kind: 1, target: 2, 'Value #B': 3, 'Value #C': 4 },
      },
      overrides=[g.mappedColumn('Would be', tierMappings)],
      sortBy='Check',
    ), 24, 7],
  ],

  grafanaDashboards+:: {
    'pipeline-freshness.json': g.dashboard(
      config,
      'freshness-pipeline',
      'Pipeline freshness',
      'Data-pipeline freshness from freshness_exporter, across replicas: checks and their state, breaches of the declared tiers, table lag, runs (unfinished and failed) and duplicate executions against their tiers, volume, scheduled artifacts, firing alerts and their history, observe-mode checks.',
      ['pipelines'],
      [
        { title: 'Overview', panels: overview },
        { title: 'Checks', panels: checks },
        { title: 'Breaches', panels: breaches },
        { title: 'Table lag', panels: lag },
        { title: 'Runs and executions', panels: runs },
        { title: 'Volume', panels: volume },
        { title: 'Artifacts', panels: artifacts },
        { title: 'Alerts', panels: alerts },
        { title: 'Observe mode', panels: observe },
      ],
    ),
  },
}
