#!/usr/bin/env bash
# Side by side: the same no-op job workload through TaskFlow (bench/TaskFlow.Benchmarks), Hangfire and Quartz.NET
# (bench/TaskFlow.Competitors), same worker count, same throwaway PostgreSQL (fsync on). Prints one markdown table and
# the ratio lines. Usage: bash bench/run.sh [--quick]  (WORKERS=10 by default; KEEP_OUTPUT=<dir> keeps each run's raw
# output; see docs/BENCHMARKS.md)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1
WORKERS="${WORKERS:-10}"
if [[ $QUICK == 1 ]]; then
  MEM_JOBS="${MEM_JOBS:-10000}"; TF_PG_JOBS="${TF_PG_JOBS:-2000}"; PEER_PG_JOBS="${PEER_PG_JOBS:-500}"; SAMPLES="${SAMPLES:-50}"
  SCHEDULE_SECONDS="${SCHEDULE_SECONDS:-20}"
else
  MEM_JOBS="${MEM_JOBS:-50000}"; TF_PG_JOBS="${TF_PG_JOBS:-10000}"; PEER_PG_JOBS="${PEER_PG_JOBS:-2000}"; SAMPLES="${SAMPLES:-200}"
  SCHEDULE_SECONDS="${SCHEDULE_SECONDS:-60}"
fi

PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[[ -x "$PGBIN/initdb" ]] || { echo "PostgreSQL server binaries are missing: apt-get install -y postgresql" >&2; exit 1; }

# Our own server: own temp directory, a free port; stopped (by its data directory) and deleted on exit.
DIR="$(mktemp -d /tmp/taskflow-side-by-side-XXXXXX)"
chown postgres "$DIR"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
stop() {
  [[ -n "${KEEP_OUTPUT:-}" && -d "$DIR/out" ]] && cp -r "$DIR/out" "$KEEP_OUTPUT"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on" start >/dev/null
# One database per system, so each one's pg_stat_database.xact_commit counts its own commits only.
for db in taskflow hangfire quartz; do
  runuser -u postgres -- "$PGBIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE $db" >/dev/null
done
cs() { echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=$1"; }

echo "building bench projects (Release)…" >&2
dotnet build bench/TaskFlow.Benchmarks -c Release -nologo -clp:ErrorsOnly -v:q >&2
dotnet build bench/TaskFlow.Competitors -c Release -nologo -clp:ErrorsOnly -v:q >&2
TF=bench/TaskFlow.Benchmarks/bin/Release/net10.0/TaskFlow.Benchmarks.dll
PEER=bench/TaskFlow.Competitors/bin/Release/net10.0/TaskFlow.Competitors.dll
OUT="$DIR/out"; mkdir -p "$OUT"

# Each run's output goes to a file; a run that fails leaves its figures as n/a instead of stopping the others.
run() { local name="$1"; shift; echo "running $name…" >&2; "$@" >"$OUT/$name" 2>"$OUT/$name.err" || echo "  $name failed (exit $?)" >&2; }
run tf-memory dotnet "$TF" "$MEM_JOBS" Memory "$WORKERS"
run tf-memory-latency dotnet "$TF" latency Memory "$SAMPLES" "$WORKERS"
run tf-postgres env TASKFLOW_BENCH_POSTGRES="$(cs taskflow)" dotnet "$TF" "$TF_PG_JOBS" Postgres "$WORKERS"
# A fresh database for the latency run would not change it; the throughput run's rows are finished tasks.
run tf-postgres-latency env TASKFLOW_BENCH_POSTGRES="$(cs taskflow)" dotnet "$TF" latency Postgres "$SAMPLES" "$WORKERS"
run hangfire-memory dotnet "$PEER" hangfire-memory "$MEM_JOBS" "$WORKERS" "$SAMPLES"
run quartz-ram dotnet "$PEER" quartz-ram "$MEM_JOBS" "$WORKERS" "$SAMPLES"
run hangfire-postgres dotnet "$PEER" hangfire-postgres "$PEER_PG_JOBS" "$WORKERS" "$SAMPLES" "$(cs hangfire)"
run quartz-postgres dotnet "$PEER" quartz-postgres "$PEER_PG_JOBS" "$WORKERS" "$SAMPLES" "$(cs quartz)"
run tf-schedules dotnet "$TF" schedules "${SCHEDULES:-100}" "$SCHEDULE_SECONDS"

PGVERSION="$("$PGBIN/postgres" --version | awk '{print $3}')"
python3 - "$OUT" "$WORKERS" "$PGVERSION" "$MEM_JOBS" "$TF_PG_JOBS" "$PEER_PG_JOBS" "$SAMPLES" <<'EOF'
import os, re, shlex, sys
out, workers, pgv, mem_jobs, tf_pg_jobs, peer_pg_jobs, samples = sys.argv[1:]

def text(name):
    try: return open(os.path.join(out, name)).read()
    except OSError: return ""

def num(pattern, s):
    m = re.search(pattern, s)
    return float(m.group(1).replace(",", "")) if m else None

def taskflow(store, name, jobs):
    t, lat = text(name), text(name + "-latency")
    return dict(durable=name.endswith("postgres"), system="TaskFlow (this commit)", store=store, jobs=jobs,
                rate=num(r"no-op tasks end to end:\s*([\d,.]+) tasks/s", t),
                cpu=num(r"([\d.]+) µs CPU per task in this process", t),
                commits=num(r"pg_stat_database commits: ([\d.]+) per task", t),
                p50=num(r"p50_ms=([\d.]+)", lat))

def peer(name, jobs):
    t = text(name)
    line = next((l for l in t.splitlines() if l.startswith("result ")), None)
    if line is None:
        return dict(durable=False, system=name, store="(failed)", jobs=jobs, rate=None, cpu=None, commits=None, p50=None)
    kv = dict(p.split("=", 1) for p in shlex.split(line)[1:])
    f = lambda k: None if kv.get(k, "-") in ("-", "NaN") else float(kv[k])
    return dict(durable=name.endswith("postgres"), system=kv["system"], store=kv["store"], jobs=jobs, rate=f("jobs_per_s"), cpu=f("cpu_us_per_job"),
                commits=f("commits_per_job"), p50=f("latency_p50_ms"))

rows = {
    "tf-memory": taskflow("Memory", "tf-memory", mem_jobs),
    "hangfire-memory": peer("hangfire-memory", mem_jobs),
    "quartz-ram": peer("quartz-ram", mem_jobs),
    "tf-postgres": taskflow(f"PostgreSQL {pgv}", "tf-postgres", tf_pg_jobs),
    "hangfire-postgres": peer("hangfire-postgres", peer_pg_jobs),
    "quartz-postgres": peer("quartz-postgres", peer_pg_jobs),
}
fmt = lambda v, spec: "n/a" if v is None else format(v, spec)
print(f"| system | store | jobs | jobs/s | CPU/job (µs, this process) | commits/job | latency p50 (ms) |")
print("|---|---|---:|---:|---:|---:|---:|")
for r in rows.values():
    commits = fmt(r["commits"], ".2f") if r["durable"] else "–"
    print(f"| {r['system']} | {r['store']} | {int(r['jobs']):,} | {fmt(r['rate'], ',.0f')} | {fmt(r['cpu'], ',.0f')} | {commits} | {fmt(r['p50'], '.2f')} |")
print()
print(f"{workers} workers each (TaskFlow MaxConcurrency {workers}); latency: one job at a time on an idle system, "
      f"{samples} samples, clock read before the enqueue call → the handler's first line.")
print()

def ratio(a, b, key):
    x, y = rows[a][key], rows[b][key]
    return "n/a" if not x or not y else f"{x / y:.2f}"
print(f"ratio memory_vs_hangfire={ratio('tf-memory', 'hangfire-memory', 'rate')}")
print(f"ratio memory_vs_quartz={ratio('tf-memory', 'quartz-ram', 'rate')}")
print(f"ratio durable_vs_hangfire={ratio('tf-postgres', 'hangfire-postgres', 'rate')}")
print(f"ratio durable_vs_quartz={ratio('tf-postgres', 'quartz-postgres', 'rate')}")
print(f"ratio latency_memory_vs_quartz={ratio('tf-memory', 'quartz-ram', 'p50')}")
print(f"ratio latency_durable_vs_quartz={ratio('tf-postgres', 'quartz-postgres', 'p50')}")
within = num(r"within ±50 ms of due:\s*([\d.]+) %", text("tf-schedules"))
print(f"schedule_within_50ms_pct={'n/a' if within is None else format(within, '.2f')}")
hot = num(r"hot_grain_messages_per_task=([\d.]+)", text("tf-memory"))
print(f"hot_grain_messages_per_task={'n/a' if hot is None else format(hot, '.2f')}")
EOF
