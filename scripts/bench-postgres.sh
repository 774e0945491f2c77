#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (fsync on, 127.0.0.1, a free port), prints TaskFlow's durable throughput on it beside a
# bare grain-call loop, then seeds 10,000,000 finished and 1,000,000 pending history rows (ROWS, PENDING) and times
# GET /tasks/metrics' store work (maintained counts, beside the COUNT … GROUP BY they replaced), the dead-letter query and
# the first page of status=pending; stops and deletes the server. SKIP_THROUGHPUT=1 runs the history part alone.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[[ -x "$PGBIN/initdb" ]] || { echo "PostgreSQL server binaries are missing: apt-get install -y postgresql" >&2; exit 1; }

DIR="$(mktemp -d /tmp/taskflow-pg-bench-XXXXXX)"
chown postgres "$DIR"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
stop() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_wal_size=8GB" start >/dev/null
CS="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres"

dotnet build bench/TaskFlow.Benchmarks -c Release -nologo -clp:ErrorsOnly
BENCH=bench/TaskFlow.Benchmarks/bin/Release/net10.0/TaskFlow.Benchmarks.dll
[[ "${SKIP_THROUGHPUT:-}" == 1 ]] || TASKFLOW_BENCH_POSTGRES="$CS" dotnet "$BENCH" "${TASKS:-5000}" Postgres "${CONCURRENCY:-64}"
[[ "${SKIP_HISTORY:-}" == 1 ]] || dotnet "$BENCH" history "$CS" "${ROWS:-10000000}" "${QUERIES:-200}" "${PENDING:-1000000}"
