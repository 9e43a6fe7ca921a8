#!/usr/bin/env bash
# Renders the mixin into the files committed under rules/ and dashboards/.
#   mixin/build.sh           write them
#   mixin/build.sh --check   exit 1 when a committed file differs from what the mixin renders
# Needs Debian's jsonnet (scripts/install-deps.sh installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
check=0
[[ ${1:-} == --check ]] && check=1
command -v jsonnet >/dev/null || { echo "build.sh: jsonnet not found (apt-get install jsonnet)" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/rules" "$out/rules/tests" "$out/dashboards"
# jsonnet renders JSON; lib/to_yaml.py writes it as readable YAML (block strings, usual order).
yaml() { /usr/bin/python3 "$here/lib/to_yaml.py" "$1"; }
header="# Generated from mixin/ by mixin/build.sh. Do not edit: change the mixin (or its _config) and
# run mixin/build.sh.
"
# SLO groups (freshness-slo*) go to their own file, so they can be left out.
slo='std.startsWith(g.name, "freshness-slo")'
jsonnet -J "$here" -e "local m = import 'mixin.libsonnet'; {groups: [g for g in m.prometheusRules.groups if !$slo]}" \
  | yaml "$header" >"$out/rules/freshness-records.rules.yml" &
jsonnet -J "$here" -e "local m = import 'mixin.libsonnet'; {groups: [g for g in m.prometheusAlerts.groups if !$slo]}" \
  | yaml "$header" >"$out/rules/freshness-alerts.rules.yml" &
jsonnet -J "$here" -e "local m = import 'mixin.libsonnet'; {groups: [g for g in m.prometheusRules.groups + m.prometheusAlerts.groups if $slo]}" \
  | yaml "$header" >"$out/rules/freshness-slo.rules.yml" &
# Rule tests written as timelines (mixin/tests/*.jsonnet) become promtool test files.
for source in "$here"/tests/*.jsonnet; do
  name=$(basename "$source" .jsonnet)
  jsonnet -J "$here" "$source" \
    | yaml "# Generated from mixin/tests/$name.jsonnet by mixin/build.sh. Do not edit.
" >"$out/rules/tests/$name.test.yml" &
done
# Every rendering above ran in the background: any failure fails the build.
for job in $(jobs -p); do
  wait "$job" || { echo "build.sh: rendering failed (see above)" >&2; exit 1; }
done
if [[ -f $here/render-dashboards.jsonnet ]]; then
  jsonnet -J "$here" -m "$out/dashboards" "$here/render-dashboards.jsonnet" >/dev/null
fi

status=0
for dir in rules rules/tests dashboards; do
  for file in "$out/$dir"/*; do
    [[ -f $file ]] || continue
    name=$(basename "$file")
    target=$repo/$dir/$name
    if ((check)); then
      if ! cmp -s "$file" "$target"; then
        echo "build.sh: $dir/$name differs from what mixin/ renders; run mixin/build.sh" >&2
        diff -u "$target" "$file" | head -40 >&2 || true
        status=1
      fi
    else
      cp "$file" "$target"
    fi
  done
done
exit $status
