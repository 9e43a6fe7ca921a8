// The freshness_exporter monitoring mixin: recording rules, alerts and dashboards.
// See README.md in this folder for how to import it and override _config.
local applyOverrides(config, groups) = [
  group {
    rules: [
      rule + (
        if std.objectHas(rule, 'alert') then
          { labels+: config.additionalLabels }
          + (if std.objectHas(config.alertOverrides, rule.alert) then
               local o = config.alertOverrides[rule.alert];
               (if std.objectHas(o, 'for') then { 'for': o['for'] } else {})
               + (if std.objectHas(o, 'severity') then { labels+: { severity: o.severity } } else {})
               + (if std.objectHas(o, 'keep_firing_for') then { keep_firing_for: o.keep_firing_for } else {})
             else {})
        else {}
      )
      for rule in group.rules
      if !(std.objectHas(rule, 'alert') && std.member(config.disabledAlerts, rule.alert))
    ],
  }
  for group in groups
];

(import 'config.libsonnet')
+ (import 'dashboards/config.libsonnet')
+ (import 'rules/records.libsonnet')
+ (import 'alerts/alerts.libsonnet')
+ (import 'rules/slo.libsonnet')
+ (import 'alerts/slo.libsonnet')
+ (import 'dashboards/dashboards.libsonnet')
+ {
  local outer = self,
  // What importers use: the same groups with additionalLabels, disabledAlerts and
  // alertOverrides applied.
  prometheusAlerts+:: { groups: applyOverrides(outer._config, super.groups) },
}
