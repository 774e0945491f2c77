#!/usr/bin/env bash
# Chaos run: a real three-silo TaskFlow cluster, each silo in its own network namespace with its own address, a
# Client-mode API node and PostgreSQL, under steady enqueues and ten every-second schedules while it is hurt:
#   1. kill -9 a random silo, restart it (twice);
#   2. cut one silo off the network (its veth down) for 30 s (--quick: 15 s), then heal;
#   3. a rolling restart: SIGTERM each silo in turn with a batch of tasks running (shorter than the drain grace),
#      wait for it to exit, restart it, wait until it is Active in the membership table.
# Then it waits until every accepted task is terminal and prints its figures, one per line ("chaos: name=value"),
# then "chaos: PASS" or "chaos: FAIL <targets>"; exit 0 only on PASS. See deploy/README.md ("Chaos run").
#
#   scripts/chaos.sh [--quick] [--no-build] [--keep-logs]
#
# Needs root (ip netns, veth, a bridge). Everything it makes is named after its own pid (tfc<pid>...) and lives in
# 10.231.X.0/24 with X unused on this machine; the cleanup stops exactly the processes it started (by pid) and deletes
# its namespaces, bridge, veths and PostgreSQL data.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUICK=0 BUILD=1 KEEP_LOGS=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    --keep-logs) KEEP_LOGS=1 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "chaos: unknown option $arg (use --quick, --no-build, --keep-logs)" >&2; exit 2 ;;
  esac
done

if ((QUICK)); then
  LOAD_COUNT=600 LOAD_SECONDS=85 SETTLE_SECONDS=3 PARTITION_SECONDS=15 ROLLING_BATCH=9 ROLLING_SLEEP_MS=4000 TERMINAL_TIMEOUT=60
else
  LOAD_COUNT=5000 LOAD_SECONDS=280 SETTLE_SECONDS=40 PARTITION_SECONDS=30 ROLLING_BATCH=15 ROLLING_SLEEP_MS=10000 TERMINAL_TIMEOUT=180
fi
SILOS=3
SILO_PORT=11111 GATEWAY_PORT=30000   # the same in every namespace: each has its own network stack
SHUTDOWN_GRACE_S=30                  # TaskFlow:ShutdownGrace, the default
START_TIMEOUT=90
DEAD_TIMEOUT=45

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 PGCONNECT_TIMEOUT=3

say() { echo "chaos: $*"; }
die() { echo "chaos: error: $*" >&2; exit 2; }
now_ms() { date +%s%3N; }
secs_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# == preconditions -------------------------------------------------------------------------------------------------
[[ "$(id -u)" -eq 0 ]] || die "must run as root: it creates network namespaces (ip netns), veth pairs and a bridge"
command -v ip >/dev/null || die "'ip' (iproute2) is not installed"
command -v dotnet >/dev/null || die "the .NET 10 SDK ('dotnet') is not on PATH"
command -v curl >/dev/null || die "curl is not installed"
PG_BIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
[[ -n "$PG_BIN" && -x "$PG_BIN/initdb" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
getent passwd postgres >/dev/null || die "the 'postgres' user is missing (Debian's postgresql package creates it)"

RUN="tfc$$"
BRIDGE="${RUN}b"
SUBNET=""
for ((x = 20 + $$ % 200, tries = 0; tries < 235; tries++, x = (x - 19) % 235 + 20)); do
  if ! ip -4 -o addr show | grep -q " 10\.231\.$x\." && ! ip -4 route show | grep -q "^10\.231\.$x\."; then SUBNET="10.231.$x"; break; fi
done
[[ -n "$SUBNET" ]] || die "no free 10.231.X.0/24 on this machine"
PG_HOST="$SUBNET.1"

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tfchaos.XXXXXX") || die "cannot make a folder under ${TMPDIR:-/tmp}"
LOGS="$RUN_DIR/logs"
EVENTS="$RUN_DIR/events.tsv"
mkdir -p "$LOGS"
: >"$EVENTS"
PG_DIR="" PG_OUTSIDE="" PG_STARTED=0 NET_MADE=0
API_PID="" LOAD_PID=""
declare -a NS VETH_HOST VETH_NS SILO_IP PID GEN
for ((i = 1; i <= SILOS; i++)); do
  NS[i]="$RUN-s$i" VETH_HOST[i]="${RUN}h$i" VETH_NS[i]="${RUN}n$i" SILO_IP[i]="$SUBNET.$((10 + i))" PID[i]="" GEN[i]=0
done

event() { printf '%s\t%s\t%s\t%s\n' "$(now_ms)" "$1" "${2:-0}" "${3:-}" >>"$EVENTS"; }
alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# == cleanup: exactly what this run started ---------------------------------------------------------------------------
stop_pid() { # pid signal-first
  local pid=$1
  alive "$pid" || return 0
  kill "-$2" "$pid" 2>/dev/null || true
  [[ "$2" == KILL ]] || for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.2; done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  {
    stop_pid "$LOAD_PID" TERM
    stop_pid "$API_PID" TERM
    for ((i = 1; i <= SILOS; i++)); do stop_pid "${PID[i]}" KILL; done
  } 2>/dev/null  # not bash's "Killed" notices: these processes are meant to die here
  # Only this run's processes can be inside its namespaces; anything still there (none expected) goes by pid.
  for ((i = 1; i <= SILOS; i++)); do
    if ip netns list 2>/dev/null | grep -qw "${NS[i]}"; then
      for pid in $(ip netns pids "${NS[i]}" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    fi
  done
  if ((PG_STARTED)); then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1
  fi
  if ((NET_MADE)); then
    for ((i = 1; i <= SILOS; i++)); do
      ip netns del "${NS[i]}" 2>/dev/null
      ip link del "${VETH_HOST[i]}" 2>/dev/null
    done
    ip link del "$BRIDGE" 2>/dev/null
  fi
  [[ -n "$PG_OUTSIDE" ]] && rm -rf "$PG_OUTSIDE"
  rm -rf "$RUN_DIR/pg"
  if ((status == 0 && !KEEP_LOGS)); then rm -rf "$RUN_DIR"
  else echo "chaos: logs kept in $LOGS" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# == build -----------------------------------------------------------------------------------------------------------
CHAOS_DIR="$ROOT/tests/TaskFlow.Chaos/bin/Release/net10.0"
CHAOS_DLL="$CHAOS_DIR/TaskFlow.Chaos.dll"
SILO_DLL="$ROOT/src/Silo/bin/Release/net10.0/TaskFlow.Silo.dll"
if ((BUILD)); then
  say "building TaskFlow.sln (Release)"
  # No build servers: they would outlive the run.
  (cd "$ROOT" && dotnet build TaskFlow.sln -c Release -nologo -clp:ErrorsOnly --disable-build-servers) >"$LOGS/build.log" 2>&1 ||
    { tail -n 30 "$LOGS/build.log" >&2; die "the build failed"; }
fi
[[ -f "$CHAOS_DLL" && -f "$SILO_DLL" ]] || die "$CHAOS_DLL or $SILO_DLL is missing (build first, or drop --no-build)"

BEGAN=$(now_ms)
# No diagnostics pipes: a killed host would leave its pipes behind in $TMPDIR.
export DOTNET_EnableDiagnostics=0

# == network: a bridge in the root namespace, one namespace per silo ---------------------------------------------------
say "network $SUBNET.0/24: bridge $BRIDGE, namespaces ${NS[*]}"
ip netns add "${NS[1]}" 2>"$LOGS/netns.err" || die "ip netns add failed: $(cat "$LOGS/netns.err")"
NET_MADE=1
ip link add "$BRIDGE" type bridge
ip addr add "$PG_HOST/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
for ((i = 1; i <= SILOS; i++)); do
  ((i == 1)) || ip netns add "${NS[i]}"
  ip link add "${VETH_HOST[i]}" type veth peer name "${VETH_NS[i]}"
  ip link set "${VETH_NS[i]}" netns "${NS[i]}"
  ip link set "${VETH_HOST[i]}" master "$BRIDGE" up
  ip -n "${NS[i]}" addr add "${SILO_IP[i]}/24" dev "${VETH_NS[i]}"
  ip -n "${NS[i]}" link set "${VETH_NS[i]}" up
  ip -n "${NS[i]}" link set lo up
done

# == PostgreSQL on the bridge address -------------------------------------------------------------------------------------
PG_DIR="$RUN_DIR/pg"
mkdir -p "$PG_DIR"
chown postgres: "$PG_DIR"
if ! runuser -u postgres -- test -w "$PG_DIR"; then
  # The run's folder is out of the postgres user's reach (e.g. under /root): its data goes to a folder of its own.
  PG_OUTSIDE=$(mktemp -d /tmp/tfchaos-pg.XXXXXX)
  chmod 755 "$PG_OUTSIDE"
  chown postgres: "$PG_OUTSIDE"
  PG_DIR="$PG_OUTSIDE"
fi
PG_PORT=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! ss -Hltn "sport = :$candidate" | grep -q .; then PG_PORT=$candidate; break; fi
done
[[ -n "$PG_PORT" ]] || die "no free port for PostgreSQL"
runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync \
  >"$LOGS/initdb.log" 2>&1 || { tail -n 20 "$LOGS/initdb.log" >&2; die "initdb failed"; }
# Trust on the run's own subnet only: the silos connect from their namespaces' addresses.
echo "host all all $SUBNET.0/24 trust" >>"$PG_DIR/data/pg_hba.conf"
PG_STARTED=1
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 -o \
  "-p $PG_PORT -c listen_addresses=$PG_HOST -c unix_socket_directories='' -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cp "$PG_DIR/postgres.log" "$LOGS/" 2>/dev/null; die "PostgreSQL did not start"; }
psql_db() { "$PG_BIN/psql" -h "$PG_HOST" -p "$PG_PORT" -U postgres -d "${PSQL_DB:-taskflow}" -XAtq -F $'\t' "$@"; }
PSQL_DB=postgres psql_db -c "CREATE DATABASE taskflow" >/dev/null
CONNECTION_STRING="Host=$PG_HOST;Port=$PG_PORT;Username=postgres;Database=taskflow"
say "PostgreSQL $(basename "$(dirname "$PG_BIN")") on $PG_HOST:$PG_PORT"

HOST_ENV=(DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
  TaskFlow__Storage__Provider=Postgres "TaskFlow__Storage__ConnectionString=$CONNECTION_STRING"
  TaskFlow__MaxConcurrency=50
  Logging__Console__FormatterName=simple Logging__Console__FormatterOptions__SingleLine=true
  Logging__Console__FormatterOptions__UseUtcTimestamp=true "Logging__Console__FormatterOptions__TimestampFormat=HH:mm:ss.fff "
  Logging__LogLevel__Default=Information Logging__LogLevel__Microsoft=Warning Logging__LogLevel__Orleans=Warning
  Logging__LogLevel__Polly=Warning
  # The report learns which silo fired each schedule occurrence from this line (Debug since the runtime logs no line
  # per task at its shipped levels).
  Logging__LogLevel__TaskFlow.Scheduling.ScheduleGrain=Debug)

(cd "$ROOT/src/Silo/bin/Release/net10.0" && exec env "${HOST_ENV[@]}" dotnet "$SILO_DLL" --migrate-only) >"$LOGS/migrate.log" 2>&1 </dev/null ||
  { tail -n 20 "$LOGS/migrate.log" >&2; die "the schema could not be applied"; }
psql_db -c "CREATE SCHEMA chaos; CREATE TABLE chaos.runs (id bigserial PRIMARY KEY, task_id uuid NOT NULL, attempt int NOT NULL,
  name text NOT NULL, batch text, schedule text, occurrence text, host text NOT NULL, started_at timestamptz NOT NULL, ended_at timestamptz)" >/dev/null

# == silos and the API node ------------------------------------------------------------------------------------------------
# Membership of silo i's newest row: "generation<TAB>status".
membership_of() { psql_db -c "SELECT generation, status FROM orleansmembershiptable WHERE address = '${SILO_IP[$1]}' ORDER BY generation DESC LIMIT 1" 2>/dev/null || true; }
status_of_generation() { psql_db -c "SELECT status FROM orleansmembershiptable WHERE address = '${SILO_IP[$1]}' AND generation = $2" 2>/dev/null || true; }

start_silo() { # index
  local i=$1
  GEN[i]=$((GEN[i] + 1))
  # TaskFlow__Cluster__AdvertisedAddress is not set: the silo must find its namespace's address itself.
  (cd "$CHAOS_DIR" && exec ip netns exec "${NS[i]}" env "${HOST_ENV[@]}" \
    TaskFlow__Cluster__SiloPort=$SILO_PORT TaskFlow__Cluster__GatewayPort=$GATEWAY_PORT \
    dotnet "$CHAOS_DLL" silo) >"$LOGS/silo$i-${GEN[i]}.log" 2>&1 </dev/null &
  PID[i]=$!
}

# Waits until silo i's newest generation (newer than <old>, if given) is Active (3).
wait_active() { # index [old-generation]
  local i=$1 old=${2:-0} deadline=$((SECONDS + START_TIMEOUT)) row
  while true; do
    row=$(membership_of "$i")
    if [[ -n "$row" && "${row%%$'\t'*}" != "$old" && "${row##*$'\t'}" == 3 ]]; then return 0; fi
    alive "${PID[i]}" || { tail -n 30 "$LOGS/silo$i-${GEN[i]}.log" >&2; die "silo $i exited before it was Active"; }
    ((SECONDS < deadline)) || { tail -n 30 "$LOGS/silo$i-${GEN[i]}.log" >&2; die "silo $i was not Active after $START_TIMEOUT s"; }
    sleep 0.3
  done
}

generation_of() { local row; row=$(membership_of "$1"); echo "${row%%$'\t'*}"; }

say "starting $SILOS silos"
for ((i = 1; i <= SILOS; i++)); do start_silo "$i"; done
for ((i = 1; i <= SILOS; i++)); do wait_active "$i"; done

API_PORT=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! ss -Hltn "sport = :$candidate" | grep -q .; then API_PORT=$candidate; break; fi
done
[[ -n "$API_PORT" ]] || die "no free port for the API node"
API="http://127.0.0.1:$API_PORT"
(cd "$CHAOS_DIR" && exec env "${HOST_ENV[@]}" TaskFlow__Cluster__Mode=Client ASPNETCORE_URLS="$API" dotnet "$CHAOS_DLL" api) \
  >"$LOGS/api.log" 2>&1 </dev/null &
API_PID=$!
deadline=$((SECONDS + START_TIMEOUT))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$API/health/ready" 2>/dev/null)" == 200 ]]; do
  alive "$API_PID" || { tail -n 30 "$LOGS/api.log" >&2; die "the API node exited before it was ready"; }
  ((SECONDS < deadline)) || { tail -n 30 "$LOGS/api.log" >&2; die "the API node was not ready after $START_TIMEOUT s"; }
  sleep 0.5
done
say "cluster up in $(secs_since "$BEGAN") s: silos ${SILO_IP[*]} (port $SILO_PORT), API $API"

# == load ----------------------------------------------------------------------------------------------------------------
say "load: $LOAD_COUNT chaos_probe tasks over $LOAD_SECONDS s through POST /tasks; $((10)) schedules every second"
(cd "$CHAOS_DIR" && exec dotnet "$CHAOS_DLL" drive load --api "$API" --count "$LOAD_COUNT" --seconds "$LOAD_SECONDS" \
  --out "$RUN_DIR/load.tsv") >"$LOGS/load.log" 2>&1 </dev/null &
LOAD_PID=$!
# The faults begin once the load is under way: the first 20 tasks have run (or 30 s passed).
deadline=$((SECONDS + 30))
until (( $(psql_db -c "SELECT count(DISTINCT task_id) FROM chaos.runs WHERE schedule IS NULL" 2>/dev/null || echo 0) >= 20 )); do
  alive "$LOAD_PID" || die "the load exited before it was under way"
  ((SECONDS < deadline)) || break
  sleep 0.2
done

# == faults ----------------------------------------------------------------------------------------------------------------
# Polls until silo i's generation <gen> is Dead (6); prints the seconds since <t0>, or "not_declared" after <limit> s.
wait_dead() { # index generation t0 limit
  local deadline=$((SECONDS + $4))
  while ((SECONDS < deadline)); do
    [[ "$(status_of_generation "$1" "$2")" == 6 ]] && { secs_since "$3"; return 0; }
    sleep 0.2
  done
  echo "not_declared"
}

kill_and_restart() { # round
  local i=$((RANDOM % SILOS + 1)) gen t0 declared
  gen=$(generation_of "$i")
  say "fault $1: kill -9 silo $i (${SILO_IP[i]}, pid ${PID[i]})"
  t0=$(now_ms)
  event kill "$i" "$gen"
  kill -KILL "${PID[i]}"
  wait "${PID[i]}" 2>/dev/null || true
  declared=$(wait_dead "$i" "$gen" "$t0" "$DEAD_TIMEOUT")
  event dead "$i" "$declared"
  say "  declared dead after: $declared s; restarting it"
  start_silo "$i"
  wait_active "$i" "$gen"
  event active "$i"
  say "  silo $i Active again $(secs_since "$t0") s after the kill"
}

partition() {
  local i=$((RANDOM % SILOS + 1)) gen t0 declared="" deadline row
  gen=$(generation_of "$i")
  say "fault 3: cut silo $i (${SILO_IP[i]}) off the network for $PARTITION_SECONDS s (${VETH_HOST[i]} down)"
  t0=$(now_ms)
  event partition_start "$i" "$gen"
  ip link set "${VETH_HOST[i]}" down
  deadline=$((SECONDS + PARTITION_SECONDS))
  while ((SECONDS < deadline)); do
    if [[ -z "$declared" && "$(status_of_generation "$i" "$gen")" == 6 ]]; then declared=$(secs_since "$t0"); fi
    sleep 0.5
  done
  ip link set "${VETH_HOST[i]}" up
  event partition_end "$i"
  event partition_dead "$i" "${declared:-not_declared}"
  say "  healed after $(secs_since "$t0") s; declared dead during the cut: ${declared:-no}"
  # Healed: a silo declared dead stops itself (then it is restarted); one that was not stays Active.
  deadline=$((SECONDS + 45))
  while ((SECONDS < deadline)); do
    if ! alive "${PID[i]}"; then
      wait "${PID[i]}" 2>/dev/null || true
      event self_stopped "$i" "$(secs_since "$t0")"
      say "  silo $i stopped itself $(secs_since "$t0") s after the cut began; restarting it"
      start_silo "$i"
      wait_active "$i" "$gen"
      break
    fi
    row=$(status_of_generation "$i" "$gen")
    if [[ "$row" == 3 && -z "$declared" ]]; then break; fi
    sleep 0.5
  done
  if alive "${PID[i]}" && [[ "$(generation_of "$i")" == "$gen" && "$(status_of_generation "$i" "$gen")" != 3 ]]; then
    say "  silo $i is dead in the membership table but still running 45 s after the heal: kill -9 and restart"
    event dead_but_running "$i"
    kill -KILL "${PID[i]}"
    wait "${PID[i]}" 2>/dev/null || true
    start_silo "$i"
    wait_active "$i" "$gen"
  fi
  event active "$i"
  say "  silo $i Active $(secs_since "$t0") s after the cut began"
}

enqueue_rolling_batch() { # round
  local n answer code id
  for ((n = 0; n < ROLLING_BATCH; n++)); do
    answer=$(curl -s --max-time 60 -w '\n%{http_code}' -X POST "$API/tasks" -H 'content-type: application/json' \
      -d "{\"name\":\"chaos_probe\",\"args\":{\"sleepMs\":$ROLLING_SLEEP_MS,\"batch\":\"rolling-$1\"}}" 2>/dev/null || echo $'\n000')
    code=${answer##*$'\n'}
    id=$(sed -n 's/.*"taskId":"\([0-9a-f-]\{36\}\)".*/\1/p' <<<"${answer%$'\n'*}" | head -n 1)
    if [[ "$code" == 2* && -n "$id" ]]; then echo "$id" >>"$RUN_DIR/rolling.ids"
    else echo "$code" >>"$RUN_DIR/rolling.refused"
    fi
  done
}

rolling_restart() {
  local i gen t0 deadline
  say "fault 4: rolling restart (SIGTERM each silo with $ROLLING_BATCH tasks of $((ROLLING_SLEEP_MS / 1000)) s enqueued; grace $SHUTDOWN_GRACE_S s)"
  local batches running
  for ((i = 1; i <= SILOS; i++)); do
    # Placement is Orleans' choice: enqueue batches (at most three) until some of them run on the silo to be stopped.
    for ((batches = 1; batches <= 3; batches++)); do
      enqueue_rolling_batch "$i"
      for _ in $(seq 1 10); do
        sleep 0.5
        running=$(psql_db -c "SELECT count(*) FROM chaos.runs WHERE batch = 'rolling-$i' AND ended_at IS NULL AND host LIKE '${SILO_IP[i]}:%'" 2>/dev/null || echo 0)
        ((running > 0)) && break 2
      done
    done
    say "  silo $i: SIGTERM with ${running:-0} batch task(s) running on it ($((batches > 3 ? 3 : batches)) batch(es) enqueued)"
    gen=$(generation_of "$i")
    t0=$(now_ms)
    event term "$i" "$gen"
    kill -TERM "${PID[i]}"
    deadline=$((SECONDS + SHUTDOWN_GRACE_S + 20))
    while alive "${PID[i]}" && ((SECONDS < deadline)); do sleep 0.2; done
    if alive "${PID[i]}"; then
      say "  silo $i still running $((SHUTDOWN_GRACE_S + 20)) s after SIGTERM: kill -9"
      event term_timeout "$i"
      kill -KILL "${PID[i]}"
    fi
    wait "${PID[i]}" 2>/dev/null || true
    event exited "$i" "$(secs_since "$t0")"
    start_silo "$i"
    wait_active "$i" "$gen"
    event active "$i"
    say "  silo $i: exited $(awk -F'\t' -v s="$i" '$2 == "exited" && $3 == s {v = $4} END {print v}' "$EVENTS") s after SIGTERM, Active again after $(secs_since "$t0") s"
  done
}

# The load runs about as long as the faults; SETTLE_SECONDS between them spreads the faults over the load.
kill_and_restart 1
sleep "$SETTLE_SECONDS"
kill_and_restart 2
sleep "$SETTLE_SECONDS"
partition
sleep "$SETTLE_SECONDS"
rolling_restart
event faults_end
say "faults done $(secs_since "$BEGAN") s into the run"
if alive "$LOAD_PID"; then say "waiting for the load to finish"; fi
wait "$LOAD_PID" || die "the load driver failed: $(tail -n 5 "$LOGS/load.log")"
LOAD_PID=""
say "$(tail -n 1 "$LOGS/load.log")"

# == the figures ------------------------------------------------------------------------------------------------------------
set +e
(cd "$CHAOS_DIR" && exec dotnet "$CHAOS_DLL" drive report --dir "$RUN_DIR" --api "$API" --cs "$CONNECTION_STRING" \
  --terminal-timeout "$TERMINAL_TIMEOUT") </dev/null
verdict=$?
set -e
say "run took $(secs_since "$BEGAN") s (after the build)"
((verdict == 0 || verdict == 1)) || die "the report failed (exit $verdict)"
exit "$verdict"
