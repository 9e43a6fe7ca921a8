#!/usr/bin/env bash
# Notification templates (rules/alertmanager/templates/*.tmpl): every template the routing config
# uses is defined, and every defined template renders (amtool template render, with amtool's
# example alerts). amtool check-config parses templates but never executes them.
# usage: templates_test.sh [ALERTMANAGER_DIR]
set -euo pipefail
dir=${1:-$(cd "$(dirname "$0")/../.." && pwd)/rules/alertmanager}
command -v amtool >/dev/null || { echo "templates_test: amtool not found (prometheus-alertmanager)" >&2; exit 1; }

mapfile -t defined < <(grep -ho '{{ *define "[^"]*"' "$dir"/templates/*.tmpl | sed 's/.*"\(.*\)"/\1/' | sort -u)
mapfile -t used < <(grep -o 'template "[^"]*"' "$dir/alertmanager.yml" | sed 's/.*"\(.*\)"/\1/' | sort -u)
((${#defined[@]} > 0)) || { echo "templates_test: no templates defined in $dir/templates" >&2; exit 1; }
((${#used[@]} > 0)) || { echo "templates_test: alertmanager.yml uses no template" >&2; exit 1; }

failures=0
for name in "${used[@]}"; do
  if [[ " ${defined[*]} " != *" $name "* ]]; then
    echo "FAIL alertmanager.yml uses undefined template $name" >&2
    failures=$((failures + 1))
  fi
done
for name in "${defined[@]}"; do
  # freshness.alert.* templates take one alert, the others the whole notification.
  text="{{ template \"$name\" . }}"
  [[ $name != *.alert.* ]] || text="{{ range .Alerts }}{{ template \"$name\" . }}{{ end }}"
  if output=$(amtool template render --template.glob="$dir/templates/*.tmpl" \
    --template.text="$text" 2>&1); then
    echo "ok   $name renders ($(printf '%s' "$output" | wc -c) bytes)"
  else
    echo "FAIL $name: $output" >&2
    failures=$((failures + 1))
  fi
done
echo "templates_test: ${#defined[@]} templates defined, ${#used[@]} used, $failures failure(s)"
((failures == 0))
