// grafanaDashboards: the dashboards of the mixin, keyed by file name (dashboards/*.json).
(import 'pipeline.libsonnet')
+ (import 'exporter.libsonnet')
+ (import 'trading.libsonnet')
+ (import 'slo.libsonnet')
