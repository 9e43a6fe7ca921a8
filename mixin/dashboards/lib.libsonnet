// Building blocks of the dashboards: selectors and aggregations bound to _config, panels, the
// grid layout and the dashboard frame. Conventions every dashboard follows (tests/deploy/
// dashboards_test.py checks them): a stable short uid, id null, a `datasource` variable and no
// __inputs, job/instance/check variables, job and instance matchers on every selector, a unit and
// a description on every panel, $__rate_interval in every rate(), not editable unless
// _config.dashboardEditable.
{
  datasource:: { type: 'prometheus', uid: '${datasource}' },

  // PromQL helpers bound to a _config.
  queries(config):: {
    local q = self,
    local cluster = if config.showMultiCluster then ['%s=~"$cluster"' % config.clusterLabel] else [],
    local join(list) = std.join(', ', list),
    local withExtra(base, extra) = join(base + (if extra == '' then [] else [extra])),

    // Labels that name one exporter process (series of one check are told apart by check too).
    processLabels:: (if config.showMultiCluster then [config.clusterLabel] else []) + ['job', 'instance'],
    checkLabels:: q.processLabels + ['check'],
    onProcess:: 'on (%s)' % join(q.processLabels),
    onCheck:: 'on (%s)' % join(q.checkLabels),

    // Matchers of exporter-wide series, of a check's series, and of the bundle's alerts: data
    // alerts carry no instance (they are identified across replicas) and exporter-wide ones no
    // check, so the empty value matches too.
    exporterMatchers(extra=''):: withExtra(cluster + ['job=~"$job"', 'instance=~"$instance"'], extra),
    checkMatchers(extra=''):: withExtra(cluster + ['job=~"$job"', 'instance=~"$instance"', 'check=~"$check"'], extra),
    alertMatchers(extra=''):: withExtra(cluster + ['job=~"$job"', 'instance=~"$instance|"', 'check=~"$check|"'], extra),
    // The SLO rules' series (check:freshness_slo_*) are recorded without the replica labels, like
    // the data alerts: the empty instance matches too.
    sloMatchers(extra=''):: withExtra(cluster + ['job=~"$job"', 'instance=~"$instance|"', 'check=~"$check"'], extra),
    exporter(metric, extra=''):: '%s{%s}' % [metric, q.exporterMatchers(extra)],
    check(metric, extra=''):: '%s{%s}' % [metric, q.checkMatchers(extra)],
    alerts(extra=''):: 'ALERTS{%s}' % q.alertMatchers(extra),
    slo(metric, extra=''):: '%s{%s}' % [metric, q.sloMatchers(extra)],

    // Across the replicas of one exporter (restarts, rollouts, several replicas): the instance
    // variable narrows, the aggregation merges what is left.
    across(expr, without=[]):: 'max without (%s) (%s)' % [join(config.replicaLabels + without), expr],
    acrossMin(expr, without=[]):: 'min without (%s) (%s)' % [join(config.replicaLabels + without), expr],
    // One series per check with the labels of its freshness_check_info (kind, target and mode
    // aside), whatever other labels expr has (group_by columns, query labels): the worst value.
    checkBase:: 'max without (kind, target, mode) (%s)' % q.check('freshness_check_info'),
    perCheck(expr, agg='max'):: q.across('%s * %s group_left () %s by (%s) (%s)' % [q.checkBase, q.onCheck, agg, join(q.checkLabels), expr]),
  },

  // --- panels ---------------------------------------------------------------------------------

  target(expr, legend='__auto', ref='A', instant=false, table=false):: {
    datasource: $.datasource,
    expr: std.rstripChars(expr, '\n'),
    refId: ref,
    legendFormat: legend,
    range: !instant,
    instant: instant,
    editorMode: 'code',
  } + (if table then { format: 'table' } else {}),

  // Instant table queries, one per column, refIds A, B, C...
  tableTargets(exprs):: [
    $.target(exprs[i], ref=std.char(65 + i), instant=true, table=true)
    for i in std.range(0, std.length(exprs) - 1)
  ],

  green:: { color: 'green', value: null },
  // Threshold steps from [base colour, [value, colour], ...].
  steps(base, more=[]):: [{ color: base, value: null }] + [{ color: m[1], value: m[0] } for m in more],

  valueMappings(pairs):: [{
    type: 'value',
    options: {
      [std.toString(pairs[i][0])]: { text: pairs[i][1], color: pairs[i][2], index: i }
      for i in std.range(0, std.length(pairs) - 1)
    },
  }],

  fieldConfig(unit, thresholds=null, mappings=[], min=null, max=null, custom=null, overrides=[]):: {
    defaults: {
      unit: unit,
      color: { mode: if thresholds != null then 'thresholds' else 'palette-classic' },
      thresholds: { mode: 'absolute', steps: if thresholds != null then thresholds else [$.green] },
      mappings: mappings,
    } + (if min != null then { min: min } else {})
    + (if max != null then { max: max } else {})
    + (if custom != null then { custom: custom } else {}),
    overrides: overrides,
  },

  override(name, props):: {
    matcher: { id: 'byName', options: name },
    properties: [{ id: k, value: props[k] } for k in std.objectFields(props)],
  },
  overrideRegexp(regexp, props):: {
    matcher: { id: 'byRegexp', options: regexp },
    properties: [{ id: k, value: props[k] } for k in std.objectFields(props)],
  },
  // Series whose display name matches regexp are drawn dashed in a fixed colour (thresholds,
  // limits).
  dashed(regexp, color):: $.overrideRegexp(regexp, {
    'custom.lineStyle': { fill: 'dash', dash: [10, 10] },
    'custom.fillOpacity': 0,
    color: { mode: 'fixed', fixedColor: color },
  }),
  // The usual tier lines: "<check> warning tier" orange, "<check> critical tier" red.
  tierStyle:: [$.dashed('.* warning tier', 'orange'), $.dashed('.* critical tier', 'red')],

  timeseries(title, description, targets, unit, min=null, max=null, overrides=[], stack=false, thresholds=null, thresholdsStyle='off'):: {
    type: 'timeseries',
    title: title,
    description: description,
    datasource: $.datasource,
    targets: targets,
    fieldConfig: $.fieldConfig(unit, thresholds=thresholds, min=min, max=max, overrides=overrides, custom={
      drawStyle: 'line',
      lineWidth: 1,
      fillOpacity: 10,
      showPoints: 'never',
      spanNulls: false,
      stacking: { mode: if stack then 'normal' else 'none', group: 'A' },
      thresholdsStyle: { mode: thresholdsStyle },
    }) + (if thresholds != null then { defaults+: { color: { mode: 'palette-classic' } } } else {}),
    options: {
      legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'], showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  },

  stat(title, description, expr, unit, thresholds, mappings=[], legend='__auto', textMode='value'):: {
    type: 'stat',
    title: title,
    description: description,
    datasource: $.datasource,
    targets: [$.target(expr, legend=legend, instant=true)],
    fieldConfig: $.fieldConfig(unit, thresholds=thresholds, mappings=mappings),
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'background',
      graphMode: 'none',
      textMode: textMode,
      justifyMode: 'auto',
      orientation: 'auto',
    },
  },

  // A table of instant queries. Several queries are merged into one row per label set they
  // share (Grafana's merge transformation), then organized (hidden, renamed, ordered columns).
  table(title, description, targets, unit, organize={}, overrides=[], sortBy=null, sortDesc=false):: {
    type: 'table',
    title: title,
    description: description,
    datasource: $.datasource,
    targets: targets,
    fieldConfig: $.fieldConfig(unit, overrides=overrides, custom={ align: 'auto', filterable: true, cellOptions: { type: 'auto' } }),
    transformations:
      (if std.length(targets) > 1 then [{ id: 'merge', options: {} }] else [])
      + [{ id: 'organize', options: { excludeByName: {}, indexByName: {}, renameByName: {} } + organize }],
    options: {
      showHeader: true,
      cellHeight: 'sm',
      footer: { show: false, reducer: ['sum'], countRows: false, fields: '' },
    } + (if sortBy != null then { sortBy: [{ displayName: sortBy, desc: sortDesc }] } else {}),
  },

  stateTimeline(title, description, targets, unit, mappings, thresholds):: {
    type: 'state-timeline',
    title: title,
    description: description,
    datasource: $.datasource,
    targets: targets,
    fieldConfig: $.fieldConfig(unit, thresholds=thresholds, mappings=mappings, custom={ lineWidth: 0, fillOpacity: 80 }),
    options: {
      showValue: 'never',
      rowHeight: 0.9,
      mergeValues: true,
      alignValue: 'left',
      legend: { showLegend: true, displayMode: 'list', placement: 'bottom' },
      tooltip: { mode: 'single', sort: 'none' },
    },
  },

  // A column shown with a value mapping on a coloured background.
  mappedColumn(name, mappings):: $.override(name, {
    mappings: mappings,
    'custom.cellOptions': { type: 'color-background' },
  }),

  // --- layout ---------------------------------------------------------------------------------

  // Rows of panels placed left to right on Grafana's 24-column grid, wrapping when a panel does
  // not fit, and numbered: rows is [{ title, panels: [[panel, width, height], ...] }].
  layout(rows)::
    local items = std.flattenArrays([
      [{ row: r.title }] + [{ panel: p[0], w: p[1], h: p[2] } for p in r.panels]
      for r in rows
    ]);
    local newline(s) = s { x: 0, y: if s.x > 0 then s.y + s.rowH else s.y, rowH: 0 };
    local place(s, it) =
      if std.objectHas(it, 'row') then
        local n = newline(s);
        n {
          y: n.y + 1,
          panels: n.panels + [{
            type: 'row',
            title: it.row,
            collapsed: false,
            panels: [],
            id: std.length(n.panels) + 1,
            gridPos: { h: 1, w: 24, x: 0, y: n.y },
          }],
        }
      else
        local n = if s.x + it.w > 24 then newline(s) else s;
        n {
          x: n.x + it.w,
          rowH: std.max(n.rowH, it.h),
          panels: n.panels + [it.panel {
            id: std.length(n.panels) + 1,
            gridPos: { h: it.h, w: it.w, x: n.x, y: n.y },
          }],
        };
    std.foldl(place, items, { x: 0, y: 0, rowH: 0, panels: [] }).panels,

  // --- variables and the dashboard ------------------------------------------------------------

  queryVariable(name, label, query, multi=true, includeAll=true):: {
    name: name,
    label: label,
    type: 'query',
    datasource: $.datasource,
    definition: query,
    query: { query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2,
    sort: 1,
    multi: multi,
    includeAll: includeAll,
    allValue: '.*',
    current: if includeAll then { selected: true, text: ['All'], value: ['$__all'] } else {},
    hide: 0,
    regex: '',
    options: [],
  },

  // datasource, [cluster], job, instance, check (the checks listed are those of checkMetric
  // matching checkFilter), then extra.
  variables(config, checkFilter='', extra=[], checkMetric='freshness_check_info')::
    local q = $.queries(config);
    local clusterMatcher = if config.showMultiCluster then '%s=~"$cluster", ' % config.clusterLabel else '';
    [{
      name: 'datasource',
      label: 'Data source',
      type: 'datasource',
      query: 'prometheus',
      regex: config.dashboardDatasourceRegex,
      current: { selected: true, text: config.dashboardDatasource, value: config.dashboardDatasource },
      hide: 0,
      refresh: 1,
      includeAll: false,
      multi: false,
      options: [],
    }]
    + (if config.showMultiCluster then [
         $.queryVariable('cluster', 'Cluster', 'label_values(freshness_exporter_build_info{%s}, %s)' % [config.exporterSelector, config.clusterLabel], multi=false, includeAll=false),
       ] else [])
    + [
      $.queryVariable('job', 'Job', 'label_values(freshness_exporter_build_info{%s%s}, job)' % [clusterMatcher, config.exporterSelector]),
      $.queryVariable('instance', 'Instance', 'label_values(freshness_exporter_build_info{%sjob=~"$job"}, instance)' % clusterMatcher),
      $.queryVariable('check', 'Check', 'label_values(%s{%s}, check)' % [checkMetric, q.exporterMatchers(checkFilter)]),
    ]
    + extra,

  dashboard(config, uid, title, description, tags, rows, checkFilter='', extraVariables=[], checkMetric='freshness_check_info'):: {
    id: null,
    uid: uid,
    title: title,
    description: description,
    tags: config.dashboardTags + tags,
    timezone: config.dashboardTimezone,
    editable: config.dashboardEditable,
    graphTooltip: 1,
    refresh: config.dashboardRefresh,
    time: { from: config.dashboardTimeFrom, to: 'now' },
    timepicker: {},
    schemaVersion: 39,
    version: 1,
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    annotations: { list: [{
      builtIn: 1,
      datasource: { type: 'grafana', uid: '-- Grafana --' },
      enable: true,
      hide: true,
      iconColor: 'rgba(0, 211, 255, 1)',
      name: 'Annotations & Alerts',
      type: 'dashboard',
    }] },
    links: [{
      title: 'Freshness dashboards',
      type: 'dashboards',
      tags: config.dashboardTags,
      asDropdown: true,
      includeVars: true,
      keepTime: true,
    }],
    templating: { list: $.variables(config, checkFilter, extraVariables, checkMetric) },
    panels: $.layout(rows),
  },
}
