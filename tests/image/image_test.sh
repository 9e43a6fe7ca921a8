#!/usr/bin/env bash
# The container image, built for real and run: no Docker engine is needed.
#
#   1. base      debootstrap --variant=minbase bookworm, imported into buildah's storage as
#                debian:bookworm and (trimmed like Debian's official slim image) debian:bookworm-slim;
#                cached in CACHE_DIR, rebuilt when older than 7 days;
#   2. build     buildah bud --isolation chroot --network host of the repository's Dockerfile as
#                it stands (its layer cache lives in CACHE_DIR too, so a second run only compiles);
#   3. run       the image's rootfs mounted and entered with chroot (in a private mount namespace
#                with /proc and /dev) as the image's user 65532, which works where a container
#                runtime cannot set rlimits: --version, --config.check on the demo config, then
#                the exporter against a PostgreSQL started on loopback with the demo schema:
#                /-/ready and a /metrics scrape with the demo's lag checks succeeding;
#   4. report    the image size and the Debian packages in it (and none of the build tools).
#
# usage: image_test.sh CACHE_DIR
# Needs root, buildah, debootstrap, postgresql-15, curl (scripts/install-deps.sh installs them).
# A missing tool or a failed step is a failure naming the step. IMAGE_TEST_KEEP=1 keeps the
# temporary directory (logs).
set -euo pipefail

cache=${1:?usage: image_test.sh CACHE_DIR}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh

started=$SECONDS
log() { printf 'image [%3ds]: %s\n' "$((SECONDS - started))" "$*" >&2; }
fail() {
  log "FAIL: $*"
  exit 1
}
# Any command that fails outside a step names itself.
set -o errtrace
trap 'fail "line $LINENO: \"$BASH_COMMAND\" exited with status $?"' ERR

[[ $EUID -eq 0 ]] || fail "needs root (debootstrap, buildah's storage, chroot)"
for tool in buildah debootstrap chroot unshare mount curl psql tar; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/install-deps.sh installs it)"
done

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
workdir=$(mktemp -d -t freshness-image.XXXXXX)
pgdata=$workdir/pgdata
# buildah's own storage, not the machine's: the base images, the layer cache and the image.
driver=overlay
grep -qw overlay /proc/filesystems || driver=vfs
bah=(buildah --root "$cache/storage" --runroot "$cache/runroot" --storage-driver "$driver")
image=localhost/freshness-exporter:image-test
container=""
exporter_pid=""

cleanup() {
  local status=$?
  trap - EXIT
  if [[ -n $exporter_pid ]]; then
    kill -TERM "$exporter_pid" 2>/dev/null || true
    wait "$exporter_pid" 2>/dev/null || true
  fi
  pg_stop "$pgdata" || true
  if [[ -n $container ]]; then
    "${bah[@]}" umount "$container" >/dev/null 2>&1 || true
    "${bah[@]}" rm "$container" >/dev/null 2>&1 || true
  fi
  if [[ ${IMAGE_TEST_KEEP:-0} == 1 ]]; then
    log "kept $workdir"
  else
    rm -rf "$workdir"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# step NAME COMMAND...: runs a step with its output in $workdir/NAME.log; on failure, fails the
# test naming the step and showing the end of its output.
step() {
  local name=$1 begin=$SECONDS
  shift
  log "$name ..."
  # In the background, not under `if`, so that set -e still stops a failing function midway.
  "$@" >"$workdir/$name.log" 2>&1 &
  if ! wait $!; then
    log "last lines of the $name output:"
    tail -n 40 "$workdir/$name.log" | sed 's/^/    /' >&2
    fail "step '$name' failed"
  fi
  log "$name done in $((SECONDS - begin))s"
}

# --- 1. the Debian base images --------------------------------------------------------------------
# The recipe's version is in the names: a changed recipe builds new bases.
recipe=2
base_tar=$cache/debian-bookworm-minbase-r$recipe.tar
slim_tar=$cache/debian-bookworm-slim-r$recipe.tar

# As Debian's official images (debuerreotype): no apt lists or downloaded packages, and apt
# settings that keep later installs from leaving them behind (docker-clean) or fetching
# translations; the slim one also excludes documentation, manual pages and translations from
# every later install (dpkg path-exclude).
make_bases() {
  local rootfs=$workdir/rootfs
  rm -f "$cache"/debian-bookworm-*.tar
  debootstrap --variant=minbase bookworm "$rootfs"
  local clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"'
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<EOF
DPkg::Post-Invoke { $clean; };
APT::Update::Post-Invoke { $clean; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' \
    >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
  # The machine's own Debian sources (bookworm, its updates and security) when it is bookworm,
  # as in the official image; debootstrap's single line otherwise.
  if [[ -f /etc/apt/sources.list.d/debian.sources ]] \
    && grep -q '^VERSION_CODENAME=bookworm$' /etc/os-release; then
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/debian.sources"
    rm -f "$rootfs/etc/apt/sources.list"
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/lib/apt/lists/*
  tar --numeric-owner --xattrs -C "$rootfs" -cf "$base_tar.new" .
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
# As in Debian's official -slim images: no documentation, manual pages or translations.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,linda}/*
  tar --numeric-owner --xattrs -C "$rootfs" -cf "$slim_tar.new" .
  mv "$base_tar.new" "$base_tar"
  mv "$slim_tar.new" "$slim_tar"
  rm -rf "$rootfs"
}

# import TAR NAME: one-layer image from a root filesystem tarball.
import_base() {
  local tar=$1 name=$2 ctr
  ctr=$("${bah[@]}" from scratch)
  "${bah[@]}" add "$ctr" "$tar" /
  "${bah[@]}" config --cmd /bin/bash "$ctr"
  "${bah[@]}" commit -q "$ctr" "$name"
  "${bah[@]}" rm "$ctr"
}

import_bases() {
  import_base "$base_tar" docker.io/library/debian:bookworm
  import_base "$slim_tar" docker.io/library/debian:bookworm-slim
  touch "$cache/storage/.bases-imported"
}

if [[ ! -f $base_tar || ! -f $slim_tar || -n $(find "$base_tar" -mtime +7) ]]; then
  step debootstrap make_bases
else
  log "debootstrap: cached base from $(date -r "$base_tar" '+%F %T')"
fi
# The layer cache grows with every changed tree; start afresh past a few GB (the bases stay).
if [[ -d $cache/storage ]] && (($(du -sm "$cache/storage" | cut -f1) > 6000)); then
  log "buildah storage over 6 GB: starting it afresh"
  "${bah[@]}" rm --all >/dev/null 2>&1 || true
  "${bah[@]}" rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$cache/storage" "$cache/runroot"
fi
# Working containers an interrupted run left behind (they hold mounts).
"${bah[@]}" rm --all >/dev/null 2>&1 || true
if [[ ! -f $cache/storage/.bases-imported || $base_tar -nt $cache/storage/.bases-imported ]]; then
  step import-bases import_bases
else
  log "import-bases: debian:bookworm and debian:bookworm-slim already in the storage"
fi

# --- 2. the image, from the Dockerfile as it stands ------------------------------------------------
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
step build "${bah[@]}" bud --isolation chroot --network host --layers --pull-never \
  --build-arg REVISION="$revision" -f Dockerfile -t "$image" .

user=$("${bah[@]}" inspect --type image --format '{{.OCIv1.Config.User}}' "$image")
entrypoint=$("${bah[@]}" inspect --type image --format '{{.OCIv1.Config.Entrypoint}}' "$image")
[[ $user == 65532:65532 ]] || fail "the image's user is '$user', not 65532:65532"
[[ $entrypoint == '[/usr/bin/freshness_exporter]' ]] \
  || fail "the image's entrypoint is $entrypoint, not /usr/bin/freshness_exporter"

container=$("${bah[@]}" from --pull-never "$image")
rootfs=$("${bah[@]}" mount "$container")
log "image mounted at $rootfs"

# in_image COMMAND...: runs COMMAND inside the image's root filesystem as the image's user, with
# /proc and /dev, in a private mount namespace (the mounts vanish with the process), a clean
# environment plus IMAGE_ENV.
IMAGE_ENV=()
in_image() {
  unshare --mount --propagation private -- /bin/sh -euc '
    root=$1; shift
    mount -t proc proc "$root/proc"
    mount --bind /dev "$root/dev"
    exec chroot --userspec=65532:65532 "$root" "$@"' sh "$rootfs" \
    /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent TZ=UTC "${IMAGE_ENV[@]}" "$@"
}

# --- 3. the exporter inside it -----------------------------------------------------------------------
version=$(in_image /usr/bin/freshness_exporter --version 2>&1) \
  || fail "--version inside the image failed: $version"
log "--version: $version"
[[ $version == "freshness_exporter "*"($revision)" ]] \
  || fail "--version does not name the revision $revision: $version"

# The demo configuration where the Dockerfile's WORKDIR and the chart mount it.
install -m 0644 examples/demo/freshness.yml "$rootfs/etc/freshness-exporter/freshness.yml"
check=$(in_image /usr/bin/freshness_exporter --config.file=/etc/freshness-exporter/freshness.yml \
  --config.check 2>&1) || fail "--config.check on the demo config failed inside the image: $check"
log "--config.check: ${check##*$'\n'}"
demo_checks=$(grep -c '^  - name: ' examples/demo/freshness.yml)
[[ $check == *"OK ($demo_checks checks"* ]] || fail "unexpected --config.check output: $check"

pg_port=$(free_port)
step postgres pg_start "$pgdata" "$pg_port"
psql "$(pg_dsn "$pg_port")" --no-psqlrc -q -c "CREATE DATABASE pipeline" \
  || fail "could not create the demo database"
writer_dsn=$(pg_dsn "$pg_port" pipeline)
step schema psql "$writer_dsn" --no-psqlrc -q -v ON_ERROR_STOP=1 -f examples/demo/schema.sql
step backfill examples/demo/writer.sh --dsn="$writer_dsn" --backfill=120 --once --no-faults

exporter_port=$(free_port)
IMAGE_ENV=("DEMO_DSN=host=127.0.0.1 port=$pg_port user=freshness_reader dbname=pipeline")
in_image /usr/bin/freshness_exporter --config.file=/etc/freshness-exporter/freshness.yml \
  --web.listen-address="127.0.0.1:$exporter_port" >"$workdir/exporter.log" 2>&1 &
exporter_pid=$!
url=http://127.0.0.1:$exporter_port
ready=0
for ((i = 0; i < 120; i++)); do
  kill -0 "$exporter_pid" 2>/dev/null || break
  if curl -fsS -o /dev/null --max-time 2 "$url/-/ready" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.5
done
if ((!ready)); then
  tail -n 30 "$workdir/exporter.log" | sed 's/^/    /' >&2
  fail "the exporter inside the image did not become ready on $url/-/ready"
fi
curl -fsS --max-time 10 "$url/metrics" >"$workdir/metrics.txt" || fail "scraping $url/metrics failed"
expect_metric() { # REGEX DESCRIPTION
  grep -Eq "$1" "$workdir/metrics.txt" || {
    grep -E "^freshness_(check_success|target_up|exporter_build_info)" "$workdir/metrics.txt" \
      | sed 's/^/    /' >&2 || true
    fail "/metrics has no $2 ($1)"
  }
}
expect_metric '^freshness_target_up\{[^}]*target="pipeline"[^}]*\} 1$' 'reachable demo target'
for check_name in telemetry features recommendations dispatcher executions telemetry_volume; do
  expect_metric "^freshness_check_success\\{[^}]*check=\"$check_name\"[^}]*\\} 1\$" \
    "successful collection of check $check_name"
done
expect_metric '^freshness_lag_seconds\{[^}]*check="telemetry"' 'lag of check telemetry'
expect_metric "^freshness_exporter_build_info\\{[^}]*revision=\"$revision\"" "build_info of revision $revision"
log "/metrics: $(grep -c '^freshness_' "$workdir/metrics.txt") freshness_ samples; the demo target is up and its database checks succeed"

# --- 4. what is in the image -------------------------------------------------------------------------
packages=$(chroot "$rootfs" dpkg-query -W -f '${Package} ${Version}\n' | sort)
count=$(wc -l <<<"$packages")
for needed in libpq5 libpqxx-6.4 libyaml-cpp0.7 libprometheus-cpp-core1.0 libssl3 tzdata \
  ca-certificates; do
  grep -q "^$needed " <<<"$packages" || fail "package $needed is not in the image"
done
unwanted=$(grep -E '^((gcc|g\+\+|cpp|clang)(-[0-9]+)?|cmake|make|git|pkg-config|binutils|build-essential|[^ ]+-dev) ' \
  <<<"$packages" || true)
[[ -z $unwanted ]] || fail "build tools in the runtime image: $(tr '\n' ' ' <<<"$unwanted")"
size=$("${bah[@]}" images --format '{{.Size}}' "$image")
rootfs_mb=$(du -sm --apparent-size -x "$rootfs" | cut -f1)
log "image $image: $size ($rootfs_mb MB of files), $count Debian packages:"
sed 's/^/    /' <<<"$packages" >&2
log "PASS in $((SECONDS - started))s"
