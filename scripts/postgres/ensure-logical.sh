#!/usr/bin/env bash
# Makes the local PostgreSQL cluster usable for logical replication (CDC tests), idempotently:
#   - starts the cluster when it is not accepting connections;
#   - sets wal_level=logical and enough replication slots / WAL senders with ALTER SYSTEM, and
#     restarts the cluster once when a setting that needs a restart changed;
#   - waits (bounded) until it accepts connections again.
# Connection: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres); trust auth is expected.
# Cluster: the highest version under /etc/postgresql, cluster name PG_CLUSTER (main).
# Concurrent callers are serialised with flock so two test files never restart the cluster twice.
#
#   scripts/postgres/ensure-logical.sh            # exit 0 once wal_level=logical and accepting connections
set -euo pipefail

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
CLUSTER="${PG_CLUSTER:-main}"
MIN_SLOTS="${PG_MIN_REPLICATION_SLOTS:-20}"
MIN_SENDERS="${PG_MIN_WAL_SENDERS:-20}"
WAIT_SECONDS="${PG_WAIT_SECONDS:-60}"

log() { printf 'ensure-logical: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

command -v psql >/dev/null || die "psql not found: install the PostgreSQL client (apt-get install postgresql-client)"

pg_version() {
  [ -d /etc/postgresql ] || die "/etc/postgresql not found: no Debian-style PostgreSQL cluster on this machine"
  local v
  v="$(ls /etc/postgresql | sort -V | tail -n 1)"
  [ -n "$v" ] || die "no cluster under /etc/postgresql"
  printf '%s' "$v"
}

ctl() {
  command -v pg_ctlcluster >/dev/null || die "pg_ctlcluster not found (postgresql-common); cannot $1 the cluster"
  log "pg_ctlcluster $(pg_version) $CLUSTER $1"
  # 9>&- : the server must not inherit the lock descriptor, or it would hold the lock forever
  pg_ctlcluster --skip-systemctl-redirect "$(pg_version)" "$CLUSTER" "$1" 9>&-
}

ready() { psql -X -d postgres -Atqc 'select 1' >/dev/null 2>&1; }

wait_ready() {
  local i
  for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
    ready && return 0
    sleep 0.25
  done
  die "PostgreSQL on $PGHOST:$PGPORT did not accept connections within ${WAIT_SECONDS}s"
}

setting() { psql -X -d postgres -Atqc "show $1"; }

main() {
  if ! ready; then
    ctl start || true
    wait_ready
  fi
  local restart=0
  if [ "$(setting wal_level)" != logical ]; then
    psql -X -d postgres -qc "ALTER SYSTEM SET wal_level = logical" >/dev/null
    restart=1
  fi
  if [ "$(setting max_replication_slots)" -lt "$MIN_SLOTS" ]; then
    psql -X -d postgres -qc "ALTER SYSTEM SET max_replication_slots = $MIN_SLOTS" >/dev/null
    restart=1
  fi
  if [ "$(setting max_wal_senders)" -lt "$MIN_SENDERS" ]; then
    psql -X -d postgres -qc "ALTER SYSTEM SET max_wal_senders = $MIN_SENDERS" >/dev/null
    restart=1
  fi
  if [ "$restart" = 1 ]; then
    ctl restart
    wait_ready
  fi
  [ "$(setting wal_level)" = logical ] || die "wal_level is still $(setting wal_level) after a restart"
  log "ready: wal_level=logical, max_replication_slots=$(setting max_replication_slots), max_wal_senders=$(setting max_wal_senders)"
}

LOCK="${TMPDIR:-/tmp}/sluice-postgres-ensure-logical.v2.lock"
exec 9>"$LOCK"
if command -v flock >/dev/null; then flock -w 120 9 || die "timed out waiting for $LOCK"; fi
main
