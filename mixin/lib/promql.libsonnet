// Small helpers to write the bundle's PromQL once.
{
  // A selector of the exporter's series: metric{<exporterSelector>, extra...}.
  series(config, metric, extra=''):: '%s{%s%s}' % [metric, config.exporterSelector, if extra == '' then '' else ', ' + extra],
  // "instance, pod"
  replicaList(config):: std.join(', ', config.replicaLabels),
  // Aggregation that forgets which replica reported a series.
  acrossReplicas(config, expr, extraWithout=[]):: 'max without (%s) (%s)' % [std.join(', ', config.replicaLabels + extraWithout), expr],
  // Indents every line after the first of a multi-line expression.
  indent(text, by):: std.join('\n' + std.repeat(' ', by), std.split(text, '\n')),
  // Runbook link of an alert.
  runbook(config, alertName):: config.runbookUrlPattern % std.asciiLower(alertName),
}
