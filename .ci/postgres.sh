#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster (Debian's postgresql package) for the
# decision-log tests: `source .ci/postgres.sh` installs the package when it
# is missing, makes a cluster under a temp dir, starts it on a free local
# port, exports CORDON_TEST_POSTGRES (the URL the tests use) and stops and
# removes the cluster when the calling shell exits.
saved_opts=$(set +o)
set -euo pipefail
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  sudo_ apt-get update -qq && sudo_ apt-get install -y -qq postgresql >/dev/null
fi
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdir=$(mktemp -d /tmp/cordon-pg.XXXXXX)
# PostgreSQL refuses to run as root: the cluster belongs to `postgres` then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg "$pgbin/initdb" -D "$pgdir/data" -U cordon -A trust --no-sync >/dev/null
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c max_connections=200" start >/dev/null
export CORDON_TEST_POSTGRES="postgres://cordon@127.0.0.1:$port/postgres"
stop_pg() { as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap stop_pg EXIT
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (cluster $pgdir, removed at exit)"
eval "$saved_opts"
