#!/usr/bin/env bash
# Library floor benchmark: how much of freshness_exporter's resident memory the Debian shared
# libraries it links take before any of its own code runs. Three programs, each started
# --repeat times, resident memory read from /proc/PID/status --wait seconds later (median):
#   c++ floor        a C++ `int main() { pause(); }` linked only against libstdc++;
#   library floor    the same program linked (--no-as-needed) against every library the
#                    exporter binary names (readelf -d: DT_NEEDED), so the dynamic loader maps
#                    them and runs their constructors: cpp-httplib's initialises OpenSSL, libpq
#                    brings libldap and with it GnuTLS, whose constructor initialises itself;
#                    also run with GNUTLS_NO_IMPLICIT_INIT=1, which skips GnuTLS's part;
#   exporter idle    the exporter with a config of no checks (no database), at rest.
# Then the library floor's largest mappings (smaps Rss by file). Compare with the exporter's
# resident memory under load in bench/scrape_bench.sh and bench/resource_bench.sh.
#
# usage: bench/library_floor.sh [--exporter=PATH] [--repeat=N] [--wait=SECONDS]
#   --exporter  freshness_exporter binary (default build/release/exporter/freshness_exporter)
#   --repeat    starts per program (default 5; the median is quoted)
#   --wait      seconds between start and reading its memory (default 2)
# Needs: g++, binutils (readelf), curl. A few seconds. Not part of the test suite.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=bench/lib/common.sh
source bench/lib/common.sh

exporter=build/release/exporter/freshness_exporter
repeat=5
wait_seconds=2
for argument in "$@"; do
  case $argument in
    --exporter=*) exporter=${argument#*=} ;;
    --repeat=*) repeat=${argument#*=} ;;
    --wait=*) wait_seconds=${argument#*=} ;;
    -h | --help) usage ;;
    *)
      echo "library_floor: unknown argument $argument" >&2
      usage
      ;;
  esac
done
log() { printf 'library_floor: %s\n' "$*" >&2; }
for value in "$repeat" "$wait_seconds"; do
  [[ $value =~ ^[1-9][0-9]*$ && $value -le 60 ]] || {
    log "--repeat and --wait must be whole numbers from 1 to 60"
    exit 2
  }
done
[[ -x $exporter ]] || {
  log "no exporter at $exporter; build it first (bench/README.md)"
  exit 1
}

workdir=""  # set by bench_workdir
bench_workdir freshness-library-floor

# --- the programs ----------------------------------------------------------------------------
mapfile -t needed < <(readelf -d "$exporter" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
((${#needed[@]} > 0)) || {
  log "readelf found no DT_NEEDED entries in $exporter (statically linked?)"
  exit 1
}
printf '#include <unistd.h>\nint main() { pause(); }\n' >"$workdir/floor.cc"
g++ -O2 "$workdir/floor.cc" -o "$workdir/cxx_floor"
link_flags=()
for library in "${needed[@]}"; do link_flags+=("-l:$library"); done
g++ -O2 "$workdir/floor.cc" -o "$workdir/library_floor" -Wl,--no-as-needed "${link_flags[@]}"
# The floor binary must map what the exporter maps, no more and no less.
diff <(ldd "$exporter" | awk '{ print $1 }' | sort) \
  <(ldd "$workdir/library_floor" | awk '{ print $1 }' | sort) >/dev/null || {
  log "the floor binary's libraries differ from the exporter's (ldd)"
  exit 1
}
printf 'targets: {}\nchecks: []\n' >"$workdir/empty.yml"

# --- measurements ----------------------------------------------------------------------------
# status_mb PID: "RSS anon file" in MB from /proc/PID/status.
status_mb() {
  awk '/^(VmRSS|RssAnon|RssFile):/ { v[$1] = $2 }
    END { printf "%.1f %.1f %.1f\n", v["VmRSS:"] / 1024, v["RssAnon:"] / 1024, v["RssFile:"] / 1024 }' \
    "/proc/$1/status"
}

# run_program NAME ENV... -- COMMAND...: starts COMMAND --repeat times, prints the medians.
declare -A result
run_program() {
  local name=$1 environment=() rss=() anon=() file=() run rss_mb anon_mb file_mb
  shift
  while [[ $1 != -- ]]; do
    environment+=("$1")
    shift
  done
  shift
  for ((run = 0; run < repeat; run++)); do
    env "${environment[@]}" "$@" >"$workdir/$name.log" 2>&1 &
    exporter_pid=$!
    sleep "$wait_seconds"
    kill -0 "$exporter_pid" 2>/dev/null || {
      log "$name exited early"
      exit 1
    }
    read -r rss_mb anon_mb file_mb <<<"$(status_mb "$exporter_pid")"
    rss+=("$rss_mb")
    anon+=("$anon_mb")
    file+=("$file_mb")
    [[ $name != library_floor ]] || cp "/proc/$exporter_pid/smaps" "$workdir/floor.smaps"
    bench_stop_exporter
  done
  result[$name]="$(median "${rss[@]}") $(median "${anon[@]}") $(median "${file[@]}")"
}

run_program cxx_floor -- "$workdir/cxx_floor"
run_program library_floor -- "$workdir/library_floor"
run_program library_floor_no_gnutls_init GNUTLS_NO_IMPLICIT_INIT=1 -- "$workdir/library_floor"
run_program exporter_idle -- "$exporter" --config.file="$workdir/empty.yml" \
  --web.listen-address=127.0.0.1:0 --log.level=warn

# --- report ----------------------------------------------------------------------------------
echo "library floor: $exporter (${#needed[@]} DT_NEEDED, $(ldd "$exporter" | wc -l) mapped by ldd)"
echo "medians of $repeat starts, memory ${wait_seconds}s after start, MB"
printf '%-36s %7s %7s %7s\n' program RSS anon file
for name in cxx_floor library_floor library_floor_no_gnutls_init exporter_idle; do
  read -r rss anon file <<<"${result[$name]}"
  printf '%-36s %7s %7s %7s\n' "$name" "$rss" "$anon" "$file"
done
echo
echo "library floor, largest mappings (Rss kB by file, last start):"
awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6 } /^Rss:/ { rss[name] += $2 }
  END { for (n in rss) if (n ~ /\.so/) printf "%7d  %s\n", rss[n], n }' "$workdir/floor.smaps" \
  | sort -rn | head -12 | sed 's|/usr/lib/x86_64-linux-gnu/||; s|/lib/x86_64-linux-gnu/||'
