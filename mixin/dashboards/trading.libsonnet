// "Trading business view": the business gauges that query checks export, as the trading desk
// reads them: PnL per account, the daily loss against its limit, positions against their limits
// and the circuit breakers. It expects query checks mapping these gauges (names fixed, checks and
// tables free; examples/demo has them):
//   trading_daily_pnl{account}                    profit and loss today
//   trading_daily_loss_limit{account}             the loss the account may make today (positive)
//   trading_position_quantity{account, symbol}    signed position
//   trading_position_limit{account, symbol}       the largest position allowed (positive)
//   trading_circuit_breaker_active{breaker}       1 while the breaker is tripped
// Gauges are aggregated across replicas and across the checks that export them (so limits can come
// from another check than the values).
local g = import 'lib.libsonnet';

{
  local config = $._config,
  local q = g.queries(config),
  local chk = q.check,
  local money = config.tradingCurrencyUnit,
  // A business gauge across replicas and checks.
  local gauge(metric, extra='') = q.across(chk(metric, extra), ['check']),
  local account = 'account=~"$account"',
  local pnl = gauge('trading_daily_pnl', account),
  local lossLimit = gauge('trading_daily_loss_limit', account),
  local quantity = gauge('trading_position_quantity', account),
  local positionLimit = gauge('trading_position_limit', account),
  local breakers = gauge('trading_circuit_breaker_active'),
  // Share of the daily loss limit used (0 while the account is not losing).
  local lossUsed = 'clamp_min(-1 * %s, 0) / %s' % [pnl, lossLimit],
  local positionUsed = 'abs(%s) / %s' % [quantity, positionLimit],
  local usedSteps = g.steps('green', [[0.8, 'orange'], [1, 'red']]),
  local queryChecks = chk('freshness_check_info', 'kind="query"'),
  local breakerMappings = g.valueMappings([[0, 'normal', 'green'], [1, 'tripped', 'red']]),

  local today = [
    [g.stat(
      'PnL today',
      'Profit and loss today over the selected accounts (trading_daily_pnl).',
      'sum(%s)' % pnl,
      money, g.steps('red', [[0, 'green']])
    ), 6, 4],
    [g.stat(
      'Worst daily loss against its limit',
      "The largest share of an account's daily loss limit used today: loss (−PnL, 0 when in profit) / trading_daily_loss_limit. Orange from 80 %, red at the limit.",
      'max(%s)' % lossUsed,
      'percentunit', usedSteps
    ), 6, 4],
    [g.stat(
      'Largest position against its limit',
      'The largest |trading_position_quantity| / trading_position_limit over the selected accounts and symbols. Orange from 80 %, red beyond the limit.',
      'max(%s)' % positionUsed,
      'percentunit', usedSteps
    ), 6, 4],
    [g.stat(
      'Circuit breakers tripped',
      'Circuit breakers active now (trading_circuit_breaker_active == 1): trading they guard is halted.',
      'count(%s == 1) or vector(0)' % breakers,
      'none', g.steps('green', [[1, 'red']])
    ), 6, 4],
  ],

  local loss = [
    [g.timeseries(
      'PnL per account',
      "Today's profit and loss per account (trading_daily_pnl). Dashed red: minus the account's daily loss limit (trading_daily_loss_limit), the floor the PnL must stay above.",
      [
        g.target(pnl, '{{account}}'),
        g.target('-1 * %s' % lossLimit, '{{account}} loss limit', 'B'),
      ],
      money, overrides=[g.dashed('.* loss limit', 'red')]
    ), 9, 9],
    [g.timeseries(
      'Daily loss against its limit',
      "Share of each account's daily loss limit used: loss today (−PnL, 0 when in profit) / trading_daily_loss_limit. Dashed: 80 % and the limit.",
      [g.target(lossUsed, '{{account}}')],
      'percentunit', min=0, thresholds=usedSteps, thresholdsStyle='dashed'
    ), 9, 9],
    [g.table(
      'Accounts',
      'Per account now: PnL today, the daily loss limit and the share of it used.',
      g.tableTargets([pnl, lossLimit, lossUsed]),
      money,
      organize={
        excludeByName: { Time: true, job: true },
        renameByName: { account: 'Account', 'Value #A': 'PnL', 'Value #B': 'Loss limit', 'Value #C': 'Limit used' },
        indexByName: { account: 0, 'Value #A': 1, 'Value #B': 2, 'Value #C': 3 },
      },
      overrides=[g.override('Limit used', {
        unit: 'percentunit',
        'custom.cellOptions': { type: 'color-background' },
        color: { mode: 'thresholds' },
        thresholds: { mode: 'absolute', steps: usedSteps },
      })],
      sortBy='Limit used',
      sortDesc=true,
    ), 6, 9],
  ],

  local positions = [
    [g.timeseries(
      'Positions against limits',
      'Share of each position limit used: |trading_position_quantity| / trading_position_limit, per account and symbol. Dashed: 80 % and the limit.',
      [g.target(positionUsed, '{{account}} {{symbol}}')],
      'percentunit', min=0, thresholds=usedSteps, thresholdsStyle='dashed'
    ), 12, 9],
    [g.table(
      'Positions',
      'Per account and symbol now: the position (signed), its limit and the share of the limit used, largest first.',
      g.tableTargets([quantity, positionLimit, positionUsed]),
      'none',
      organize={
        excludeByName: { Time: true, job: true },
        renameByName: { account: 'Account', symbol: 'Symbol', 'Value #A': 'Quantity', 'Value #B': 'Limit', 'Value #C': 'Limit used' },
        indexByName: { account: 0, symbol: 1, 'Value #A': 2, 'Value #B': 3, 'Value #C': 4 },
      },
      overrides=[g.override('Limit used', {
        unit: 'percentunit',
        'custom.cellOptions': { type: 'color-background' },
        color: { mode: 'thresholds' },
        thresholds: { mode: 'absolute', steps: usedSteps },
      })],
      sortBy='Limit used',
      sortDesc=true,
    ), 12, 9],
  ],

  local risk = [
    [g.stateTimeline(
      'Circuit breakers',
      'State of each circuit breaker over the dashboard range (trading_circuit_breaker_active): normal or tripped.',
      [g.target(breakers, '{{breaker}}')],
      'none', breakerMappings, g.steps('green', [[1, 'red']])
    ), 16, 8],
    [g.table(
      'Data age',
      'How old the numbers on this dashboard are: per query check, the time since its last successful collection (oldest replica) and whether its last collection succeeded. A failing check keeps its last good values.',
      g.tableTargets([
        q.across('(time() - %s) and %s %s' % [chk('freshness_check_last_success_timestamp_seconds'), q.onCheck, queryChecks]),
        q.across('%s and %s %s' % [chk('freshness_check_success'), q.onCheck, queryChecks]),
      ]),
      's',
      organize={
        excludeByName: { Time: true, job: true },
        renameByName: { check: 'Check', 'Value #A': 'Age', 'Value #B': 'Last collection' },
        indexByName: { check: 0, 'Value #A': 1, 'Value #B': 2 },
      },
      overrides=[g.mappedColumn('Last collection', g.valueMappings([[0, 'failed', 'red'], [1, 'ok', 'green']]))],
      sortBy='Check',
    ), 8, 8],
  ],

  grafanaDashboards+:: {
    'trading-business.json': g.dashboard(
      config,
      'freshness-trading',
      'Trading business view',
      "The trading desk's business view from freshness_exporter query checks: PnL per account, the daily loss against its limit, positions against their limits and the circuit breakers, with the age of the data.",
      ['business', 'trading'],
      [
        { title: 'Today', panels: today },
        { title: 'PnL and daily loss limit', panels: loss },
        { title: 'Positions', panels: positions },
        { title: 'Circuit breakers and data age', panels: risk },
      ],
      checkFilter='kind="query"',
      extraVariables=[
        g.queryVariable('account', 'Account', 'label_values(trading_daily_pnl{%s}, account)' % q.checkMatchers()),
      ],
    ),
  },
}
