#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The controller's soak: JOBS jobs as jsub makes them, in chains of CHAIN where each waits
# (-hold_jid) for the one before, on the test API server; a kubelet in the same process runs each
# pod the moment its Job is released and ends it. The built k8sjobs-controller (its loop: list,
# watch, leader election) releases them. Checks that all complete, none early and none stuck, and
# prints the controller's peak RSS and CPU time (goals: under 64 MiB, under 1 ms of CPU per job
# event), next to the reference of the same run: the events a watch of the same Jobs received
# (what the controller's own watch receives) and the cluster's writes in all.
# Usage: bench/controller_soak.sh [JOBS] [CHAIN] [TIMEOUT_SECONDS]   (default: 1000 10 600)
# K8SJOBS_BENCH_LATENCY=real (default) or none, as the other benchmarks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${K8SJOBS_BUILD_DIR:-$root/build}"
if [ ! -x "$build/tests/k8sjobs-controller-soak" ] || [ ! -x "$build/controller/k8sjobs-controller" ]; then
  bash "$root/scripts/build.sh" "$(basename "$build")" >/dev/null
fi
jobs="${1:-1000}" chain="${2:-10}" timeout="${3:-600}"
latency="${K8SJOBS_BENCH_LATENCY:-real}"
set +e
"$build/tests/k8sjobs-controller-soak" "$build/controller/k8sjobs-controller" "$jobs" "$chain" \
  "$timeout" "$latency" >"${TMPDIR:-/tmp}/k8sjobs-soak.$$"
status=$?
set -e
awk -v latency="$latency" -v chain="$chain" '
  { v[$1] = $2 }
  END {
    printf "controller soak: %d jobs in chains of %d (test API server latency model: %s)\n", v["jobs"], chain, latency
    printf "  completed %d, released early %d, stuck %d, in %.1f s\n", v["completed"], v["early"], v["stuck"], v["seconds"]
    printf "  controller peak RSS:  %7.1f MiB   (goal: < 64 MiB)\n", v["controller_peak_rss_kib"] / 1024
    printf "  controller CPU:       %7.2f s    %.3f ms per job, %.3f ms per job event (goal: < 1 ms)\n", v["controller_cpu_seconds"], v["controller_cpu_seconds"] * 1000 / v["jobs"], v["controller_cpu_seconds"] * 1000 / (v["job_events"] > 0 ? v["job_events"] : 1)
    printf "  reference: the Job watch saw %d events; the cluster made %d writes in all\n", v["job_events"], v["cluster_writes"]
  }' "${TMPDIR:-/tmp}/k8sjobs-soak.$$"
rm -f "${TMPDIR:-/tmp}/k8sjobs-soak.$$"
exit "$status"
