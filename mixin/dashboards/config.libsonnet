// Settings of the Grafana dashboards (grafanaDashboards). Override them like the rule settings:
//   (import 'freshness-mixin/mixin.libsonnet') + { _config+:: { dashboardTimezone: 'utc' } }
// The dashboards also use exporterSelector (which jobs the job variable lists) and replicaLabels
// (what they aggregate over) from config.libsonnet.
{
  _config+:: {
    // Data source the `datasource` variable selects at first ('default': Grafana's default
    // Prometheus data source), and a regex limiting the data sources it lists ('' lists all).
    dashboardDatasource: 'default',
    dashboardDatasourceRegex: '',
    // Auto-refresh, time zone ('browser', 'utc' or a zone name) and default time range.
    dashboardRefresh: '30s',
    dashboardTimezone: 'browser',
    dashboardTimeFrom: 'now-6h',
    // Tags of every dashboard; the "Freshness dashboards" link menu lists the dashboards with
    // these tags.
    dashboardTags: ['freshness'],
    // Whether viewers may edit the dashboards in Grafana (provisioned copies are overwritten on
    // the next provisioning anyway).
    dashboardEditable: false,
    // Several clusters or environments in one Prometheus (or a Thanos/Mimir behind the data
    // source): a `cluster` variable, on the label named clusterLabel, narrows every query.
    showMultiCluster: false,
    clusterLabel: 'cluster',
    // Unit of the money panels of the trading business view (a Grafana unit id).
    tradingCurrencyUnit: 'currencyUSD',
    // Resolution of the alert history's durations: "firing for" counts the steps at which the
    // alert was firing over the dashboard's range.
    alertHistoryStep: '1m',
    alertHistoryStepSeconds: 60,
  },
}
