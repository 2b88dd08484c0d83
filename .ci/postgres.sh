#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster (Debian's postgresql package) for the
# decision-log tests: `source .ci/postgres.sh` installs the package when it
# is missing, makes a cluster under a temp dir, starts it on a free local
# port, exports CORDON_TEST_POSTGRES (the URL the tests use) and stops and
# removes the cluster when the calling shell exits. It leaves the caller's
# shell options as they were (no `set`): each step is checked, and a failed
# one makes `source` fail.
cordon_pg_sudo() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# PostgreSQL refuses to run as root: the cluster belongs to `postgres` then.
cordon_pg_as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  { cordon_pg_sudo apt-get update -qq && cordon_pg_sudo apt-get install -y -qq postgresql >/dev/null; } ||
    { echo "cannot install postgresql" >&2; return 1; }
fi
cordon_pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
cordon_pg_dir=$(mktemp -d /tmp/cordon-pg.XXXXXX) || return 1
if [ "$(id -u)" = 0 ]; then chown postgres "$cordon_pg_dir" || return 1; fi
cordon_pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])') ||
  return 1
cordon_pg_as "$cordon_pg_bin/initdb" -D "$cordon_pg_dir/data" -U cordon -A trust --no-sync >/dev/null ||
  { echo "initdb failed" >&2; return 1; }
cordon_pg_as "$cordon_pg_bin/pg_ctl" -D "$cordon_pg_dir/data" -l "$cordon_pg_dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $cordon_pg_port -k $cordon_pg_dir -c max_connections=200" start >/dev/null ||
  { cat "$cordon_pg_dir/server.log" >&2; return 1; }
export CORDON_TEST_POSTGRES="postgres://cordon@127.0.0.1:$cordon_pg_port/postgres"
cordon_pg_stop() {
  cordon_pg_as "$cordon_pg_bin/pg_ctl" -D "$cordon_pg_dir/data" -m fast stop >/dev/null 2>&1
  rm -rf "$cordon_pg_dir"
}
trap cordon_pg_stop EXIT
echo "PostgreSQL $("$cordon_pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$cordon_pg_port (cluster $cordon_pg_dir, removed at exit)"
