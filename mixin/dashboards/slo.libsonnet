// "Freshness SLOs": the checks that declare `slo:` (docs/slo.md), from the series the SLO rules
// record (mixin/rules/slo.libsonnet, rules/freshness-slo.rules.yml): objective, SLI over the
// SLO window, error budget left (share and time), bad time, burn rates against the alerts'
// factors, whether the instant counts, and the SLO alerts. The rules record these series without
// the replica labels (one per check and job), so their selectors match the empty instance too,
// like the data alerts; the check variable lists the checks the exporter exports an objective
// for (freshness_slo_objective).
local g = import 'lib.libsonnet';

{
  local config = $._config,
  local q = g.queries(config),
  local slo = q.slo,
  local burnWindows = $.sloBurnWindows,

  local objective = slo('check:freshness_slo_objective:value'),
  local sli = slo('check:freshness_slo_sli:window'),
  local budgetRatio = slo('check:freshness_slo_budget_remaining:ratio'),
  local budgetSeconds = slo('check:freshness_slo_budget_remaining:seconds'),
  local burn(w) = slo('check:freshness_slo_burn_rate:%s' % w),
  // 0: the instant does not count (outside the active window, maintenance, paused, observe), 1:
  // counts and is good, 2: counts and is bad. Absent: no healthy exporter reports the check.
  local countingState = '%s + %s' % [slo('check:freshness_slo_counting:value'), slo('check:freshness_slo_bad:value')],
  local countingMappings = g.valueMappings([[0, 'not counting', 'text'], [1, 'good', 'green'], [2, 'bad', 'red']]),
  local budgetSteps = g.steps('red', [[0, 'orange'], [0.25, 'green']]),
  local sloAlertNames = 'FreshnessSloBudgetBurn|FreshnessSloBudgetExhausted',
  local sloAlerts(extra='') = q.alerts('alertname=~"%s"%s' % [sloAlertNames, if extra == '' then '' else ', ' + extra]),
  local severityMappings = [{ type: 'value', options: {
    critical: { color: 'red', index: 0 },
    warning: { color: 'orange', index: 1 },
    firing: { color: 'red', index: 2 },
    pending: { color: 'orange', index: 3 },
  } }],
  local times = 'suffix:×',

  local overview = [
    [g.stat(
      'Checks with an SLO',
      'Checks of the selected exporters that declare an objective (check:freshness_slo_objective:value, recorded from freshness_slo_objective).',
      'count(%s) or vector(0)' % objective,
      'none', g.steps('blue')
    ), 4, 4],
    [g.stat(
      'Counting now',
      'Checks whose current instant counts towards their SLO (check:freshness_slo_counting:value == 1): in enforce mode, inside their active window on a business day, not in maintenance, not paused, and reported by a healthy exporter.',
      'count(%s == 1) or vector(0)' % slo('check:freshness_slo_counting:value'),
      'none', g.steps('blue')
    ), 4, 4],
    [g.stat(
      'Bad now',
      'Checks whose current instant counts and is bad (check:freshness_slo_bad:value == 1): over a tier of their own, burning budget now.',
      'count(%s == 1) or vector(0)' % slo('check:freshness_slo_bad:value'),
      'none', g.steps('green', [[1, 'red']])
    ), 4, 4],
    [g.stat(
      'Lowest budget left',
      'The smallest share of error budget left over the checks (check:freshness_slo_budget_remaining:ratio): 100 % untouched, 0 spent, below 0 overspent. Orange below 25 %, red once spent.',
      'min(%s)' % budgetRatio,
      'percentunit', budgetSteps
    ), 4, 4],
    [g.stat(
      'Budgets spent',
      'Checks whose error budget for their SLO window is spent (check:freshness_slo_budget_remaining:ratio <= 0): FreshnessSloBudgetExhausted fires after 10 minutes.',
      'count(%s <= 0) or vector(0)' % budgetRatio,
      'none', g.steps('green', [[1, 'red']])
    ), 4, 4],
    [g.stat(
      'SLO alerts firing',
      'FreshnessSloBudgetBurn and FreshnessSloBudgetExhausted alerts firing now (ALERTS) for the selected checks.',
      'count(%s) or vector(0)' % sloAlerts('alertstate="firing"'),
      'none', g.steps('green', [[1, 'red']])
    ), 4, 4],
  ],

  local table = [
    [g.table(
      'SLO checks',
      "One row per check with an SLO, the least budget left first: its objective and SLO window, the SLI over that window (share of counting time that was good), the error budget left as a share of the budget and as bad time still allowed, the bad time spent in the window, the burn rates over 1h, 6h and 3d (1x spends the budget exactly over the window; the alerts page at 14.4x over 1h and 6x over 6h, ticket at 1x over 3d), and whether the instant counts now. Windows reaching back before the totals existed count from their start.",
      g.tableTargets([
        objective,
        slo('check:freshness_slo_window_seconds:value'),
        sli,
        budgetRatio,
        budgetSeconds,
        slo('check:freshness_slo_bad:seconds_window'),
        burn('1h'),
        burn('6h'),
        burn('3d'),
        countingState,
      ]),
      'none',
      organize={
        excludeByName: { Time: true, job: true, __name__: true },
        renameByName: {
          check: 'Check',
          'Value #A': 'Objective',
          'Value #B': 'Window',
          'Value #C': 'SLI',
          'Value #D': 'Budget left',
          'Value #E': 'Bad time left',
          'Value #F': 'Bad time in window',
          'Value #G': 'Burn 1h',
          'Value #H': 'Burn 6h',
          'Value #I': 'Burn 3d',
          'Value #J': 'Now',
        },
        indexByName: {
          check: 0,
          'Value #A': 1,
          'Value #B': 2,
          'Value #C': 3,
          'Value #D': 4,
          'Value #E': 5,
          'Value #F': 6,
          'Value #G': 7,
          'Value #H': 8,
          'Value #I': 9,
          'Value #J': 10,
        },
      },
      overrides=[
        g.override('Objective', { unit: 'percentunit', decimals: 2 }),
        g.override('Window', { unit: 's' }),
        g.override('SLI', { unit: 'percentunit', decimals: 3 }),
        g.override('Budget left', {
          unit: 'percentunit',
          'custom.cellOptions': { type: 'color-background' },
          color: { mode: 'thresholds' },
          thresholds: { mode: 'absolute', steps: budgetSteps },
        }),
        g.override('Bad time left', { unit: 's' }),
        g.override('Bad time in window', { unit: 's' }),
        g.overrideRegexp('Burn .*', { unit: times, decimals: 1 }),
        g.mappedColumn('Now', countingMappings),
      ],
      sortBy='Budget left',
      sortDesc=false,
    ), 24, 9],
  ],

  local budget = [
    [g.timeseries(
      'SLI over the SLO window',
      "Each check's SLI (check:freshness_slo_sli:window): the share of its counting time over its SLO window (slo.window) that was good. Dashed: its objective (check:freshness_slo_objective:value); below it, the budget is overspent.",
      [
        g.target(sli, '{{check}}'),
        g.target(objective, '{{check}} objective', 'B'),
      ],
      'percentunit', max=1, overrides=[g.dashed('.* objective', 'red')]
    ), 8, 8],
    [g.timeseries(
      'Error budget left',
      'Share of the error budget left over the SLO window (check:freshness_slo_budget_remaining:ratio = 1 - bad / ((1 - objective) x counting)): 100 % untouched, 0 spent, below 0 overspent.',
      [g.target(budgetRatio, '{{check}}')],
      'percentunit', thresholds=budgetSteps, thresholdsStyle='dashed'
    ), 8, 8],
    [g.timeseries(
      'Bad time left',
      'Error budget left as time (check:freshness_slo_budget_remaining:seconds = (1 - objective) x counting seconds - bad seconds over the SLO window): how much more bad counting time the window allows. Below 0: overspent by that much.',
      [g.target(budgetSeconds, '{{check}}')],
      's', thresholds=g.steps('red', [[0, 'green']]), thresholdsStyle='dashed'
    ), 8, 8],
  ],

  local burns = [
    [g.timeseries(
      'Burn rate, %s and %s' % [w[0], w[1]],
      'Burn rate over %(long)s and %(short)s (check:freshness_slo_burn_rate:%(long)s and :%(short)s): error ratio / (1 - objective); 1x spends the budget exactly over the window. FreshnessSloBudgetBurn (%(severity)s) fires when both are over %(factor)gx (dashed).' % {
        long: w[0],
        short: w[1],
        factor: w[2],
        severity: w[3],
      },
      [
        g.target(burn(w[0]), '{{check}} %s' % w[0]),
        g.target(burn(w[1]), '{{check}} %s' % w[1], 'B'),
      ],
      times, min=0, thresholds=g.steps('green', [[w[2], if w[3] == 'critical' then 'red' else 'orange']]), thresholdsStyle='dashed'
    ), 8, 8]
    for w in burnWindows
  ],

  local counting = [
    [g.stateTimeline(
      'Counting and bad time',
      'Per check at each evaluation: not counting (outside the active window or business days, maintenance, paused, observe mode), counting and good, counting and bad (over a tier of its own). Gaps: no healthy exporter reported the check, which counts neither way.',
      [g.target(countingState, '{{check}}')],
      'none', countingMappings, g.steps('green')
    ), 12, 8],
    [g.timeseries(
      'Bad time per hour',
      'Bad counting time over the last hour (check:freshness_slo_bad:seconds1h), and counting time over the last hour (check:freshness_slo_counting:seconds1h, dashed): their ratio is the 1h error ratio.',
      [
        g.target(slo('check:freshness_slo_bad:seconds1h'), '{{check}} bad'),
        g.target(slo('check:freshness_slo_counting:seconds1h'), '{{check}} counting', 'B'),
      ],
      's', min=0, overrides=[g.dashed('.* counting', 'blue')]
    ), 12, 8],
  ],

  local alerts = [
    [g.table(
      'Active SLO alerts',
      'FreshnessSloBudgetBurn (critical: fast or sustained burn, pages; warning: slow burn, a ticket) and FreshnessSloBudgetExhausted alerts pending or firing now (ALERTS), per check.',
      [g.target(sloAlerts(), ref='A', instant=true, table=true)],
      'none',
      organize={
        excludeByName: { Time: true, Value: true, __name__: true, job: true },
        renameByName: { alertname: 'Alert', check: 'Check', severity: 'Severity', alertstate: 'State' },
        indexByName: { alertname: 0, check: 1, severity: 2, alertstate: 3 },
      },
      overrides=[g.mappedColumn('Severity', severityMappings), g.mappedColumn('State', severityMappings)],
      sortBy='Severity',
    ), 10, 8],
    [g.stateTimeline(
      'SLO alert history',
      'When each SLO alert was firing over the dashboard range (ALERTS{alertstate="firing"} by alert name and check), coloured by its severity.',
      [g.target('max by (alertname, check) (2 * %s or %s)' % [
        sloAlerts('alertstate="firing", severity="critical"'),
        sloAlerts('alertstate="firing", severity!="critical"'),
      ], '{{alertname}} {{check}}')],
      'none', g.valueMappings([[1, 'warning', 'orange'], [2, 'critical', 'red']]), g.steps('green')
    ), 14, 8],
  ],

  grafanaDashboards+:: {
    'freshness-slo.json': g.dashboard(
      config,
      'freshness-slo',
      'Freshness SLOs',
      'Freshness SLOs of the checks that declare one (docs/slo.md): objective, SLI over the SLO window, error budget left (share and time), burn rates against the alert factors, counting and bad time, and the SLO alerts.',
      ['slo'],
      [
        { title: 'Overview', panels: overview },
        { title: 'SLO checks', panels: table },
        { title: 'SLI and error budget', panels: budget },
        { title: 'Burn rates', panels: burns },
        { title: 'Counting and bad time', panels: counting },
        { title: 'SLO alerts', panels: alerts },
      ],
      checkMetric='freshness_slo_objective',
    ),
  },
}
