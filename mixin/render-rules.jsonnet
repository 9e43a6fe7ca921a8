// Renders the rule files committed under rules/ (see build.sh).
local mixin = import 'mixin.libsonnet';
local yaml = import 'lib/yaml.libsonnet';
local header(what) =
  '# Generated from mixin/ by mixin/build.sh: %s. Do not edit; change the mixin (or its _config)\n# and run mixin/build.sh.\n' % what;
{
  'freshness-records.rules.yml': header('recording rules (health, tiers, breaches)') + yaml.manifest(mixin.prometheusRules),
  'freshness-alerts.rules.yml': header('alerts') + yaml.manifest(mixin.prometheusAlerts),
}
