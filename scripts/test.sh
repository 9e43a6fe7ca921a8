#!/usr/bin/env bash
# The one test command: installs what is missing, builds, and runs every test (unit,
# integration against real PostgreSQL and s3rver, rule and routing tests with promtool and
# amtool, deploy checks, end-to-end alerting, the container image built with buildah and run:
# label `image`) under AddressSanitizer+UBSan, a short libFuzzer run of every parser, then the
# C++ suites again under ThreadSanitizer.
#   scripts/test.sh            everything
#   scripts/test.sh --quick    one debug build, every test, no sanitizer builds
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[[ ${1:-} == --quick ]] && quick=1
jobs=$(nproc)

scripts/install-deps.sh

run_preset() {
  local preset=$1 labels=${2:-}
  echo "== build: $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== test: $preset ${labels:+(labels $labels)}"
  local args=(--preset "$preset" -j "$jobs" --timeout 600)
  [[ -n $labels ]] && args+=(-L "$labels")
  ctest "${args[@]}"
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp}

if ((quick)); then
  run_preset debug
  exit 0
fi
run_preset asan
echo "== fuzz"
tests/fuzz/run_fuzzers.sh --ci
run_preset tsan 'unit|integration'
