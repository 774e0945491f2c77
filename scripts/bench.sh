#!/usr/bin/env bash
# Prints TaskFlow's throughput figures beside a bare grain-call loop in the same process (see docs/BENCHMARKS.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
dotnet build bench/TaskFlow.Benchmarks -c Release -nologo -clp:ErrorsOnly
for provider in Memory Sqlite; do
  dotnet bench/TaskFlow.Benchmarks/bin/Release/net10.0/TaskFlow.Benchmarks.dll "${TASKS:-5000}" "$provider" "${CONCURRENCY:-64}"
done
# The cost of telemetry: alternating rounds without and with TaskFlow's spans and metrics listened to (OpenTelemetry SDK).
dotnet bench/TaskFlow.Benchmarks/bin/Release/net10.0/TaskFlow.Benchmarks.dll "${TASKS:-5000}" Memory "${CONCURRENCY:-64}" "${TELEMETRY_ROUNDS:-7}" \
  | grep -E '^(TaskFlow|telemetry|ratio telemetry)'
# 100 schedules firing every second for 60 s: precision and duplicates (SKIP_SCHEDULES=1 runs the throughput part alone).
[[ "${SKIP_SCHEDULES:-}" == 1 ]] || dotnet bench/TaskFlow.Benchmarks/bin/Release/net10.0/TaskFlow.Benchmarks.dll schedules "${SCHEDULES:-100}" "${SECONDS_TO_RUN:-60}"
