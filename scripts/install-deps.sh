#!/usr/bin/env bash
# Installs the Debian packages (scripts/apt-packages.txt) and npm tools (scripts/npm-packages.txt)
# that are missing. Idempotent: does nothing when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t wanted < <(grep -vE '^\s*(#|$)' scripts/apt-packages.txt)
missing=()
# Packages that may come from elsewhere (e.g. a vendor Node.js that bundles npm): present when
# their command is; installing Debian's package over them would conflict.
declare -A provided_by_command=([nodejs]=node [npm]=npm)
for package in "${wanted[@]}"; do
  command=${provided_by_command[$package]:-}
  if [[ -n $command ]] && command -v "$command" >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# npm tools go into a project-local prefix so nothing global changes.
if [[ -f scripts/npm-packages.txt ]]; then
  mapfile -t npm_wanted < <(grep -vE '^\s*(#|$)' scripts/npm-packages.txt)
  for package in "${npm_wanted[@]}"; do
    name=${package%@*}
    [[ -n $name ]] || name=$package
    if [[ ! -d .tools/node_modules/$name ]]; then
      echo "install-deps: npm install $package"
      npm install --silent --no-audit --no-fund --prefix .tools "$package" >/dev/null
    fi
  done
fi
