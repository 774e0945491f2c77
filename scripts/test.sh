#!/usr/bin/env bash
# Runs every TaskFlow test on a fresh machine: builds once, packs the libraries and checks the packages (each role's
# dependency closure, their metadata), runs `dotnet test` without rebuilding, then builds and runs the sample that
# tests an application through the packed TaskFlow.Testing, and ends with one line "N passed, N failed". Whatever it
# starts, it stops.
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
rm -rf "$ARTIFACTS/packages"
dotnet pack TaskFlow.sln -c "$CONFIGURATION" --no-build -nologo -o "$ARTIFACTS/packages" -clp:ErrorsOnly

# A web node that only calls a cluster (TaskFlow.AspNetCore) must get no silo and no database driver; each storage
# package must bring its driver; every package carries its licence, icon, README, repository and symbols.
echo "== package checks"
set +e
python3 scripts/check-packages.py "$ARTIFACTS/packages" | tee "$RESULTS/package-checks.log"
set -e

echo "== test"
set +e
dotnet test TaskFlow.sln -c "$CONFIGURATION" --no-build -nologo \
  --results-directory "$RESULTS" --logger "trx" 2>&1 | tee "$RESULTS/console.log"
test_status=${PIPESTATUS[0]}

# The sample restores TaskFlow.* from artifacts/packages (its nuget.config). The global packages folder keeps a
# package by id and version, so an earlier run's 0.1.0 would shadow this run's: drop TaskFlow's own first.
echo "== sample: an application's tests against the packed TaskFlow.Testing"
global_packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: *//')
rm -rf "${global_packages%/}"/taskflow.*
dotnet test tests/TaskFlow.Testing.Sample/SignupApp.Tests -c "$CONFIGURATION" -nologo \
  --results-directory "$RESULTS" --logger "trx" 2>&1 | tee "$RESULTS/sample.log"
sample_status=${PIPESTATUS[0]}
cat "$RESULTS/sample.log" >> "$RESULTS/console.log"
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
package_line=$(grep -E '^package checks: ' "$RESULTS/package-checks.log" || true)
if [[ -z "$package_line" ]]; then
  echo "the package checks reported no result"
  failed=$((failed + 1))
else
  passed=$((passed + $(echo "$package_line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')))
  failed=$((failed + $(echo "$package_line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')))
fi

if [[ "$assemblies" -eq 0 ]]; then
  echo "no test assembly reported a result"
  failed=$((failed + 1))
fi
if [[ "$test_status" -ne 0 && "$failed" -eq 0 ]]; then
  echo "dotnet test exited with $test_status"
  failed=1
fi
if [[ "$sample_status" -ne 0 ]] && ! grep -qE '^Failed! ' "$RESULTS/sample.log"; then
  echo "the sample did not build or run (exit $sample_status)"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[[ "$failed" -eq 0 ]]
