// Renders the dashboards committed under dashboards/ (see build.sh: jsonnet -m).
(import 'mixin.libsonnet').grafanaDashboards
