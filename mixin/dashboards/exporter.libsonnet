// "Exporter health": the exporter itself — scrape, self-heartbeat, reloads, calendars, targets,
// collections per check (duration, success, errors, rate, whether an exporter is watching the
// check) and the process.
local g = import 'lib.libsonnet';

{
  local config = $._config,
  local q = g.queries(config),
  local across = q.across,
  local chk = q.check,
  local exp = q.exporter,

  local upMappings = g.valueMappings([[0, 'down', 'red'], [1, 'up', 'green']]),
  local okMappings = g.valueMappings([[0, 'failed', 'red'], [1, 'ok', 'green']]),
  local healthyMappings = g.valueMappings([[0, 'stalled', 'red'], [1, 'healthy', 'green']]),
  local redGreen = g.steps('red', [[1, 'green']]),

  local exporter = [
    [g.stat(
      'Exporter up',
      'Prometheus scrape of the exporter succeeded (up), lowest over the selected instances.',
      'min(%s)' % exp('up'),
      'none', redGreen, upMappings
    ), 3, 4],
    [g.stat(
      'Healthy instances',
      'Instances scraped and completing collections (recording rule freshness:exporter:healthy): only their view counts for the data alerts.',
      'count(%s) or vector(0)' % exp('freshness:exporter:healthy'),
      'none', redGreen
    ), 3, 4],
    [g.stat(
      'Self-heartbeat age',
      'Time since the newest completed collection of any check (freshness_last_collection_timestamp_seconds), oldest over the selected instances. A growing value means the collection loop stalled; FreshnessSelfHeartbeatStalled fires past max(3 shortest intervals, %ds).' % config.heartbeatMinSeconds,
      'max(time() - %s)' % exp('freshness_last_collection_timestamp_seconds'),
      's', g.steps('green', [[120, 'orange'], [config.heartbeatMinSeconds, 'red']])
    ), 3, 4],
    [g.stat(
      'Last reload',
      'Whether the last configuration reload (SIGHUP or POST /-/reload) succeeded, worst over the selected instances. A failed reload keeps the running configuration.',
      'min(%s)' % exp('freshness_config_last_reload_successful'),
      'none', redGreen, okMappings
    ), 3, 4],
    [g.stat(
      'Config age',
      'Time since the running configuration was loaded, oldest over the selected instances.',
      'max(time() - %s)' % exp('freshness_config_last_reload_success_timestamp_seconds'),
      's', g.steps('green')
    ), 3, 4],
    [g.stat(
      'Targets down',
      'Database targets no selected exporter reaches (freshness_target_up == 0 on every replica).',
      'count(%s == 0) or vector(0)' % across(exp('freshness_target_up')),
      'none', g.steps('green', [[1, 'red']])
    ), 3, 4],
    [g.stat(
      'Uptime',
      'Time since the exporter process started (process_start_time_seconds), youngest over the selected instances.',
      'min(time() - %s)' % exp('process_start_time_seconds'),
      's', g.steps('green')
    ), 3, 4],
    [g.stat(
      'Collections',
      'Collections finished per second over all selected checks and instances, successful or not (freshness_check_collections_total).',
      'sum(rate(%s[$__rate_interval]))' % chk('freshness_check_collections_total'),
      'ops', g.steps('green')
    ), 3, 4],
    [g.table(
      'Build and configuration',
      'Per instance: version and revision, whether it is healthy (scraped and collecting; stalled otherwise), whether the last reload succeeded and when the running configuration was loaded.',
      g.tableTargets([
        'max without () (%s)' % exp('freshness_exporter_build_info'),
        '%s or 0 * %s' % [exp('freshness:exporter:healthy'), exp('freshness_last_collection_timestamp_seconds')],
        'max without () (%s)' % exp('freshness_config_last_reload_successful'),
        '1000 * %s' % exp('freshness_config_last_reload_success_timestamp_seconds'),
      ]),
      'none',
      organize={
        excludeByName: { Time: true, job: true, 'Value #A': true },
        renameByName: {
          instance: 'Instance',
          version: 'Version',
          revision: 'Revision',
          'Value #B': 'Collecting',
          'Value #C': 'Last reload',
          'Value #D': 'Loaded at',
        },
        indexByName: { instance: 0, version: 1, revision: 2, 'Value #B': 3, 'Value #C': 4, 'Value #D': 5 },
      },
      overrides=[
        g.mappedColumn('Collecting', healthyMappings),
        g.mappedColumn('Last reload', okMappings),
        g.override('Loaded at', { unit: 'dateTimeAsIso' }),
      ],
      sortBy='Instance',
    ), 12, 6],
    [g.timeseries(
      'Reload status',
      'freshness_config_last_reload_successful per instance: 1 after a good reload, 0 after a rejected file (the previous configuration keeps running).',
      [g.target(exp('freshness_config_last_reload_successful'), '{{instance}}')],
      'none', min=0, max=1
    ), 6, 6],
    [g.stat(
      'Calendar validity left',
      "Time until the end of each business calendar's holiday list (valid_through). Past it, the checks that use the calendar fail with reason config; FreshnessCalendarExpiring warns 30 days ahead.",
      '%s - time()' % q.acrossMin(exp('freshness_calendar_valid_through_timestamp_seconds')),
      's', g.steps('red', [[7 * 86400, 'orange'], [30 * 86400, 'green']]), legend='{{calendar}}', textMode='value_and_name'
    ), 6, 6],
  ],

  local collections = [
    [g.timeseries(
      'Collection duration per check',
      "Duration of each check's last collection (freshness_check_duration_seconds), slowest replica. Compare with the check's timeout.",
      [g.target(across(chk('freshness_check_duration_seconds')), '{{check}}')],
      's', min=0
    ), 12, 8],
    [g.stateTimeline(
      'Collection success per check',
      "Whether each check's last collection succeeded (freshness_check_success), failed when it failed on any selected replica. A failing check keeps its last good observation, and its alerts are held.",
      [g.target(q.acrossMin(chk('freshness_check_success')), '{{check}}')],
      'none', okMappings, redGreen
    ), 12, 8],
    [g.timeseries(
      'Check errors by reason',
      'Rate of collection errors per check and reason (timeout, connection, query, probe, config) from freshness_check_errors_total, highest replica.',
      [g.target(across('rate(%s[$__rate_interval])' % chk('freshness_check_errors_total')), '{{check}} {{reason}}')],
      'ops', min=0, stack=true
    ), 12, 8],
    [g.timeseries(
      'Failed collections',
      'Share of collections that failed, per check (errors / collections), highest replica. FreshnessCheckFailing fires when it stays above %g%% over %s (dashed).' % [100 * config.checkErrorRatio, config.checkErrorWindow],
      [g.target(across('sum without (reason) (rate(%s[$__rate_interval])) / rate(%s[$__rate_interval])' % [
        chk('freshness_check_errors_total'),
        chk('freshness_check_collections_total'),
      ]), '{{check}}')],
      'percentunit', min=0, max=1, thresholds=g.steps('green', [[config.checkErrorRatio, 'red']]), thresholdsStyle='dashed'
    ), 12, 8],
    [g.timeseries(
      'Collections per check',
      'Collections finished per second, successful or not (freshness_check_collections_total), per check, highest replica: 1 / interval when the check keeps up.',
      [g.target(across('rate(%s[$__rate_interval])' % chk('freshness_check_collections_total')), '{{check}}')],
      'ops', min=0
    ), 12, 8],
    [g.stateTimeline(
      'Checks watched',
      'Whether an exporter is watching each check (recording rule freshness:check:watching): healthy, last collection successful and at most two intervals (+30 s) old, not in maintenance. An alert of an unwatched check neither fires nor resolves.',
      [g.target(across('max without (kind, target, mode) (%s) or 0 * %s' % [chk('freshness:check:watching'), q.checkBase]), '{{check}}')],
      'none', g.valueMappings([[0, 'not watched', 'red'], [1, 'watched', 'green']]), redGreen
    ), 12, 8],
    [g.timeseries(
      'Time since last successful collection',
      'now − freshness_check_last_success_timestamp_seconds per check, oldest replica: how old the value on the freshness dashboard is. Over two intervals (+30 s) the check is no longer watched.',
      [g.target(across('time() - %s' % chk('freshness_check_last_success_timestamp_seconds')), '{{check}}')],
      's', min=0
    ), 12, 8],
    [g.stateTimeline(
      'Target up',
      'Whether each database target answers (freshness_target_up), up when any selected replica reaches it. A target down holds the data alerts of its checks and raises FreshnessTargetDown.',
      [g.target(across(exp('freshness_target_up')), '{{target}}')],
      'none', upMappings, redGreen
    ), 12, 8],
    [g.timeseries(
      'Self-heartbeat age',
      'now − freshness_last_collection_timestamp_seconds per instance: time since the newest completed collection. Dashed: the stall limit, max(3 × shortest interval, %ds) (as freshness:exporter:heartbeat_max_age_seconds), past which FreshnessSelfHeartbeatStalled fires.' % config.heartbeatMinSeconds,
      [
        g.target('time() - %s' % exp('freshness_last_collection_timestamp_seconds'), '{{instance}}'),
        // The rule's own series keeps only job and instance; this keeps every label (cluster).
        g.target('clamp_min(3 * min without (check) (%s), %d)' % [exp('freshness_check_interval_seconds'), config.heartbeatMinSeconds], '{{instance}} stall limit', 'B'),
      ],
      's', min=0, overrides=[g.dashed('.* stall limit', 'red')]
    ), 12, 8],
  ],

  local process = [
    [g.timeseries(
      'Scrape duration',
      'How long Prometheus takes to scrape /metrics (scrape_duration_seconds). A scrape renders the last results and never touches a database, so it stays short.',
      [g.target(exp('scrape_duration_seconds'), '{{instance}}')],
      's', min=0
    ), 12, 8],
    [g.timeseries(
      'Process CPU',
      'CPU used by the exporter process, in cores (rate of process_cpu_seconds_total).',
      [g.target('rate(%s[$__rate_interval])' % exp('process_cpu_seconds_total'), '{{instance}}')],
      'percentunit', min=0
    ), 12, 8],
    [g.timeseries(
      'Process memory',
      'Resident and virtual memory of the exporter process.',
      [
        g.target(exp('process_resident_memory_bytes'), '{{instance}} resident', 'A'),
        g.target(exp('process_virtual_memory_bytes'), '{{instance}} virtual', 'B'),
      ],
      'bytes', min=0
    ), 12, 8],
    [g.timeseries(
      'File descriptors',
      'Open file descriptors of the exporter process against its limit (process_max_fds).',
      [
        g.target(exp('process_open_fds'), '{{instance}} open', 'A'),
        g.target(exp('process_max_fds'), '{{instance}} max', 'B'),
      ],
      'none', min=0
    ), 12, 8],
  ],

  grafanaDashboards+:: {
    'exporter-health.json': g.dashboard(
      config,
      'freshness-exporter',
      'Exporter health',
      'Health of freshness_exporter itself: scrape, self-heartbeat, reloads, calendars and targets; collection duration, success, errors, rate and watching per check; scrape duration and process resources.',
      ['exporter'],
      [
        { title: 'Exporter', panels: exporter },
        { title: 'Collections', panels: collections },
        { title: 'Scrape and process', panels: process },
      ],
    ),
  },
}
