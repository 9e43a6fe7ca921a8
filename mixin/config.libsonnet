// Settings of the freshness mixin. Override any of them when you import it:
//   (import 'freshness-mixin/mixin.libsonnet') + { _config+:: { exporterSelector: 'job="fresh"' } }
{
  _config+:: {
    // Selects the exporter's series (and `up`) in every rule and dashboard.
    exporterSelector: 'job="freshness_exporter"',
    // Labels that differ between replicas, restarts and rollouts of one exporter (the scrape
    // target's address and, on Kubernetes, the pod). Alerts are aggregated without them, so a
    // restart, a rollout or two replicas give one alert, not several.
    replicaLabels: ['instance', 'pod'],

    // Where every alert's runbook_url points: printf pattern with the alert name in lower case.
    runbookUrlPattern: 'docs/runbooks.md#%s',

    // Data alerts fire as soon as the exporter's declared threshold (+ the check's `for`) is
    // crossed: the duration is computed from the data, so it survives restarts. keep_firing_for
    // smooths a reading that briefly drops out.
    keepFiringFor: '3m',
    // How long an alert that was firing is held, at most, while no exporter can report it
    // (exporter down, restarting, stalled, removed from discovery, target down, check failing,
    // maintenance), so that nobody gets a false "resolved". Once an exporter reports again, the
    // data decides.
    holdFor: '6h',
    holdForSeconds: 6 * 3600,
    // An exporter (identity: its labels without replicaLabels) that was up in this lookback and
    // has no target now is reported by FreshnessExporterAbsent.
    exporterAbsentLookback: '1d',
    // The heartbeat alert fires when no collection completed for max(this, 3 x shortest interval).
    heartbeatMinSeconds: 300,
    // FreshnessCheckFailing: share of failed collections over the window.
    checkErrorRatio: 0.25,
    checkErrorWindow: '15m',
    // Checks whose interval is at least this long are judged on their last collection instead.
    checkLongIntervalSeconds: 600,

    // Labels that say where an exporter runs (discovery labels, the exporter's global labels),
    // left out of the "series" annotation, which names what tells a series apart within its
    // check (group_by values, query labels). Add your global label names here.
    contextLabels: ['namespace', 'service', 'endpoint', 'container', 'env', 'environment', 'cluster', 'region'],

    // Extra static labels on every alert (e.g. {team: 'data'}).
    additionalLabels: {},
    // Alert names to leave out of the bundle.
    disabledAlerts: [],
    // Per-alert overrides: { FreshnessExporterDown: { 'for': '5m', severity: 'warning' } }.
    alertOverrides: {},
  },
}
