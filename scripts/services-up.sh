#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432, trust auth for `postgres`) and Redis (127.0.0.1:6379)
# are running; start them when they are not. PostgreSQL runs as the postgres user, never root.
set -euo pipefail

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! pg_ready; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ -d /etc/postgresql ] && ls /etc/postgresql/*/main >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
  fi
  if ! pg_ready; then
    data=/var/lib/postgresql/ci-data
    if [ ! -s "$data/PG_VERSION" ]; then
      install -d -o postgres -g postgres "$data"
      runuser -u postgres -- "$bindir/initdb" -D "$data" -A trust -U postgres >/dev/null
    fi
    install -d -o postgres -g postgres /var/run/postgresql
    runuser -u postgres -- "$bindir/pg_ctl" -D "$data" -l "$data/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p 5432" -w start >/dev/null
  fi
fi
for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
pg_ready || { echo "PostgreSQL did not start" >&2; exit 1; }

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null
echo "PostgreSQL and Redis are up."
