#!/usr/bin/env bash
# Installs (from Debian packages, when missing), starts and prepares a local
# PostgreSQL for the broker's store, then prints and exports DATABASE_URL.
#
# Run it as root, directly or sourced (CI sources it so DATABASE_URL stays
# set). It is idempotent: a second run finds everything in place and only
# prints the URL again. Progress goes to stderr, so stdout is just the
# DATABASE_URL=... line and `eval "$(deploy/local/postgres.sh)"` also works.
#
# Overridable: FED_PG_USER, FED_PG_PASSWORD, FED_PG_DB (default fed/fed/federation).

_fed_pg_setup() (
	set -eu
	user=${FED_PG_USER:-fed} pass=${FED_PG_PASSWORD:-fed} db=${FED_PG_DB:-federation}
	log() { echo "postgres.sh: $*" >&2; }
	cd / # su postgres cannot enter a root-owned working directory
	if ! command -v pg_lsclusters >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
		log "installing PostgreSQL from Debian packages"
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
	fi
	# The packages create a "main" cluster unless configured not to.
	if [ -z "$(pg_lsclusters -h)" ]; then
		ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
		log "creating cluster $ver/main"
		pg_createcluster "$ver" main >&2
	fi
	read -r ver name port status _ <<<"$(pg_lsclusters -h | sort -V | tail -n 1)"
	if [ "$status" != online ]; then
		log "starting cluster $ver/$name on port $port"
		pg_ctlcluster "$ver" "$name" start >&2
	fi
	for _ in $(seq 1 60); do
		pg_isready -q -h 127.0.0.1 -p "$port" && break
		sleep 0.5
	done
	pg_isready -q -h 127.0.0.1 -p "$port" || { log "PostgreSQL is not answering on port $port"; exit 1; }
	psql_pg() { su postgres -s /bin/sh -c "psql -p $port -v ON_ERROR_STOP=1 -qtAc \"$1\""; }
	if [ "$(psql_pg "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != 1 ]; then
		log "creating role $user"
		psql_pg "CREATE ROLE \\\"$user\\\" LOGIN SUPERUSER PASSWORD '$pass'" >&2
	fi
	if [ "$(psql_pg "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
		log "creating database $db"
		su postgres -s /bin/sh -c "createdb -p $port -O '$user' '$db'" >&2
	fi
	echo "postgres://$user:$pass@127.0.0.1:$port/$db?sslmode=disable"
)

if _fed_pg_url=$(_fed_pg_setup); then
	export DATABASE_URL="$_fed_pg_url"
	echo "DATABASE_URL=$DATABASE_URL"
	unset _fed_pg_url
else
	echo "postgres.sh: setup failed" >&2
	unset _fed_pg_url
	# return when sourced, exit when run
	return 1 2>/dev/null || exit 1
fi
