// Freshness SLO rules over timelines whose SLI and burn rates are computed by hand below.
//
// One exporter, one lag check `quotes` with an active window of trading hours (390 minutes a
// day), trading days one after another; one sample a minute, rules evaluated every minute. To
// keep promtool's run short, a "day" here is a 6-hour-1-minute night (no data, the lag huge, the
// check inactive, the instant not counting) then the 390 trading minutes: every window up to 6
// hours inside a trading day, and its night, is what it would be in a real 24-hour day.
local T = import 'timeline.libsonnet';

local open = 361;
local close = open + 390;
local day = close;
local week = 7 * day;
// The first test ends after Friday's close: the weekend would add nothing to count.
local friday = 5 * day;

// "v1xN1 v2xN2 ..." from [value, minutes] segments (promtool repeats a number N more times).
local segments(list) = std.join(' ', [
  local v = s[0];
  local n = s[1];
  if v == 'Inf' then 'Inf+0x%d' % (n - 1) else '%sx%d' % [std.toString(v), n - 1]
  for s in list
  if s[1] > 0
]);

// Trading minutes, and the bad minutes inside them (lag 1000 s while the warning tier is 180 s):
// day 1, 130 to 159 minutes after the open (30), and day 3, 130 to 141 minutes after it (12): 42
// bad trading minutes of 5 x 390 = 1,950, so the week's SLI is 1 - 42/1950 = 97.846 %.
local trading(d, m) = d <= 4 && m >= open && m < close;
local badMinute(d, m) =
  (d == 1 && m >= open + 130 && m < open + 160) || (d == 3 && m >= open + 130 && m < open + 142);

// Per-minute series, as segments between the minutes where something changes.
local cut(d) = [0, open, open + 130, open + 142, open + 150, open + 160, open + 210, open + 211, close];
local minuteSegments(f) =
  local runs(d) =
    local points = cut(d) + [day];
    [[f(d, points[i]), points[i + 1] - points[i]] for i in std.range(0, std.length(points) - 2)];
  segments(std.flattenArrays([runs(d) for d in std.range(0, 6)]) + [[f(7, 0), 1]]);

local labels = 'check="quotes",env="prod",instance="exporter:9560",job="freshness_exporter"';
local series(name, extra, values) =
  { series: '%s{%s%s}' % [name, labels, if extra == '' then '' else ',' + extra], values: values };

local weekSeries(counting, active=trading) = [
  series('freshness_last_collection_timestamp_seconds', '', '0+60x%d' % week) { series: 'freshness_last_collection_timestamp_seconds{env="prod",instance="exporter:9560",job="freshness_exporter"}' },
  series('freshness_check_info', 'kind="lag",mode="enforce",target="ops"', '1x%d' % week),
  series('freshness_check_threshold', 'metric="freshness_lag_seconds",severity="warning"', '180x%d' % week),
  series('freshness_check_for_seconds', '', '0x%d' % week),
  series('freshness_check_interval_seconds', '', '60x%d' % week),
  series('freshness_check_active', '', minuteSegments(function(d, m) if active(d, m) then 1 else 0)),
  // Seconds since the open while trading, else 0.
  {
    series: 'freshness_check_active_for_seconds{%s}' % labels,
    values: std.join(' ', [
      if active(d, open) then '0x%d 0+60x%d' % [open - 1, close - open - 1]
      else '0x%d' % (day - 1)
      for d in std.range(0, 6)
    ] + ['0']),
  },
  series('freshness_lag_seconds', '', minuteSegments(function(d, m) if !trading(d, m) then 50000 else if badMinute(d, m) then 1000 else 10)),
  series('freshness_slo_counting', '', minuteSegments(function(d, m) if counting(d, m) then 1 else 0)),
  series('freshness_slo_objective', '', '0.995x%d' % week),
  series('freshness_slo_window_seconds', '', '604800x%d' % week),
];

local sloRecords = [
  'check:freshness_slo_objective:value',
  'check:freshness_slo_window_seconds:value',
  'check:freshness_slo_counting:value',
  'check:freshness_slo_bad:value',
  'check:freshness_slo_counting:seconds_total',
  'check:freshness_slo_bad:seconds_total',
  'check:freshness_slo_sli:window',
  'check:freshness_slo_budget_remaining:ratio',
  'check:freshness_slo_budget_remaining:seconds',
] + [
  'check:freshness_slo_%s:%s' % [kind, w]
  for kind in ['error_ratio', 'burn_rate']
  for w in ['5m', '30m', '1h', '6h', '3d', 'window']
] + [
  'check:freshness_slo_%s:seconds%s' % [what, w]
  for what in ['counting', 'bad']
  for w in ['5m', '30m', '1h', '6h', '3d', '_window']
];

local sloAlerts(t, alerts) = {
  expr: 'ALERTS{alertstate="firing", alertname=~"FreshnessSlo.*"}',
  eval_time: '%dm' % t,
  exp_samples: [
    {
      labels: 'ALERTS{alertname="%s",alertstate="firing",check="quotes",env="prod",job="freshness_exporter",severity="%s"}' % a,
      value: 1,
    }
    for a in alerts
  ],
};
// `expr` equals `value` at minute t, to 1e-9 (the rules' sums of seconds and the hand-computed
// fractions differ in the last bits of a double).
local at(t, expr, value) = {
  expr: 'abs(%s - (%s)) < bool 1e-9' % [expr, std.toString(value)],
  eval_time: '%dm' % t,
  exp_samples: [{ labels: '{check="quotes",env="prod",job="freshness_exporter"}', value: 1 }],
};

{
  rule_files: ['../freshness-records.rules.yml', '../freshness-slo.rules.yml'],
  evaluation_interval: '1m',
  group_eval_order: ['freshness-records', 'freshness-slo', 'freshness-slo-alerts'],
  tests: [
    {
      name: 'a trading week: SLI, budget, fast, medium and slow burn, computed by hand',
      interval: '1m',
      input_series: weekSeries(trading),
      promql_expr_test: [
        // End of the week: 42 bad of 1,950 counting minutes (night, weekend and the open's grace
        // are not counted). SLI = 1 - 42/1950. Budget: 0.5 % of 1,950 min = 9.75 min = 585 s;
        // spent 2,520 s; left 585 - 2520 = -1,935 s; as a ratio 1 - (42/1950)/0.005.
        at(friday, 'check:freshness_slo_counting:seconds_window', 1950 * 60),
        at(friday, 'check:freshness_slo_bad:seconds_window', 42 * 60),
        at(friday, 'check:freshness_slo_sli:window', 1 - 42 / 1950),
        at(friday, 'check:freshness_slo_budget_remaining:seconds', 585 - 2520),
        at(friday, 'check:freshness_slo_budget_remaining:ratio', 1 - (42 / 1950) / 0.005),
        // Fast burn, day 1: the first bad minute is 130 minutes after the open, so the last hour
        // all counts. At 2443 it holds 4 bad minutes: 4/60 = 6.7 %, a
        // burn of 13.3 (< 14.4). At 2444, 5/60 = 8.3 %: 16.7; the last 5 minutes are all bad:
        // 200. Both over 14.4: it pages, 5 minutes into the outage.
        at(day + open + 133, 'check:freshness_slo_burn_rate:1h', 4 / 60 / 0.005),
        at(day + open + 134, 'check:freshness_slo_burn_rate:1h', 5 / 60 / 0.005),
        at(day + open + 134, 'check:freshness_slo_burn_rate:5m', 1 / 0.005),
        // The slow burn (3d and 6h over 1x) already opened a ticket at the second bad minute: 2
        // bad of 131 counting minutes since the open is 3x over 6 hours.
        sloAlerts(day + open + 133, [['FreshnessSloBudgetBurn', 'warning']]),
        // It pages; the ticket stays for keep_firing_for (3 minutes), then only the page.
        sloAlerts(day + open + 134, [['FreshnessSloBudgetBurn', 'critical'], ['FreshnessSloBudgetBurn', 'warning']]),
        sloAlerts(day + open + 137, [['FreshnessSloBudgetBurn', 'critical']]),
        // Five minutes after the outage the 5-minute window is clean (fast burn off) but the last
        // 30 minutes hold 24 bad and 6 hours 30 bad of the 166 counting since the open: 6x is
        // exceeded on both, so it still pages. The budget (0.5 % of what counted so far) was
        // spent at the third bad minute: 3 bad of 523 counting minutes;
        // FreshnessSloBudgetExhausted fires 10 minutes later.
        at(day + open + 165, 'check:freshness_slo_burn_rate:5m', 0),
        at(day + open + 165, 'check:freshness_slo_burn_rate:30m', 24 / 30 / 0.005),
        at(day + open + 165, 'check:freshness_slo_burn_rate:6h', 30 / 166 / 0.005),
        sloAlerts(day + open + 165, [['FreshnessSloBudgetBurn', 'critical'], ['FreshnessSloBudgetExhausted', 'warning']]),
        // Thirty minutes after it the 30 minutes are clean: critical stops (resolved
        // keep_firing_for, 3 minutes, later) and the slow burn's ticket is back: warning.
        sloAlerts(day + open + 193, [['FreshnessSloBudgetBurn', 'warning'], ['FreshnessSloBudgetExhausted', 'warning']]),
        // Six hours after it the 6 hours hold no bad minute (the close and the night count for
        // nothing): the ticket resolves 3 minutes later.
        at(day + open + 520, 'check:freshness_slo_burn_rate:6h', 0),
        sloAlerts(day + open + 523, [['FreshnessSloBudgetExhausted', 'warning']]),
        // A night: no data, nothing counts, nothing burns.
        {
          expr: 'check:freshness_slo_counting:value + check:freshness_slo_bad:value',
          eval_time: '%dm' % (4 * day + 100),
          exp_samples: [{ labels: '{check="quotes",env="prod",job="freshness_exporter"}', value: 0 }],
        },
        sloAlerts(friday, [['FreshnessSloBudgetExhausted', 'warning']]),
      ] + [
        // Every SLO record has a value for the check by then.
        { expr: 'count(%s)' % name, eval_time: '%dm' % friday, exp_samples: [{ labels: '{}', value: 1 }] }
        for name in sloRecords
      ],
    },
    {
      name: 'maintenance and paused time do not count; a one-minute blip burns little and does not alert',
      interval: '1m',
      // Day 0, 150 to 209 minutes after the open, is a maintenance window: the exporter says the
      // instant does not count. The data is late throughout it, and on day 1, 210 minutes after
      // the open, for one minute only.
      input_series: [
        s
        for s in weekSeries(function(d, m) trading(d, m) && !(d == 0 && m >= open + 150 && m < open + 210))
        if !std.startsWith(s.series, 'freshness_lag_seconds')
      ] + [
        {
          series: 'freshness_lag_seconds{%s}' % labels,
          values: std.join(' ', [
            if d == 0 then '50000x%d 10x149 1000x59 10x%d' % [open - 1, close - open - 210 - 1]
            else if d == 1 then '50000x%d 10x209 1000 10x%d' % [open - 1, close - open - 211 - 1]
            else if d <= 4 then '50000x%d 10x%d' % [open - 1, close - open - 1]
            else '50000x%d' % (day - 1)
            for d in std.range(0, 6)
          ] + ['50000']),
        },
      ],
      promql_expr_test: [
        // The only bad counting minute is day 1's blip; the maintenance hour counts for nothing.
        at(2 * day, 'check:freshness_slo_bad:seconds_window', 60),
        at(2 * day, 'check:freshness_slo_counting:seconds_window', (2 * 390 - 60) * 60),
        at(open + 180, 'check:freshness_slo_counting:value + check:freshness_slo_bad:value', 0),
        // The blip: over 1 hour 1/60 = 1.7 % (3.3x), over 6 hours 1 of the 212 counting minutes
        // since the open (0.94x): no fast, medium or slow burn, whatever the 5- and 30-minute
        // windows say.
        at(day + open + 211, 'check:freshness_slo_burn_rate:1h', 1 / 60 / 0.005),
        at(day + open + 215, 'check:freshness_slo_burn_rate:6h', 1 / 216 / 0.005),
        sloAlerts(open + 180, []),
        sloAlerts(day + open + 211, []),
        sloAlerts(day + open + 230, []),
        sloAlerts(2 * day, []),
      ],
    },
    {
      name: 'a check without slo: has no SLO series',
      interval: '1m',
      input_series: [
        s
        for s in weekSeries(trading)
        if !std.startsWith(s.series, 'freshness_slo_')
      ],
      promql_expr_test: [{ expr: name, eval_time: '10m', exp_samples: [] } for name in sloRecords],
    },
  ],
}
