#!/bin/sh
# A fresh cluster in $PGDATA, then PostgreSQL in the foreground on 127.0.0.1:$PGPORT only.
set -eu
: "${PGPORT:?set PGPORT to a free port: with host networking it is the host's port}"
if [ ! -s "${PGDATA}/PG_VERSION" ]; then
    # The local superuser by peer (psql in the container, as `postgres`); everyone else over
    # TCP with a password, as the service will. --no-sync: a throwaway cluster, not durable.
    initdb --pgdata="${PGDATA}" --username=postgres --encoding=UTF8 --no-locale \
        --auth-local=peer --auth-host=scram-sha-256 --no-sync >/dev/null
fi
# fsync off for the same reason. The socket keeps Debian's directory so psql finds it.
exec postgres -D "${PGDATA}" -c listen_addresses=127.0.0.1 -c port="${PGPORT}" \
    -c unix_socket_directories=/var/run/postgresql -c fsync=off
