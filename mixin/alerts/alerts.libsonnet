// Alerts. Conventions: every alert has a severity (critical | warning | info; none for
// Watchdog), a one-sentence summary, a templated description and a runbook_url.
//
// Data alerts (lag, runs, duplicates, artifacts, query thresholds) and check-health alerts
// (target down, check failing) are identified by what is wrong: the check, its group labels,
// the target and the exporter's labels without the replica labels. A restart, a rollout or two
// replicas give one alert. Each series fires at one severity, the highest tier it breaches, so
// no inhibition between tiers is needed.
//
// Every such alert is the union of:
//   live  the breach as seen by a replica that is watching the check now;
//   held  an alert that was firing and that no replica can report now (exporter down,
//         restarting, stalled, gone from discovery, target down, check failing, maintenance),
//         for at most holdFor after its breach was last seen. Its value is NaN and its
//         description says so. When a replica reports again, the data decides, so data that
//         recovered meanwhile resolves the alert (and closes the incident) then.
local p = import '../lib/promql.libsonnet';

{
  local config = $._config,
  local s(metric, extra='') = p.series(config, metric, extra),
  local replicas = p.replicaList(config),
  local strip(text) = std.rstripChars(text, '\n'),

  // A firing alert of this name and severity, as the label set of its expression, with the
  // value NaN (no current reading; every real value, negative ones included, is a number).
  local firing(name, severity) =
    '(max without (alertname, alertstate%s) (ALERTS{alertname="%s", alertstate="firing", severity="%s"}) * 0 / 0)' % [
      std.join('', [', ' + label for label in std.objectFields(config.additionalLabels)]),
      name,
      severity,
    ],

  // Breaches of a data signal last seen on replicas that do not watch the check now, except on
  // healthy replicas that no longer have the check at all (removed by a reload).
  local heldData(signal, severity) = |||
    max without (%(replicas)s, signal) (
        freshness:breach:last_seen_timestamp_seconds{signal="%(signal)s", severity="%(severity)s"}
      unless on (job, instance, check) freshness:check:watching
      unless on (job, instance, check)
        (
            freshness:breach:last_seen_timestamp_seconds{signal="%(signal)s"}
          and on (job, instance) freshness:exporter:healthy
          unless on (job, instance, check) %(info)s
        )
    )
  ||| % { replicas: replicas, signal: signal, severity: severity, info: s('freshness_check_info') },

  // Breaches of a health signal last seen on replicas that are not healthy now.
  local heldHealth(signal) = |||
    max without (%(replicas)s, signal) (
        freshness:breach:last_seen_timestamp_seconds{signal="%(signal)s"}
      unless on (job, instance) freshness:exporter:healthy
    )
  ||| % { replicas: replicas, signal: signal },

  // One severity of a data alert.
  local dataTier(name, signal, severity, watched) = |||
    (
        max without (%(replicas)s, signal) (
            freshness:breach:value{signal="%(signal)s", severity="%(severity)s"}
          and on (job, instance, check) freshness:check:watching
        )
      or
        (
            %(firing)s
          and
            %(held)s
          unless ignoring (severity, target, mode)
            %(watched)s
        )
    )
  ||| % {
    replicas: replicas,
    signal: signal,
    severity: severity,
    firing: firing(name, severity),
    held: p.indent(strip(heldData(signal, severity)), 8),
    watched: p.indent(strip(watched), 8),
  },

  // critical wins over warning for the same series.
  local dataExpr(name, signal, watched) =
    dataTier(name, signal, 'critical', watched) + 'or ignoring (severity)\n' + dataTier(name, signal, 'warning', watched),

  // Series reported now by a replica that watches the check (what releases a held alert).
  local watchedSeries(expr, extraWithout=[]) =
    'max without (%s) (%s and on (job, instance, check) freshness:check:watching)' % [
      std.join(', ', config.replicaLabels + extraWithout),
      expr,
    ],

  // "symbol=XYZ venue=A": the labels that tell this series apart within its check.
  local seriesLabels =
    '{{ $sep := "" }}{{ range $k, $v := $labels }}{{ if not (match "^(%s)$" $k) }}{{ $sep }}{{ $k }}={{ $v }}{{ $sep = ", " }}{{ end }}{{ end }}' %
    std.join('|', ['alertname', 'severity', 'check', 'target', 'mode', 'job', 'metric'] + config.replicaLabels + config.contextLabels),

  local heldText = 'No exporter can report it now (down, restarting, stalled, its target down, the check failing or in maintenance); it stays firing until one can, at most %s after the breach was last seen.' % config.holdFor,

  local threshold(metric, format) =
    '{{ with printf "max(check:%s:threshold{check=%%q,severity=%%q})" $labels.check $labels.severity | query }}{{ . | first | value | %s }}{{ end }}' % [metric, format],

  local forText =
    '{{ with printf "max(freshness_check_for_seconds{check=%q})" $labels.check | query }}{{ with . | first | value }}{{ if gt . 0.0 }} for {{ . | humanizeDuration }}{{ end }}{{ end }}{{ end }}',

  local alert(name, body) = body {
    alert: name,
    annotations+: { runbook_url: p.runbook(config, name) },
  },

  local dataAlert(name, signal, summary, live, watched) = alert(name, {
    expr: dataExpr(name, signal, watched),
    'for': '0s',
    keep_firing_for: config.keepFiringFor,
    annotations: {
      summary: summary,
      series: seriesLabels,
      description: '{{ if ne $value $value }}Check {{ $labels.check }} (target {{ $labels.target }}) was over its {{ $labels.severity }} threshold. %s{{ else }}%s{{ end }}' % [heldText, live],
    },
  }),

  local healthTier(name, signal, severity, current, watched) = |||
    (
        %(current)s
      or
        (
            %(firing)s
          and
            %(held)s
          unless ignoring (%(ignoring)s)
            %(watched)s
        )
    )
  ||| % {
    current: p.indent(strip(current), 4),
    firing: firing(name, severity),
    held: p.indent(strip(heldHealth(signal)), 8),
    ignoring: if signal == 'check_errors' then 'severity, kind' else 'severity',
    watched: p.indent(strip(watched), 8),
  },

  local healthyReplicas(expr) =
    'max without (%s) (%s and on (job, instance) freshness:exporter:healthy)' % [replicas, expr],

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'freshness-exporter',
        rules: [
          alert('FreshnessExporterDown', {
            expr: '%s == 0' % s('up'),
            'for': '2m',
            labels: { severity: 'critical' },
            annotations: {
              summary: 'A freshness exporter cannot be scraped, so the checks it runs are not being watched.',
              description: 'Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for 2 minutes. Alerts that were firing on its checks stay firing until an exporter reports them again.',
            },
          }),
          alert('FreshnessExporterAbsent', {
            // An exporter identity (labels without the replica labels) that had a target in the
            // lookback and has none now: one release of several gone from discovery. A rollout
            // keeps the identity, so it does not fire. absent() covers "none at all".
            expr: |||
              (
                  group without (%(replicas)s) (max_over_time(%(up)s[%(lookback)s]))
                unless
                  group without (%(replicas)s) (%(up)s)
              )
              or
              absent(%(up)s)
            ||| % { replicas: replicas, up: s('up'), lookback: config.exporterAbsentLookback },
            'for': '2m',
            labels: { severity: 'critical' },
            annotations: {
              summary: 'A freshness exporter has disappeared from service discovery, so its checks are not being watched.',
              description: 'No target of job {{ $labels.job }}{{ with $labels.namespace }} in namespace {{ . }}{{ end }}{{ with $labels.service }} (service {{ . }}){{ end }} has been discovered for 2 minutes, though one was up in the last %s; it was removed from service discovery or the scrape configuration. If it was removed on purpose, silence this alert until the lookback has passed.' % config.exporterAbsentLookback,
            },
          }),
          alert('FreshnessSelfHeartbeatStalled', {
            expr: |||
              (time() - %s)
              > on (job, instance) group_left ()
              freshness:exporter:heartbeat_max_age_seconds
            ||| % s('freshness_last_collection_timestamp_seconds'),
            'for': '2m',
            keep_firing_for: config.keepFiringFor,
            labels: { severity: 'critical' },
            annotations: {
              summary: 'The exporter answers scrapes but has stopped completing collections.',
              description: 'The newest collection on {{ $labels.instance }} finished {{ $value | humanizeDuration }} ago; every value it serves is frozen at that time. Data alerts of its checks neither fire nor resolve until it collects again.',
            },
          }),
          alert('FreshnessConfigReloadFailed', {
            expr: '%s == 0' % s('freshness_config_last_reload_successful'),
            'for': '5m',
            keep_firing_for: config.keepFiringFor,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'The exporter rejected its new configuration and keeps running the previous one.',
              description: 'The last configuration reload on {{ $labels.instance }} failed; changes made since the last good reload are not in effect.',
            },
          }),
          alert('FreshnessCalendarExpiring', {
            expr: 'max without (%s) (%s) - time() < 30 * 86400' % [replicas, s('freshness_calendar_valid_through_timestamp_seconds')],
            'for': '1h',
            keep_firing_for: config.keepFiringFor,
            labels: { severity: 'info' },
            annotations: {
              summary: "A business calendar's holiday list ends within 30 days.",
              description: 'Calendar {{ $labels.calendar }} is valid for {{ $value | humanizeDuration }} more; after that the checks that use it fail with reason "config".',
            },
          }),
          alert('FreshnessTargetDown', {
            expr: healthTier(
              'FreshnessTargetDown',
              'target_down',
              'critical',
              |||
                max without (%s, signal) (freshness:breach:value{signal="target_down"})
                unless ignoring (severity)
                %s
              ||| % [replicas, healthyReplicas('(%s == 1)' % s('freshness_target_up'))],
              healthyReplicas(s('freshness_target_up')),
            ),
            'for': '2m',
            keep_firing_for: config.keepFiringFor,
            annotations: {
              summary: 'A monitored database does not answer, so its checks cannot see the data.',
              description: '{{ if ne $value $value }}Target {{ $labels.target }} did not answer; no exporter can report on it now, so this alert stays firing until one can.{{ else }}No exporter has reached target {{ $labels.target }} for 2 minutes. Its checks keep their last readings; their alerts neither fire nor resolve until it answers.{{ end }}',
            },
          }),
          alert('FreshnessCheckFailing', {
            expr: healthTier(
              'FreshnessCheckFailing',
              'check_errors',
              'warning',
              'max without (%s, signal) (freshness:breach:value{signal="check_errors"})' % replicas,
              healthyReplicas(s('freshness_check_info')),
            ),
            'for': '5m',
            keep_firing_for: config.keepFiringFor,
            annotations: {
              summary: 'A freshness check keeps failing, so its data is not being watched.',
              description: '{{ if ne $value $value }}Check {{ $labels.check }} (target {{ $labels.target }}) was failing; no exporter can report on it now.{{ else }}Check {{ $labels.check }} (target {{ $labels.target }}) failed {{ if le $value 1.0 }}{{ $value | humanizePercentage }} of its collections over the last %s{{ else }}its last collection{{ end }}; the reason is counted in freshness_check_errors_total{reason} and shown on the exporter\'s status page. Its data alerts neither fire nor resolve until it succeeds.{{ end }}' % config.checkErrorWindow,
            },
          }),
          {
            alert: 'Watchdog',
            expr: 'vector(1)',
            labels: { severity: 'none' },
            annotations: {
              summary: 'Always firing, so an external dead man\'s switch can tell that alerting works.',
              description: "This alert fires as long as Prometheus{{ with $externalURL }} at {{ . }}{{ end }} evaluates rules and reaches Alertmanager; its absence at the dead man's switch means the alerting pipeline is broken.",
              runbook_url: p.runbook(config, 'Watchdog'),
            },
          },
        ],
      },
      {
        name: 'freshness-data',
        rules: [
          dataAlert(
            'FreshnessLagHigh',
            'lag',
            'Data stopped flowing into a table watched by a lag check.',
            '{{ if gt $value 1e300 }}Check {{ $labels.check }} (target {{ $labels.target }}) finds no rows at all{{ else }}The newest row of check {{ $labels.check }} (target {{ $labels.target }}) is {{ $value | humanizeDuration }} old{{ end }}, over its {{ $labels.severity }} threshold of %s%s inside the check\'s active window.' % [threshold('freshness_lag_seconds', 'humanizeDuration'), forText],
            watchedSeries(s('freshness_lag_seconds')),
          ),
          dataAlert(
            'FreshnessRunTooLong',
            'runs',
            'A run has been going for longer than its maximum duration and probably hung.',
            'The oldest unfinished run of check {{ $labels.check }} (target {{ $labels.target }}) started {{ $value | humanizeDuration }} ago, over its {{ $labels.severity }} limit of %s%s.' % [threshold('freshness_oldest_unfinished_run_age_seconds', 'humanizeDuration'), forText],
            watchedSeries(s('freshness_oldest_unfinished_run_age_seconds')),
          ),
          dataAlert(
            'FreshnessDuplicateExecution',
            'duplicates',
            'A key was executed more than once, an idempotency violation.',
            'Check {{ $labels.check }} (target {{ $labels.target }}) finds {{ $value }} keys executed more than once inside its window, over its {{ $labels.severity }} threshold of %s.' % threshold('freshness_duplicate_executions', 'printf "%.0f"'),
            watchedSeries(s('freshness_duplicate_executions')),
          ),
          dataAlert(
            'FreshnessRunsFailing',
            'failed_runs',
            'The most recent runs of a job failed one after another.',
            'The last {{ $value | printf "%%.0f" }} finished runs of check {{ $labels.check }} (target {{ $labels.target }}) failed in a row, reaching its {{ $labels.severity }} threshold of %s consecutive failures.' % threshold('freshness_consecutive_failed_runs', 'printf "%.0f"'),
            watchedSeries(s('freshness_consecutive_failed_runs')),
          ),
          dataAlert(
            'FreshnessNoSuccessfulRun',
            'success_age',
            'A job has not completed a successful run for longer than it should.',
            '{{ if gt $value 1e300 }}Check {{ $labels.check }} (target {{ $labels.target }}) finds no successful run at all{{ else }}The newest successful run of check {{ $labels.check }} (target {{ $labels.target }}) finished {{ $value | humanizeDuration }} ago{{ end }}, over its {{ $labels.severity }} limit of %s.' % threshold('freshness_last_successful_run_age_seconds', 'humanizeDuration'),
            watchedSeries(s('freshness_last_successful_run_age_seconds')),
          ),
          dataAlert(
            'FreshnessVolumeLow',
            'volume',
            'Fewer rows arrived than expected: data is missing.',
            'Check {{ $labels.check }} (target {{ $labels.target }}) counted {{ $value | humanizePercentage }} of the rows it expected{{ with printf "max(freshness_volume_observed_rows{check=%%q})" $labels.check | query }} ({{ . | first | value | printf "%%.0f" }}{{ end }}{{ with printf "max(freshness_volume_expected_rows{check=%%q})" $labels.check | query }} of {{ . | first | value | printf "%%.0f" }}){{ end }} in its last period, below its {{ $labels.severity }} floor of %s.' % threshold('freshness_volume_ratio', 'humanizePercentage'),
            watchedSeries(s('freshness_volume_ratio')),
          ),
          dataAlert(
            'FreshnessArtifactOverdue',
            'artifact',
            'A scheduled artifact is not there, or not refreshed, past its deadline.',
            'Check {{ $labels.check }} is {{ with printf "max by (state) (freshness_artifact_state{check=%q} == 1)" $labels.check | query }}{{ . | first | label "state" }}{{ end }}{{ with printf "freshness_artifact_slot_info{check=%q}" $labels.check | query }}{{ with . | first }} for {{ .Labels.location }}{{ with .Labels.partition }} (partition {{ . }}){{ end }}{{ end }}{{ end }}{{ with printf "max(time() - freshness_artifact_deadline_timestamp_seconds{check=%q}) > 0" $labels.check | query }}; its deadline passed {{ . | first | value | humanizeDuration }} ago{{ end }}.',
            watchedSeries(s('freshness_artifact_state', 'state="fresh"'), ['state']),
          ),
          dataAlert(
            'FreshnessQueryThreshold',
            'query',
            'A gauge of a query check is beyond the threshold declared for it.',
            '{{ $labels.metric }} of check {{ $labels.check }} is {{ $value | humanize }}, beyond its {{ $labels.severity }} threshold of {{ with printf "max(freshness_query_threshold{check=%q,metric=%q,severity=%q})" $labels.check $labels.metric $labels.severity | query }}{{ . | first | value | humanize }}{{ end }}.',
            watchedSeries('label_replace({%s, check!="", __name__!~"freshness_.*"}, "metric", "$1", "__name__", "(.+)")' % config.exporterSelector),
          ),
        ],
      },
    ],
  },
}
