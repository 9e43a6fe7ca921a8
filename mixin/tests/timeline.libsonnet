// Builds promtool rule tests from timelines of exporter instances, one sample a minute.
//
// A value function maps a minute t to a number, or null for "no sample". An exporter's
// `scraped(t)` decides whether its series exist at t; when it stops being scraped, each series
// gets one staleness marker (as Prometheus writes one when a scrape fails or a target goes).
local inf = 'Inf';

local fmt(v) =
  if v == null then '_'
  else if std.isString(v) then v
  else if v == std.floor(v) then std.toString(std.floor(v))
  else std.toString(v);

// Compresses [1, 1, 1, 2, 3, 4, _, _] into "1x2 2+1x2 _x2".
local compress(values) =
  local n = std.length(values);
  local numeric(v) = std.isNumber(v);
  local step(i) = values[i + 1] - values[i];
  local runEnd(i) =
    // Largest j such that values[i..j] is an arithmetic run (numbers) or a run of one token.
    local go(j) =
      if j + 1 >= n then j
      else if numeric(values[i]) && numeric(values[j + 1]) && (
        if j == i then true else values[j + 1] - values[j] == values[i + 1] - values[i]
      ) then go(j + 1)
      else if !numeric(values[i]) && values[j + 1] == values[i] then go(j + 1)
      else j;
    go(i);
  local tokens(i) =
    if i >= n then []
    else
      local j = runEnd(i);
      local count = j - i;
      local token =
        if count == 0 then fmt(values[i])
        else if numeric(values[i]) then
          local d = values[i + 1] - values[i];
          if d == 0 then '%sx%d' % [fmt(values[i]), count]
          else '%s%s%sx%d' % [fmt(values[i]), if d > 0 then '+' else '-', fmt(std.abs(d)), count]
        else if values[i] == inf then '%s+0x%d' % [inf, count]
        // promtool repeats "_" n times for "_xn" (numbers repeat n more times).
        else '%sx%d' % [fmt(values[i]), count + 1];
      [token] + tokens(j + 1);
  std.join(' ', tokens(0));

local labelString(labels) =
  std.join(',', ['%s="%s"' % [k, labels[k]] for k in std.objectFields(labels)]);

local always(v) = function(t) v;

{
  inf:: inf,
  always:: always,
  // f(t) for t in [from, to), else g(t).
  between(from, to, f, g):: function(t) if t >= from && t < to then f(t) else g(t),
  // value + slope per minute from `start` (before it: `before`).
  ramp(start, value, perMinute, before=null):: function(t) if t < start then before else value + perMinute * (t - start),

  series(name, labels, minutes, value):: {
    series: name + '{' + labelString(labels) + '}',
    values: compress([
      local v = value(t);
      if v == null then null else v
      for t in std.range(0, minutes)
    ]),
  },

  // One exporter instance. `scraped(t)`: its series exist at t. `up(t)`: 1 if scraped, 0 if the
  // scrape fails (when `down(t)`), no sample when the target is gone (not discovered).
  exporter(e):: {
    local x = self,
    local minutes = e.minutes,
    local target = { job: 'freshness_exporter', instance: e.instance } + std.get(e, 'targetLabels', {}),
    local globals = std.get(e, 'labels', {}),
    local discovered = std.get(e, 'discovered', always(true)),
    local down = std.get(e, 'down', always(false)),
    local scraped(t) = discovered(t) && !down(t),
    // The exporter's own series: when not scraped, one stale marker then nothing.
    local exported(value) = function(t)
      if scraped(t) then value(t)
      else if t > 0 && scraped(t - 1) then 'stale'
      else null,
    mk(name, labels, value):: $.series(name, target + globals + labels, minutes, exported(value)),
    local mk = x.mk,
    // Heartbeat: the time of the newest collection; a stall freezes it.
    local stalledSince = std.get(e, 'stalledSince', null),
    // A process started at `startedAt` has completed no collection before its first minute.
    local startedAt = std.get(e, 'startedAt', 0),
    local heartbeat(t) =
      if t <= startedAt && startedAt > 0 then 0
      else if stalledSince != null && t >= stalledSince then stalledSince * 60
      else t * 60,

    up:: $.series('up', target, minutes, function(t)
      if !discovered(t) then (if t > 0 && discovered(t - 1) then 'stale' else null)
      else if down(t) then 0
      else 1),
    checkSeries(c)::
      // A check removed by a reload at some minute: present(t) false from then on.
      local present = std.get(c, 'present', always(true));
      local mk(name, labels, value) = x.mk(name, labels, function(t)
        if present(t) then value(t) else if t > 0 && present(t - 1) then 'stale' else null);
      local byCheck = { check: c.name };
      local kind = c.kind;
      local interval = std.get(c, 'interval', 30);
      local success = std.get(c, 'success', always(1));
      local errorsPerMinute = std.get(c, 'errorsPerMinute', always(0));
      local cumulative(f) = function(t) std.foldl(function(acc, i) acc + f(i), std.range(0, t), 0);
      // Time of the newest successful collection: the heartbeat of the last minute that succeeded.
      local lastSuccess(t) =
        local ok = [i for i in std.range(0, t) if success(i) == 1 && heartbeat(i) > 0];
        if ok == [] then null else heartbeat(ok[std.length(ok) - 1]);
      [
        mk('freshness_check_info', byCheck + { kind: kind, target: std.get(c, 'target', if kind == 'artifact' then '' else 'ops'), mode: std.get(c, 'mode', 'enforce') }, always(1)),
        mk('freshness_check_success', byCheck, success),
        mk('freshness_check_last_success_timestamp_seconds', byCheck, lastSuccess),
        mk('freshness_check_maintenance', byCheck, std.get(c, 'maintenance', always(0))),
        mk('freshness_check_active', byCheck, std.get(c, 'active', always(1))),
        mk('freshness_check_interval_seconds', byCheck, always(interval)),
        mk('freshness_check_collections_total', byCheck, cumulative(always(60 / interval))),
        mk('freshness_check_errors_total', byCheck + { reason: 'query' }, cumulative(errorsPerMinute)),
      ]
      + (if kind == 'lag' then [mk('freshness_check_active_for_seconds', byCheck, std.get(c, 'activeFor', always(inf)))] else [])
      + (if kind == 'lag' || kind == 'runs' then [mk('freshness_check_for_seconds', byCheck, always(std.get(c, 'for', 0)))] else [])
      + [
        mk('freshness_check_threshold', byCheck + { metric: tier[0], severity: tier[1] }, always(tier[2]))
        for tier in std.get(c, 'tiers', [])
      ]
      + [
        mk('freshness_artifact_state_severity', byCheck + { state: tier[0], severity: tier[1] }, always(1))
        for tier in std.get(c, 'artifactTiers', [])
      ]
      + [
        mk('freshness_query_threshold', byCheck + { metric: tier[0], severity: tier[1], direction: tier[2] }, always(tier[3]))
        for tier in std.get(c, 'queryTiers', [])
      ]
      + [
        mk(signal.metric, byCheck + std.get(signal, 'labels', {}), signal.value)
        for signal in std.get(c, 'signals', [])
      ],
    input_series:: [x.up]
                   + [mk('freshness_last_collection_timestamp_seconds', {}, heartbeat)]
                   + [mk('freshness_target_up', { target: t.name }, t.up) for t in std.get(e, 'targets', [])]
                   + std.flattenArrays([x.checkSeries(c) for c in e.checks]),
  },

  // The artifact state one-hot series of a check: state(t) names the state that is 1.
  artifactStates(state):: [
    { metric: 'freshness_artifact_state', labels: { state: s }, value: function(t) if state(t) == s then 1 else 0 }
    for s in ['fresh', 'late', 'stale', 'missing', 'probe_failed', 'paused', 'unknown']
  ],

  // Exactly these alerts are firing at minute t (Watchdog aside). `alerts` are label objects.
  firing(t, alerts):: {
    expr: 'ALERTS{alertstate="firing", alertname!="Watchdog"}',
    eval_time: '%dm' % t,
    exp_samples: [
      { labels: 'ALERTS{' + labelString(a { alertstate: 'firing' }) + '}', value: 1 }
      for a in alerts
    ],
  },

  test(name, minutes, exporters, checkpoints, extraSeries=[], alertTests=[], exprTests=[]):: {
    name: name,
    interval: '1m',
    input_series: std.flattenArrays([e.input_series for e in exporters]) + extraSeries,
    promql_expr_test: checkpoints + exprTests,
    [if alertTests != [] then 'alert_rule_test']: alertTests,
  },
}
