#!/usr/bin/env bash
# `make replica-e2e`: the real server on a real PostgreSQL streaming replica, then through
# PgBouncer in transaction pooling mode, each under a black-box workload (e2e.py).
#
# 1. A second PostgreSQL 15 cluster on 127.0.0.1:$REPLICA_PORT (5433), made by
#    `pg_basebackup -R` from the machine's cluster at 127.0.0.1:5432, in a temp dir, run by
#    the postgres user; waited for until it streams.
# 2. PgBouncer (Debian package, 1.18) on 127.0.0.1:$BOUNCER_PORT (6433) in transaction
#    pooling mode, from an ini generated in the same temp dir.
# Both are torn down on exit, whatever happened (trap).
#
# The primary must allow replication connections from 127.0.0.1: when its pg_hba.conf has
# no `replication` line, this script APPENDS `host replication all 127.0.0.1/32 trust` to
# it and reloads (acceptable on the CI machine, which already trusts 127.0.0.1; it says so
# when it does). wal_level must be replica or logical (Debian's default).
set -euo pipefail
cd "$(dirname "$0")/../.."

PG_HOST=127.0.0.1
PG_PORT=${PG_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
BOUNCER_PORT=${BOUNCER_PORT:-6433}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PYTHON=${PYTHON:-python3}
BINARY=${1:?usage: run.sh path/to/groupbuy}

as_pg() { runuser -u postgres -- "$@"; }
psql_at() { psql -h "$PG_HOST" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

WORK=$(mktemp -d /tmp/groupbuy-replica.XXXXXX)
chown postgres "$WORK"
# A replication slot keeps the primary's WAL until the replica has it (a busy primary
# recycles segments between the base backup and the first stream otherwise); a slot left
# behind would keep WAL forever, so teardown drops it, and a start drops those that
# earlier runs left inactive.
SLOT="groupbuy_e2e_$$"
BOUNCER_PID=""
teardown() {
  set +e
  if [ -f "$WORK/pgbouncer.pid" ]; then kill "$(cat "$WORK/pgbouncer.pid")" 2>/dev/null; fi
  if [ -n "$BOUNCER_PID" ]; then kill "$BOUNCER_PID" 2>/dev/null; wait "$BOUNCER_PID" 2>/dev/null; fi
  if [ -f "$WORK/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate -w stop > /dev/null
  fi
  # The walsender may take a moment to notice the replica is gone (the slot is active until).
  for _ in $(seq 1 20); do
    psql_at -p "$PG_PORT" -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
      WHERE slot_name = '$SLOT' AND NOT active" > /dev/null 2>&1
    [ "$(psql_at -p "$PG_PORT" -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT'")" = 0 ] && break
    sleep 0.5
  done
  rm -rf "$WORK"
}
trap teardown EXIT

wal_level=$(psql_at -p "$PG_PORT" -c "SHOW wal_level")
if [ "$wal_level" = minimal ]; then
  echo "the primary has wal_level=minimal: a streaming replica needs replica or logical" >&2
  exit 1
fi
hba=$(psql_at -p "$PG_PORT" -c "SHOW hba_file")
allowed=$(psql_at -p "$PG_PORT" -c \
  "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND type IN ('host', 'local')")
if [ "$allowed" = 0 ]; then
  echo "NOTE: $hba has no replication line: appending 'host replication all 127.0.0.1/32 trust' and reloading"
  printf '\n# added by groupbuy tools/replica/run.sh (CI): pg_basebackup and streaming from 127.0.0.1\nhost replication all 127.0.0.1/32 trust\n' >> "$hba"
  psql_at -p "$PG_PORT" -c "SELECT pg_reload_conf()" > /dev/null
fi

psql_at -p "$PG_PORT" -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
  WHERE slot_name LIKE 'groupbuy\_e2e\_%' AND NOT active" > /dev/null

echo "== replica: pg_basebackup -R from $PG_HOST:$PG_PORT into $WORK/data (slot $SLOT)"
as_pg "$PG_BIN/pg_basebackup" -h "$PG_HOST" -p "$PG_PORT" -U postgres -D "$WORK/data" -R -X stream -c fast \
  -C -S "$SLOT"
# Debian keeps the configuration outside the data directory: the copy needs its own.
as_pg tee "$WORK/data/postgresql.conf" > /dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $REPLICA_PORT
unix_socket_directories = '$WORK'
hot_standby = on
max_connections = 100
shared_buffers = 64MB
# A long read on the replica may be cancelled by replay (the server then reads on the primary).
max_standby_streaming_delay = 5s
CONF
as_pg tee "$WORK/data/pg_hba.conf" > /dev/null <<CONF
local all all trust
host all all 127.0.0.1/32 trust
CONF
as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/replica.log" -w -t 60 start > /dev/null
for _ in $(seq 1 60); do
  status=$(psql_at -p "$REPLICA_PORT" -c "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null || true)
  [ "$status" = streaming ] && break
  sleep 0.5
done
if [ "$status" != streaming ]; then
  echo "the replica does not stream (status '$status'); its log:" >&2
  cat "$WORK/replica.log" >&2
  exit 1
fi
echo "   streaming on $PG_HOST:$REPLICA_PORT"

echo "== pgbouncer: transaction pooling on $PG_HOST:$BOUNCER_PORT in front of $PG_HOST:$PG_PORT"
cat > "$WORK/pgbouncer.ini" <<INI
[databases]
* = host=$PG_HOST port=$PG_PORT
[pgbouncer]
listen_addr = $PG_HOST
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $WORK/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
logfile = $WORK/pgbouncer.log
pidfile = $WORK/pgbouncer.pid
ignore_startup_parameters = extra_float_digits
INI
echo '"postgres" ""' > "$WORK/userlist.txt"
chown postgres "$WORK/pgbouncer.ini" "$WORK/userlist.txt"
as_pg pgbouncer "$WORK/pgbouncer.ini" > /dev/null 2>&1 &
BOUNCER_PID=$!
for _ in $(seq 1 40); do
  pg_isready -h "$PG_HOST" -p "$BOUNCER_PORT" -q && break
  sleep 0.25
done

REPLICA_PG_URL="postgres://postgres@$PG_HOST:$REPLICA_PORT/postgres" \
BOUNCER_PG_URL="postgres://postgres@$PG_HOST:$BOUNCER_PORT/postgres" \
RELIABILITY_BINARY="$BINARY" \
  "$PYTHON" tools/replica/e2e.py
