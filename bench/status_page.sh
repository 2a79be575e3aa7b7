#!/usr/bin/env bash
# The status page's overview (k8sjobs-controller --listen, docs/admin.md) for 10,000 jobs in 300
# namespaces: server time to render it (goal < 100 ms) and its size (goal < 200 KB), next to a
# reference measured in the same run: nlohmann dumping the same tasks (namespace, id, name,
# owner, state) as one JSON array. Rendering only: the snapshot is built beforehand, as the
# controller builds it between requests (its building is timed apart). Medians of RUNS.
# Usage: bench/status_page.sh [RUNS] [JOBS] [NAMESPACES]   (default: 15 10000 300)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${K8SJOBS_BUILD_DIR:-$root/build}"
[ -x "$build/bench/k8sjobs-bench" ] || bash "$root/scripts/build.sh" "$(basename "$build")" >/dev/null
runs="${1:-15}" jobs="${2:-10000}" spaces="${3:-300}"
"$build/bench/k8sjobs-bench" status "$jobs" "$spaces" "$runs" | awk -v jobs="$jobs" -v spaces="$spaces" -v runs="$runs" '
  { v[$1] = $2 }
  END {
    printf "status overview, %d jobs in %d namespaces, median of %d runs\n", jobs, spaces, runs
    printf "  overview HTML:           %7.1f ms  %7.1f KB   (goals: < 100 ms, < 200 KB)\n", v["overview_seconds"] * 1000, v["overview_bytes"] / 1024
    printf "  snapshot build:          %7.1f ms               (once per --status-interval, not per request)\n", v["snapshot_seconds"] * 1000
    printf "  reference, nlohmann dump %7.1f ms  %7.1f KB   (the same tasks as one JSON array)\n", v["json_dump_seconds"] * 1000, v["json_dump_bytes"] / 1024
  }'
