#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster: initdb and pg_ctl into a temporary
# folder, on a free port, removed afterwards whatever the command's outcome.
#   scripts/with-postgres.sh pytest -q
set -euo pipefail

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/initdb" ] && bindir="$candidate"
done
if [ -z "$bindir" ] && command -v pg_config >/dev/null; then bindir="$(pg_config --bindir)"; fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL server binaries (initdb, pg_ctl) are not installed: the PostgreSQL test run" >&2
  echo "cannot start. Install the postgresql package; make test refuses to pass on SQLite alone." >&2
  exit 1
fi

tmp="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$tmp"
  as_owner=(runuser -u postgres --)
fi

cleanup() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"${as_owner[@]}" "$bindir/initdb" -D "$tmp/data" -A trust -U vetq -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_owner[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w \
  -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throwaway)"

export DATABASE_URL="postgres://vetq@127.0.0.1:$port/postgres"
"$@"
