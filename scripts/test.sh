#!/usr/bin/env bash
# Runs every TaskFlow test on a fresh machine: builds once, runs `dotnet test` without rebuilding, packs the
# libraries, and ends with one line "N passed, N failed". Whatever it starts, it stops.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIGURATION="${CONFIGURATION:-Release}"
ARTIFACTS="$ROOT/artifacts"
RESULTS="$ARTIFACTS/test-results"
TEST_TMP="$ARTIFACTS/tmp"
cd "$ROOT"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# == install prerequisites (idempotent, quiet): the PostgreSQL tests start their own throwaway server from the
# server binaries (Debian's `postgresql` package brings /usr/lib/postgresql/15/bin on bookworm). Skipped when
# TASKFLOW_TEST_POSTGRES names a server to use instead.
install_packages() {
  echo "== install prerequisites ($*)"
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "Missing: run as root, or apt-get install -y $*" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [[ -z "${TASKFLOW_TEST_POSTGRES:-}" ]] && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  install_packages postgresql
  # The package may start its default cluster; the tests start their own servers, so stop it again.
  pg_ctlcluster --force 15 main stop >/dev/null 2>&1 || true
fi

# The dashboard's browser tests drive Debian's Chromium through Playwright (no browser download); fonts so that
# their screenshots have text. Without Chromium those tests fail and say so.
if [[ ! -x "${TASKFLOW_CHROMIUM:-/usr/bin/chromium}" ]]; then
  install_packages chromium fonts-dejavu-core
fi

cleanup() {
  local status=$?
  # Child hosts started by tests are killed by the tests themselves; this catches anything a crash left behind.
  pkill -f "$ROOT/src/.*/bin/$CONFIGURATION/net10.0/TaskFlow\.(Api|Silo)\.dll" 2>/dev/null || true
  # Throwaway PostgreSQL servers are stopped by their test fixture; a crashed test run may leave one behind.
  pkill -f "postgres -D $TEST_TMP/taskflow-pg-" 2>/dev/null || true
  exit "$status"
}
trap cleanup EXIT

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
# The tests' temporary folders (throwaway PostgreSQL data, SQLite files) live under this run's own folder, so the
# cleanup above touches only what this run started, even beside another run on the same machine.
rm -rf "$TEST_TMP"
mkdir -p "$TEST_TMP"
export TMPDIR="$TEST_TMP"

echo "== build ($CONFIGURATION)"
dotnet build TaskFlow.sln -c "$CONFIGURATION" -nologo -clp:ErrorsOnly

echo "== pack"
dotnet pack TaskFlow.sln -c "$CONFIGURATION" --no-build -nologo -o "$ARTIFACTS/packages" -clp:ErrorsOnly

echo "== test"
set +e
dotnet test TaskFlow.sln -c "$CONFIGURATION" --no-build -nologo \
  --results-directory "$RESULTS" --logger "trx" 2>&1 | tee "$RESULTS/console.log"
test_status=${PIPESTATUS[0]}
set -e

# Sum the per-assembly summaries dotnet prints: "Passed!  - Failed: 0, Passed: 62, Skipped: 0, Total: 62 …".
sum_of() {
  { grep -E '^(Passed|Failed)! ' "$RESULTS/console.log" || true; } \
    | { grep -oE "$1: +[0-9]+" || true; } | awk '{s+=$2} END {print s+0}'
}
passed=$(sum_of Passed)
failed=$(sum_of Failed)
skipped=$(sum_of Skipped)
assemblies=$({ grep -E '^(Passed|Failed)! ' "$RESULTS/console.log" || true; } | wc -l)
passed=${passed:-0}; failed=${failed:-0}; skipped=${skipped:-0}

if [[ "$assemblies" -eq 0 ]]; then
  echo "no test assembly reported a result"
  failed=$((failed + 1))
fi
if [[ "$test_status" -ne 0 && "$failed" -eq 0 ]]; then
  echo "dotnet test exited with $test_status"
  failed=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
[[ "$failed" -eq 0 ]]
