# shellcheck shell=bash
# Throwaway local PostgreSQL servers for the demo, the tests and the benchmarks.
# Source this file; it defines functions only and changes no shell options.
#
#   port=$(free_port)
#   pg_start "$dir/pgdata" "$port"          # initdb when empty, start, wait until ready
#   psql "$(pg_dsn "$port")" -c 'SELECT 1'
#   pg_stop "$dir/pgdata"
#   port_is_free 9560 || port=$(free_port)
#
# The server listens on 127.0.0.1 only, trusts loopback connections (superuser `postgres`) and
# keeps its unix socket inside DATADIR. Durability is off (fsync, synchronous_commit): never
# point these functions at data you care about.
#
# initdb and postgres refuse to run as root. When the caller is root, DATADIR is chowned to the
# `postgres` system user and the server binaries run through `runuser -u postgres --`; any
# ancestor directory that user cannot traverse (typically a 0700 mktemp directory) gets o+x.
#
# Environment: PG_BINDIR overrides where initdb/pg_ctl/postgres are looked up.

# Prints the directory holding the PostgreSQL server binaries (15 preferred).
pg_bindir() {
  if [[ -n ${PG_BINDIR:-} ]]; then
    printf '%s\n' "$PG_BINDIR"
    return 0
  fi
  local candidate
  for candidate in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [[ -x $candidate/initdb && -x $candidate/pg_ctl ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  if command -v pg_config >/dev/null 2>&1; then
    candidate=$(pg_config --bindir)
    if [[ -x $candidate/initdb ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  fi
  echo "postgres.sh: no PostgreSQL server binaries found (install postgresql-15)" >&2
  return 1
}

# Prints the local ports of every TCP socket on this machine, space separated, from the kernel
# tables (no helper tools needed).
_used_tcp_ports() {
  local _ local_address _rest used=" "
  while read -r _ local_address _rest; do
    [[ $local_address == *:* ]] || continue
    used+="$((16#${local_address##*:})) "
  done < <(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  printf '%s\n' "$used"
}

# port_is_free PORT: true when no TCP socket on this machine uses PORT (any address, any state).
port_is_free() {
  local used
  used=$(_used_tcp_ports)
  [[ " $used " != *" $1 "* ]]
}

# Prints a TCP port that nothing on this machine has bound (any address, any state).
free_port() {
  local used port attempt
  used=" $(_used_tcp_ports) "
  for ((attempt = 0; attempt < 200; attempt++)); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 30000))
    if [[ $used != *" $port "* ]]; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  echo "postgres.sh: no free port found" >&2
  return 1
}

# Runs a server binary as the owner of the data directory (postgres when we are root).
_pg_as_owner() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Makes every ancestor of $1 traversable by the postgres user (root callers only).
_pg_open_ancestors() {
  local dir
  dir=$(dirname "$1")
  while [[ $dir != / && $dir != . ]]; do
    if ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
}

# pg_start DATADIR PORT: initdb when DATADIR is empty, then start and wait until ready.
pg_start() {
  local datadir=${1:?usage: pg_start DATADIR PORT} port=${2:?usage: pg_start DATADIR PORT}
  local bindir
  bindir=$(pg_bindir) || return 1
  mkdir -p "$datadir" || return 1
  datadir=$(cd "$datadir" && pwd) || return 1
  if [[ $EUID -eq 0 ]]; then
    chown postgres: "$datadir" || return 1
    chmod 0700 "$datadir"
    _pg_open_ancestors "$datadir"
  fi
  if [[ ! -f $datadir/PG_VERSION ]]; then
    if [[ -n $(ls -A "$datadir") ]]; then
      echo "postgres.sh: $datadir is neither empty nor a PostgreSQL data directory" >&2
      return 1
    fi
    _pg_as_owner "$bindir/initdb" --pgdata="$datadir" --username=postgres --auth=trust \
      --encoding=UTF8 --no-locale --no-instructions --no-sync >"$datadir.initdb.log" 2>&1 || {
      cat "$datadir.initdb.log" >&2
      return 1
    }
    rm -f "$datadir.initdb.log"
    # Settings for a disposable test server; the port and addresses are given at each start.
    cat >>"$datadir/postgresql.conf" <<'EOF'

# Disposable local server (scripts/lib/postgres.sh): speed over durability.
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 50
log_min_messages = warning
log_line_prefix = '%m [%p] %u@%d '
EOF
    [[ $EUID -ne 0 ]] || chown postgres: "$datadir/postgresql.conf"
  fi
  # Logs go inside DATADIR so the caller only has one directory to remove.
  if ! _pg_as_owner "$bindir/pg_ctl" --pgdata="$datadir" --log="$datadir/server.log" --wait \
    --timeout=60 --silent \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$datadir'" start; then
    echo "postgres.sh: PostgreSQL failed to start on 127.0.0.1:$port; server log:" >&2
    tail -n 30 "$datadir/server.log" >&2 2>/dev/null
    return 1
  fi
  local attempt
  for ((attempt = 0; attempt < 100; attempt++)); do
    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then
      return 0
    fi
    sleep 0.1
  done
  echo "postgres.sh: PostgreSQL on 127.0.0.1:$port did not become ready" >&2
  return 1
}

# pg_stop DATADIR: fast shutdown (rolls back open transactions); quiet when not running.
pg_stop() {
  local datadir=${1:?usage: pg_stop DATADIR}
  local bindir
  bindir=$(pg_bindir) || return 1
  [[ -f $datadir/postmaster.pid ]] || return 0
  _pg_as_owner "$bindir/pg_ctl" --pgdata="$datadir" --mode=fast --wait --timeout=60 --silent \
    stop >/dev/null 2>&1 || [[ ! -f $datadir/postmaster.pid ]]
}

# pg_dsn PORT [DB]: a libpq connection string for the local superuser.
pg_dsn() {
  local port=${1:?usage: pg_dsn PORT [DB]} db=${2:-postgres}
  printf 'host=127.0.0.1 port=%s user=postgres dbname=%s\n' "$port" "$db"
}
