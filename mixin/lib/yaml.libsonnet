// A YAML writer for rule files that keeps the field order people expect (record/alert, expr,
// for, keep_firing_for, labels, annotations) instead of jsonnet's alphabetical order.
local order = ['rule_files', 'evaluation_interval', 'group_eval_order', 'tests', 'name', 'interval', 'record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations', 'rules', 'summary', 'description', 'series', 'runbook_url'];
local keysOf(object) =
  local fields = std.objectFields(object);
  [key for key in order if std.member(fields, key)] + std.sort([key for key in fields if !std.member(order, key)]);

local plain(text) =
  text != '' && std.length(std.findSubstr('\n', text)) == 0 &&
  std.length(std.filter(function(c) std.member(':#{}[]&*!|>\'"%@`,?', c), std.stringChars(std.substr(text, 0, 1)))) == 0 &&
  std.length(std.findSubstr(': ', text)) == 0 && std.length(std.findSubstr(' #', text)) == 0 &&
  !std.endsWith(text, ':') && !std.member(['true', 'false', 'null', 'yes', 'no', 'on', 'off', '~'], std.asciiLower(text)) &&
  std.length(std.filter(function(c) !std.member('0123456789.+-e', c), std.stringChars(text))) > 0 &&
  !std.startsWith(text, ' ') && !std.endsWith(text, ' ');

local scalar(value, indent) =
  if std.isString(value) then
    if std.length(std.findSubstr('\n', value)) > 0 then
      local lines = std.split(std.rstripChars(value, '\n'), '\n');
      '|' + (if std.endsWith(value, '\n') then '' else '-') + '\n' +
      std.join('\n', [if line == '' then '' else indent + line for line in lines])
    else if plain(value) then value
    else std.manifestJson(value)
  else std.manifestJson(value);

local manifest(value, indent) =
  if std.isObject(value) then
    std.join('\n', [
      local v = value[key];
      indent + key + ':' + (
        if std.isObject(v) && std.length(v) > 0 then '\n' + manifest(v, indent + '  ')
        else if std.isObject(v) then ' {}'
        else if std.isArray(v) && std.length(v) > 0 then '\n' + manifest(v, indent)
        else if std.isArray(v) then ' []'
        else ' ' + scalar(v, indent + '  ')
      )
      for key in keysOf(value)
      if !(std.isObject(value[key]) && std.length(value[key]) == 0)
    ])
  else if std.isArray(value) then
    std.join('\n', [
      if std.isObject(item) then
        local body = manifest(item, indent + '  ');
        indent + '- ' + std.substr(body, std.length(indent) + 2, std.length(body))
      else indent + '- ' + scalar(item, indent + '  ')
      for item in value
    ])
  else indent + scalar(value, indent + '  ');

{
  manifest(value):: manifest(value, '') + '\n',
}
