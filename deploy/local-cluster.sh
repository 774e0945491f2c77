#!/usr/bin/env bash
# A real multi-process TaskFlow cluster on this machine: one PostgreSQL, N standalone silos and M Client-mode API
# nodes, each its own process with its own ports, finding each other through PostgreSQL's membership table exactly
# as they would across machines.
#
#   deploy/local-cluster.sh up [--silos N] [--apis M] [--timeout S] [--no-build]
#   deploy/local-cluster.sh status
#   deploy/local-cluster.sh down
#
# Everything lives in one state folder (default deploy/.local-cluster, or $TASKFLOW_LOCAL_CLUSTER_DIR): the
# PostgreSQL data, every process's log, and the list of the processes `up` started (pid, start time, ports).
# `down` stops exactly those processes and removes the folder. Linux only (it reads /proc); installs Debian's
# `postgresql` package when no PostgreSQL server binaries are found.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT="deploy/local-cluster.sh"
STATE="${TASKFLOW_LOCAL_CLUSTER_DIR:-$ROOT/deploy/.local-cluster}"
[[ "$STATE" == /* ]] || STATE="$PWD/$STATE"
LOGS="$STATE/logs"
PROCESSES="$STATE/processes"   # one tab-separated line per process: role name pid start-time ports log
SETTINGS="$STATE/cluster.env"  # PostgreSQL's binaries, data folder, port and the connection string (sourced)

BUILD_DIR=bin/Release/net10.0
SILO_DIR="$ROOT/src/Silo/$BUILD_DIR"
API_DIR="$ROOT/src/Api/$BUILD_DIR"
SILO_DLL="$SILO_DIR/TaskFlow.Silo.dll"
API_DLL="$API_DIR/TaskFlow.Api.dll"

DATABASE=taskflow
DB_USER=postgres
API_STOP_SECONDS=15
# A silo lets running attempts finish for TaskFlow:ShutdownGrace (30 s by default) before it interrupts them, then
# leaves the membership table; give it that and a margin before SIGKILL.
SILO_STOP_SECONDS=45
SILO_ACTIVE=3   # Orleans SiloStatus.Active in the membership table

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export PGCONNECT_TIMEOUT=3

usage() {
  cat <<EOF
Usage: $SCRIPT <command> [options]

Commands:
  up [--silos N] [--apis M] [--timeout S] [--no-build]
          start PostgreSQL, N standalone silos (default 3) and M Client-mode API nodes (default 1), wait until
          every one is ready (at most S seconds per stage, default 180) and print the URLs
  status  each process (role, pid, ports, alive), the membership table, API health; exits 3 if one is down
  down    stop exactly what \`up\` started (SIGTERM, up to ${SILO_STOP_SECONDS} s for silos to drain, then SIGKILL),
          stop PostgreSQL and remove the state folder

State folder: $STATE
  (set TASKFLOW_LOCAL_CLUSTER_DIR to run another cluster beside it). Other TaskFlow__* variables in your
  environment reach every process, e.g. TaskFlow__Demo__HeartbeatSeconds=1.
EOF
}

die() { echo "local-cluster: $*" >&2; exit 1; }
bad_usage() { echo "local-cluster: $*" >&2; echo >&2; usage >&2; exit 2; }
step() { echo "==> $*"; }

# ---------------------------------------------------------------------------------------------------------------
# Processes. A pid alone may be reused by an unrelated process once ours has ended, so every recorded pid carries
# the process's start time (field 22 of /proc/<pid>/stat) and is only ever signalled while both still match.

# Prints the start time of a live process; fails for no process or a zombie (ended, waiting to be reaped).
start_time_of() {
  local stat fields
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # The command name (field 2) may hold spaces and parentheses; the fields after its closing ')' are plain.
  read -r -a fields <<<"${stat##*) }"
  [[ "${fields[0]}" != Z ]] || return 1
  echo "${fields[19]}"
}

# True while the process started as <pid> at <start time> is running.
is_alive() {
  local now
  now=$(start_time_of "$1") || return 1
  [[ "$now" == "$2" ]]
}

record_process() { # role name pid ports log
  local start
  start=$(start_time_of "$3") || start=0
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$start" "$4" "$5" >>"$PROCESSES"
}

# Lines of the process list for one role (or all), without failing when there are none.
processes_of() {
  [[ -f "$PROCESSES" ]] || return 0
  if [[ $# -eq 0 ]]; then cat "$PROCESSES"; else awk -F'\t' -v role="$1" '$1 == role' "$PROCESSES"; fi
}

port_of() { # "silo=1,gateway=2" key
  local pair
  for pair in ${1//,/ }; do [[ "${pair%%=*}" == "$2" ]] && { echo "${pair#*=}"; return 0; }; done
  return 1
}

any_recorded_alive() {
  local role name pid start ports log
  while IFS=$'\t' read -r role name pid start ports log; do
    is_alive "$pid" "$start" && return 0
  done < <(processes_of)
  # A PostgreSQL that started but was not recorded yet (up interrupted at that moment) still owns the folder.
  postmaster_alive
}

postmaster_alive() {
  [[ -f "$SETTINGS" ]] || return 1
  local PG_DATA="" pid
  # shellcheck source=/dev/null
  source "$SETTINGS"
  [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]] || return 1
  pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && start_time_of "$pid" >/dev/null
}

# Starts a process in a session of its own (Ctrl-C in this terminal or closing it never reaches the cluster; `down`
# stops it). `exec` keeps one pid from the subshell to setsid, env and dotnet, so $! is the process itself.
launch() { # log workdir command...
  local log=$1 workdir=$2
  shift 2
  (cd "$workdir" && exec setsid "$@") >"$log" 2>&1 </dev/null &
  LAUNCHED=$!
  # Not this shell's job any more: no "Aborted"/"Killed" notices when one ends (its log says why).
  disown "$LAUNCHED"
}

tail_log() { # name log
  echo "---- last 40 lines of $2 ($1) ----" >&2
  tail -n 40 "$2" >&2 2>/dev/null || echo "(no log)" >&2
  echo "----" >&2
}

# ---------------------------------------------------------------------------------------------------------------
# Ports: random ones below the kernel's ephemeral range (so an outgoing connection never holds them), that nothing
# listens on, and each handed out once.

declare -A GIVEN_PORTS=()
free_port() { # sets FREE_PORT (not printed: a $(...) subshell would forget the ports handed out)
  local low high first last port tries listening
  read -r low high </proc/sys/net/ipv4/ip_local_port_range
  if ((low > 12000)); then first=10000 last=$((low - 1)); else first=$((high + 1)) last=65000; fi
  listening=$(ss -Htln 2>/dev/null | awk '{print $4}' | sed 's/.*://' || true)
  for ((tries = 0; tries < 500; tries++)); do
    port=$((first + (RANDOM * 32768 + RANDOM) % (last - first + 1)))
    [[ -z "${GIVEN_PORTS[$port]:-}" ]] || continue
    grep -qx "$port" <<<"$listening" && continue
    # Without `ss`, a port that accepts a connection is taken.
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    GIVEN_PORTS[$port]=1
    FREE_PORT=$port
    return 0
  done
  die "no free TCP port found between $first and $last"
}

# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL

find_pg_bin() {
  local bin best="" best_version=0 version
  for bin in /usr/lib/postgresql/*/bin; do
    [[ -x "$bin/initdb" && -x "$bin/pg_ctl" && -x "$bin/psql" ]] || continue
    version=$(basename "$(dirname "$bin")")
    [[ "$version" =~ ^[0-9]+$ ]] && ((version > best_version)) && { best=$bin; best_version=$version; }
  done
  [[ -n "$best" ]] && echo "$best"
}

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "run as root, or install it yourself: apt-get install -y $PACKAGES"
  fi
}

install_prerequisites() {
  PACKAGES=""
  find_pg_bin >/dev/null || PACKAGES="postgresql"
  command -v curl >/dev/null || PACKAGES="$PACKAGES curl"
  [[ -n "${PACKAGES// /}" ]] || return 0
  command -v apt-get >/dev/null || die "missing:$PACKAGES (PostgreSQL's server binaries are looked for in /usr/lib/postgresql/*/bin); install them and run again"
  step "installing$PACKAGES (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
  # The package may start its default cluster on port 5432; this script runs its own server, so stop that one.
  local bin
  if bin=$(find_pg_bin); then
    as_root pg_ctlcluster --force "$(basename "$(dirname "$bin")")" main stop >/dev/null 2>&1 || true
  fi
}

# PostgreSQL refuses to run as root; as root its tools run as the postgres user.
pg_tool() { # tool args...
  local tool="$PG_BIN/$1"
  shift
  # From /, which every user may enter (the postgres user may not enter the caller's folder).
  if [[ -n "$PG_RUN_AS" ]]; then (cd / && runuser -u "$PG_RUN_AS" -- "$tool" "$@"); else "$tool" "$@"; fi
}

psql_query() { # sql → tab-separated rows
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DATABASE" -X -q -At -F $'\t' -v ON_ERROR_STOP=1 -c "$1"
}

start_postgres() {
  PG_BIN=$(find_pg_bin) || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
  PG_RUN_AS=""
  PG_DATA="$STATE/postgres/data"
  PG_LOG="$LOGS/postgres.log"
  mkdir -p "$STATE/postgres"
  : >"$PG_LOG"
  if [[ "$(id -u)" -eq 0 ]]; then
    PG_RUN_AS=postgres
    getent passwd "$PG_RUN_AS" >/dev/null || die "running as root needs the 'postgres' user (Debian's postgresql package creates it)"
    chown "$PG_RUN_AS:" "$STATE/postgres" "$PG_LOG"
    # The postgres user must reach the folder (a state folder under /root cannot be); then the data goes to /tmp.
    if ! runuser -u "$PG_RUN_AS" -- test -w "$STATE/postgres" -a -w "$PG_LOG"; then
      local outside
      outside=$(mktemp -d /tmp/taskflow-local-cluster-pg.XXXXXX)
      chmod 755 "$outside"
      chown "$PG_RUN_AS:" "$outside"
      runuser -u "$PG_RUN_AS" -- test -w "$outside" || die "the postgres user cannot write to $STATE nor $outside"
      echo "    (the postgres user cannot reach $STATE; PostgreSQL's data and log go to $outside)"
      PG_DATA="$outside/data"
      PG_LOG="$outside/postgres.log"
    fi
  fi
  free_port
  PG_PORT=$FREE_PORT
  CONNECTION_STRING="Host=127.0.0.1;Port=$PG_PORT;Username=$DB_USER;Database=$DATABASE"
  {
    printf 'PG_BIN=%q\nPG_RUN_AS=%q\nPG_DATA=%q\nPG_LOG=%q\nPG_PORT=%q\n' "$PG_BIN" "$PG_RUN_AS" "$PG_DATA" "$PG_LOG" "$PG_PORT"
    printf 'CONNECTION_STRING=%q\nSTARTED_AT=%q\n' "$CONNECTION_STRING" "$(date '+%Y-%m-%d %H:%M:%S')"
  } >"$SETTINGS"

  step "PostgreSQL $(basename "$(dirname "$PG_BIN")") on 127.0.0.1:$PG_PORT"
  pg_tool initdb -D "$PG_DATA" -U "$DB_USER" --auth=trust -E UTF8 --locale=C --no-sync >"$LOGS/initdb.log" 2>&1 ||
    { tail_log initdb "$LOGS/initdb.log"; die "initdb failed"; }
  # Loopback only, trust authentication: a server for trying TaskFlow on this machine, not for anything else. No
  # Unix socket, so nothing is shared with another server on the machine.
  pg_tool pg_ctl -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200" start >/dev/null ||
    { tail_log postgres "$PG_LOG"; die "PostgreSQL did not start"; }
  record_process postgres postgres "$(head -n 1 "$PG_DATA/postmaster.pid")" "postgres=$PG_PORT" "$PG_LOG"
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d postgres -X -q -c "CREATE DATABASE $DATABASE" >/dev/null
}

# ---------------------------------------------------------------------------------------------------------------
# Build

# True when a host's build output is missing or older than a file under src/ or the build settings. The stamp marks
# this script's last build: a project whose output was up to date keeps its older dll, which alone would look stale.
needs_build() {
  local stamp="$ROOT/src/Silo/bin/Release/.local-cluster-build" reference dll
  [[ -f "$SILO_DLL" && -f "$API_DLL" ]] || return 0
  for dll in "$SILO_DLL" "$API_DLL"; do
    reference=$dll
    [[ -f "$stamp" && "$stamp" -nt "$dll" ]] && reference=$stamp
    [[ -n "$(find "$ROOT/src" "$ROOT"/Directory.*.props "$ROOT/global.json" \
      \( -name bin -o -name obj \) -prune -o -type f -newer "$reference" -print -quit 2>/dev/null)" ]] && return 0
  done
  return 1
}

build_hosts() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is needed (https://dotnet.microsoft.com/download), 'dotnet' is not on PATH"
  if [[ "$1" == skip ]]; then
    [[ -f "$SILO_DLL" && -f "$API_DLL" ]] || die "--no-build, but $SILO_DLL or $API_DLL is missing"
    return 0
  fi
  needs_build || { step "build: src/Silo and src/Api are up to date"; return 0; }
  step "building src/Silo and src/Api (Release; the log: $LOGS/build.log)"
  local project began=$SECONDS
  for project in Silo Api; do
    # No build servers: they would stay running after this script, beside the cluster `down` cleans up.
    dotnet build "$ROOT/src/$project/TaskFlow.$project.csproj" -c Release -nologo -clp:ErrorsOnly --disable-build-servers \
      >>"$LOGS/build.log" 2>&1 ||
      { tail_log build "$LOGS/build.log"; die "the build of src/$project failed"; }
  done
  touch "$ROOT/src/Silo/bin/Release/.local-cluster-build"
  echo "    built in $((SECONDS - began)) s"
}

# ---------------------------------------------------------------------------------------------------------------
# Hosts

# Settings every host gets: the PostgreSQL store (tasks, grain state, Orleans membership and reminders). Hosts run
# in their build folder, where their appsettings.json is.
HOST_ENV=()
set_host_env() {
  HOST_ENV=(DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
    TaskFlow__Storage__Provider=Postgres "TaskFlow__Storage__ConnectionString=$CONNECTION_STRING")
}

migrate() {
  step "applying the schema (TaskFlow.Silo.dll --migrate-only)"
  (cd "$SILO_DIR" && exec env "${HOST_ENV[@]}" dotnet "$SILO_DLL" --migrate-only) >"$LOGS/migrate.log" 2>&1 </dev/null ||
    { tail_log migrate "$LOGS/migrate.log"; die "the schema could not be applied"; }
}

start_silo() { # index
  local name="silo-$1" silo gateway health
  free_port; silo=$FREE_PORT
  free_port; gateway=$FREE_PORT
  free_port; health=$FREE_PORT
  # AdvertisedAddress keeps a one-machine cluster on the loopback (on PostgreSQL a silo otherwise advertises the
  # host's first non-loopback address). HealthPort serves /health/ready where the silo supports it.
  launch "$LOGS/$name.log" "$SILO_DIR" env "${HOST_ENV[@]}" \
    TaskFlow__Cluster__SiloPort="$silo" TaskFlow__Cluster__GatewayPort="$gateway" TaskFlow__Cluster__HealthPort="$health" \
    TaskFlow__Cluster__AdvertisedAddress=127.0.0.1 \
    dotnet "$SILO_DLL"
  record_process silo "$name" "$LAUNCHED" "silo=$silo,gateway=$gateway,health=$health" "$LOGS/$name.log"
}

start_api() { # index
  local name="api-$1" http
  free_port; http=$FREE_PORT
  launch "$LOGS/$name.log" "$API_DIR" env "${HOST_ENV[@]}" \
    TaskFlow__Cluster__Mode=Client ASPNETCORE_URLS="http://127.0.0.1:$http" \
    dotnet "$API_DLL"
  record_process api "$name" "$LAUNCHED" "http=$http" "$LOGS/$name.log"
}

http_code() { # url → the status code, 000 when nothing answered
  curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true
}

# Latest membership status of every silo port: "port<TAB>status" lines.
membership_statuses() {
  psql_query "SELECT DISTINCT ON (port) port, status FROM orleansmembershiptable ORDER BY port, generation DESC" 2>/dev/null || true
}

# How a silo is doing: "ready (/health/ready 200)", "ready (membership: Active)", or why not yet. A silo's own
# /health/ready is preferred when it answers; silos without that endpoint are judged by the membership table.
silo_readiness() { # ports statuses
  local health silo code status
  health=$(port_of "$1" health) silo=$(port_of "$1" silo)
  code=$(http_code "http://127.0.0.1:$health/health/ready")
  case "$code" in
    200) echo "ready (/health/ready 200)"; return ;;
    5??) echo "starting (/health/ready $code)"; return ;;
  esac
  status=$(awk -F'\t' -v p="$silo" '$1 == p {print $2}' <<<"$2")
  if [[ "$status" == "$SILO_ACTIVE" ]]; then echo "ready (membership: Active)"
  else echo "starting (membership: $(status_name "${status:-none}"))"
  fi
}

status_name() {
  case "$1" in
    0) echo None ;; 1) echo Created ;; 2) echo Joining ;; 3) echo Active ;;
    4) echo ShuttingDown ;; 5) echo Stopping ;; 6) echo Dead ;; none) echo "not joined" ;; *) echo "$1" ;;
  esac
}

# Waits until every process of a role is ready; on a timeout or an exit, shows that process's log and fails.
wait_ready() { # role timeout
  local role=$1 deadline=$((SECONDS + $2)) statuses name pid start ports log state all_ready
  while true; do
    all_ready=1
    statuses=""
    [[ "$role" == silo ]] && statuses=$(membership_statuses)
    while IFS=$'\t' read -r _ name pid start ports log; do
      if ! is_alive "$pid" "$start"; then
        tail_log "$name" "$log"
        die "$name (pid $pid) exited before it was ready; its log is above"
      fi
      if [[ "$role" == silo ]]; then state=$(silo_readiness "$ports" "$statuses")
      else
        local code
        code=$(http_code "http://127.0.0.1:$(port_of "$ports" http)/health/ready")
        if [[ "$code" == 200 ]]; then state="ready"; else state="starting (/health/ready $code)"; fi
      fi
      [[ "$state" == ready* ]] && continue
      all_ready=0
      if ((SECONDS >= deadline)); then
        tail_log "$name" "$log"
        die "$name (pid $pid) was not ready after $2 s: $state; its log is above"
      fi
    done < <(processes_of "$role")
    ((all_ready)) && return 0
    sleep 1
  done
}

# ---------------------------------------------------------------------------------------------------------------
# Stopping

# Sends SIGTERM to the live processes of a role, waits up to <seconds> for them to end, then SIGKILLs the rest.
stop_role() { # role seconds
  local role=$1 deadline=$((SECONDS + $2)) name pid start ports log left
  while IFS=$'\t' read -r _ name pid start ports log; do
    if is_alive "$pid" "$start"; then kill -TERM "$pid" 2>/dev/null || true; fi
  done < <(processes_of "$role")
  while true; do
    left=0
    while IFS=$'\t' read -r _ name pid start ports log; do
      is_alive "$pid" "$start" && left=$((left + 1))
    done < <(processes_of "$role")
    ((left == 0)) && return 0
    ((SECONDS >= deadline)) && break
    sleep 0.5
  done
  while IFS=$'\t' read -r _ name pid start ports log; do
    if is_alive "$pid" "$start"; then
      echo "    $name (pid $pid) still running after $2 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done < <(processes_of "$role")
  sleep 0.5
}

stop_postgres() {
  [[ -f "$SETTINGS" ]] || return 0
  # shellcheck source=/dev/null
  source "$SETTINGS"
  if postmaster_alive; then
    pg_tool pg_ctl -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      pg_tool pg_ctl -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  # pg_ctl failed: the recorded postmaster (its backends follow it out when it dies).
  local name pid start ports log
  while IFS=$'\t' read -r _ name pid start ports log; do
    if is_alive "$pid" "$start"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done < <(processes_of postgres)
}

# Stops everything recorded, API nodes first (they are clients of the silos), then the silos, then PostgreSQL.
# Fails, listing them, if a recorded process is still alive afterwards.
stop_everything() {
  stop_role api "$API_STOP_SECONDS"
  stop_role silo "$SILO_STOP_SECONDS"
  stop_postgres
  local alive="" name pid start ports log
  while IFS=$'\t' read -r _ name pid start ports log; do
    is_alive "$pid" "$start" && alive="$alive $name(pid $pid)"
  done < <(processes_of)
  if postmaster_alive; then alive="$alive postgres(data $PG_DATA)"; fi
  [[ -z "$alive" ]] || { echo "local-cluster: still running:$alive" >&2; return 1; }
}

# The state folder may be any folder the user named; delete it only if it holds nothing but what this script makes.
check_state_folder() {
  [[ -d "$STATE" ]] || return 0
  local entry foreign=""
  for entry in "$STATE"/* "$STATE"/.[!.]*; do
    [[ -e "$entry" ]] || continue
    case "$(basename "$entry")" in logs | postgres | processes | cluster.env) ;; *) foreign="$foreign${foreign:+, }$(basename "$entry")" ;; esac
  done
  [[ -z "$foreign" ]] || die "$STATE holds files this script did not make ($foreign); refusing to delete it. Point TASKFLOW_LOCAL_CLUSTER_DIR at a folder of its own."
}

# Removes PostgreSQL's data, the settings and the process list; with "all" the logs and the folder too.
remove_state() { # [all]
  check_state_folder
  local PG_DATA=""
  # shellcheck source=/dev/null
  [[ -f "$SETTINGS" ]] && source "$SETTINGS"
  # PostgreSQL's data lives outside the state folder when the postgres user cannot reach that (see start_postgres).
  if [[ "$PG_DATA" == */taskflow-local-cluster-pg.*/data ]]; then rm -rf "$(dirname "$PG_DATA")"; fi
  if [[ "${1:-}" == all ]]; then rm -rf "$STATE"; else rm -rf "$STATE/postgres" "$SETTINGS" "$PROCESSES"; fi
}

# ---------------------------------------------------------------------------------------------------------------
# Commands

UP_FINISHED=0
on_up_exit() {
  local status=$?
  ((UP_FINISHED)) && return
  trap - EXIT INT TERM
  echo "local-cluster: up did not finish; stopping what it started" >&2
  if stop_everything; then
    # Keep the logs for reading; the next `up` or `down` clears them.
    remove_state
    echo "local-cluster: stopped; the logs are kept in $LOGS" >&2
  else
    echo "local-cluster: run '$SCRIPT down' to stop the rest" >&2
  fi
  exit "$status"
}

cmd_up() {
  local silos=3 apis=1 timeout=180 build=auto
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --silos) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]?$ ]] || bad_usage "--silos needs a number from 1 to 99"; silos=$2; shift 2 ;;
      --apis) [[ $# -ge 2 && "$2" =~ ^[0-9][0-9]?$ ]] || bad_usage "--apis needs a number from 0 to 99"; apis=$2; shift 2 ;;
      --timeout) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || bad_usage "--timeout needs a number of seconds"; timeout=$2; shift 2 ;;
      --no-build) build=skip; shift ;;
      *) bad_usage "unknown option for up: $1" ;;
    esac
  done

  check_state_folder
  if [[ -f "$PROCESSES" || -f "$SETTINGS" ]]; then
    if any_recorded_alive; then
      echo "local-cluster: a cluster is already up in $STATE" >&2
      echo "  see: $SCRIPT status    stop it: $SCRIPT down" >&2
      exit 1
    fi
    echo "==> clearing the state of a cluster that is no longer running ($STATE)"
  fi
  # Anything left is from a cluster that ended (or an up that failed): nothing of it runs, so start afresh.
  remove_state all
  # mkdir (not -p) claims the folder: a second `up` started at the same moment fails here.
  mkdir -p "$(dirname "$STATE")"
  mkdir "$STATE" 2>/dev/null || die "another '$SCRIPT up' is starting a cluster in $STATE"
  mkdir "$LOGS"
  : >"$PROCESSES"

  local began=$SECONDS
  trap on_up_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  install_prerequisites
  build_hosts "$build"
  start_postgres
  set_host_env
  migrate

  step "starting $silos silo(s)"
  local i stage=$SECONDS
  for ((i = 1; i <= silos; i++)); do start_silo "$i"; done
  wait_ready silo "$timeout"
  echo "    ready in $((SECONDS - stage)) s"

  if ((apis > 0)); then
    # API nodes find the silos' gateways in the membership table, so they start once the silos are active.
    step "starting $apis API node(s)"
    stage=$SECONDS
    for ((i = 1; i <= apis; i++)); do start_api "$i"; done
    wait_ready api "$timeout"
    echo "    ready in $((SECONDS - stage)) s"
  fi

  UP_FINISHED=1
  trap - EXIT INT TERM

  local first_api="" name pid start ports log url
  echo
  echo "TaskFlow local cluster is up: $silos silo(s), $apis API node(s), in $((SECONDS - began)) s."
  echo
  while IFS=$'\t' read -r _ name pid start ports log; do
    url="http://127.0.0.1:$(port_of "$ports" http)"
    [[ -n "$first_api" ]] || first_api=$url
    printf '  API            %s   (%s)\n' "$url" "$name"
  done < <(processes_of api)
  if [[ -n "$first_api" ]]; then
    printf '  Dashboard      %s/tasks/dashboard\n' "$first_api"
  fi
  printf '  PostgreSQL     %s\n' "$CONNECTION_STRING"
  printf '  Logs           %s\n' "$LOGS"
  echo
  if [[ -n "$first_api" ]]; then
    echo "Enqueue a task, then read it back with the id from the answer:"
    echo "  curl -i -X POST $first_api/tasks -H 'content-type: application/json' \\"
    echo "       -d '{\"name\":\"send_welcome_email\",\"args\":{\"address\":\"a@b.c\"}}'"
    echo "  curl $first_api/tasks/<taskId>"
    echo
  fi
  echo "Then: $SCRIPT status    $SCRIPT down"
}

cmd_status() {
  [[ $# -eq 0 ]] || bad_usage "status takes no options"
  if [[ ! -f "$PROCESSES" ]]; then
    echo "No local cluster in $STATE (start one: $SCRIPT up)"
    exit 1
  fi
  local PG_PORT="" STARTED_AT="" CONNECTION_STRING=""
  # shellcheck source=/dev/null
  [[ -f "$SETTINGS" ]] && source "$SETTINGS"
  echo "TaskFlow local cluster in $STATE (started $STARTED_AT)"
  echo "PostgreSQL: $CONNECTION_STRING"
  echo

  local statuses="" down=0 role name pid start ports log state code
  postmaster_alive && statuses=$(membership_statuses)
  printf '%-9s %-9s %-8s %-40s %s\n' ROLE NAME PID PORTS STATE
  while IFS=$'\t' read -r role name pid start ports log; do
    if ! is_alive "$pid" "$start"; then
      state="NOT RUNNING (log: $log)"
      down=1
    else
      case "$role" in
        silo) state="alive, $(silo_readiness "$ports" "$statuses")" ;;
        api) code=$(http_code "http://127.0.0.1:$(port_of "$ports" http)/health/ready")
             state="alive, /health/ready $code" ;;
        *) state="alive" ;;
      esac
    fi
    printf '%-9s %-9s %-8s %-40s %s\n' "$role" "$name" "$pid" "${ports//,/ }" "$state"
  done < <(processes_of)

  echo
  if postmaster_alive; then
    echo "Membership (orleansmembershiptable):"
    local rows
    if ! rows=$(psql_query "SELECT address, port, generation, siloname, status, proxyport, to_char(iamalivetime, 'HH24:MI:SS')
                            FROM orleansmembershiptable ORDER BY port, generation" 2>&1); then
      echo "  the query failed: $rows"
      exit 3
    fi
    printf '  %-15s %-6s %-11s %-22s %-13s %-8s %s\n' ADDRESS PORT GENERATION SILO STATUS GATEWAY "I-AM-ALIVE"
    local address port generation silo status gateway alive
    while IFS=$'\t' read -r address port generation silo status gateway alive; do
      [[ -n "$address" ]] || continue
      printf '  %-15s %-6s %-11s %-22s %-13s %-8s %s\n' "$address" "$port" "$generation" "$silo" "$(status_name "$status")" "$gateway" "$alive"
    done <<<"$rows"
  else
    echo "Membership: PostgreSQL is not running"
  fi
  ((down == 0)) || exit 3
}

cmd_down() {
  [[ $# -eq 0 ]] || bad_usage "down takes no options"
  if [[ ! -d "$STATE" ]]; then
    echo "No local cluster in $STATE; nothing to stop."
    return 0
  fi
  check_state_folder
  local began=$SECONDS
  step "stopping the local cluster in $STATE"
  stop_everything || die "not every process stopped; the state is kept in $STATE (pids in $PROCESSES)"
  remove_state all
  echo "Stopped every process and removed $STATE in $((SECONDS - began)) s."
}

[[ $# -ge 1 ]] || bad_usage "a command is needed"
command=$1
shift
case "$command" in
  up) cmd_up "$@" ;;
  status) cmd_status "$@" ;;
  down) cmd_down "$@" ;;
  -h | --help | help) usage ;;
  *) bad_usage "unknown command: $command" ;;
esac
