#!/bin/sh
# Initialise $PGDATA on first start (password auth over TCP, seed *.sql), then run postgres in the foreground.
set -eu
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-${user}}"
sock="${PGSOCKET:-/tmp}"
if [ ! -s "${PGDATA}/PG_VERSION" ]; then
  pwfile="$(mktemp)"
  printf '%s' "${POSTGRES_PASSWORD}" > "${pwfile}"
  initdb -D "${PGDATA}" -U "${user}" --pwfile="${pwfile}" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8
  rm -f "${pwfile}"
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "${PGDATA}/pg_hba.conf"
  pg_ctl -D "${PGDATA}" -o "-c listen_addresses='' -c unix_socket_directories=${sock}" -w start
  if [ "${db}" != postgres ]; then createdb -h "${sock}" -U "${user}" "${db}"; fi
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "${f}" ] || continue
    echo "postgres-entrypoint: running ${f}"
    psql -v ON_ERROR_STOP=1 -h "${sock}" -U "${user}" -d "${db}" -f "${f}"
  done
  pg_ctl -D "${PGDATA}" -m fast -w stop
fi
exec postgres -D "${PGDATA}" -c listen_addresses='*' -c "unix_socket_directories=${sock}"
