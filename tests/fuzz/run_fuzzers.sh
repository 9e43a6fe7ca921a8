#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a short time on a copy of its seed
# corpus. A crash, leak, sanitizer report or uncaught exception fails the run.
#   tests/fuzz/run_fuzzers.sh --ci                    fixed seed and run counts (about 10-15 s per
#                                                      target): the same inputs every time, so a
#                                                      test run cannot fail by chance
#   tests/fuzz/run_fuzzers.sh [SECONDS_PER_TARGET]     random exploration (default 20 s;
#                                                      docs/benchmarks.md has a longer run)
set -euo pipefail
cd "$(dirname "$0")/../.."
ci=0
seconds=20
if [[ ${1:-} == --ci ]]; then ci=1; elif [[ -n ${1:-} ]]; then seconds=$1; fi
declare -A ci_runs=([config]=25000 [values]=250000 [web_config]=30000 [templates]=300000)
build=build/fuzz

CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFRESHNESS_BUILD_FUZZERS=ON \
  -DFRESHNESS_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target fuzz_config fuzz_values fuzz_web_config fuzz_templates

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for target in config values web_config templates; do
  mkdir -p "$work/$target"
  cp -r tests/fuzz/corpus/"$target"/. "$work/$target/"
  if ((ci)); then
    limit=(-seed=1 -runs="${ci_runs[$target]}")
    echo "== fuzz_$target: ${ci_runs[$target]} inputs, seed 1"
  else
    limit=(-max_total_time="$seconds")
    echo "== fuzz_$target for ${seconds}s"
  fi
  if ! (cd "$work" && "$OLDPWD/$build/tests/fuzz/fuzz_$target" "${limit[@]}" \
        -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$work/$target" \
        >"$work/$target.log" 2>&1); then
    echo "fuzz_$target FAILED:"; tail -n 60 "$work/$target.log"; status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work/$target.log" | tr '\n' ' '; echo
  fi
done
if ((status == 0)); then echo "fuzz: 4 passed, 0 failed"; else echo "fuzz: failures above"; fi
exit $status
