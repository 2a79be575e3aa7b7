# Shared by the benchmark scripts: build, start the test API server, helpers for timing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${K8SJOBS_BUILD_DIR:-$root/build}"
if [ ! -x "$build/tests/k8sjobs-test-apiserver" ] || [ ! -x "$build/bench/k8sjobs-bench" ]; then
  bash "$root/scripts/build.sh" "$(basename "$build")" >/dev/null
fi
workdir="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$workdir"
}
trap cleanup EXIT

start_server() {
  "$build/tests/k8sjobs-test-apiserver" --dir "$workdir/server" \
    --token-user "bench-token:tools.alice:tool-alice" >"$workdir/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$workdir/server.log" 2>/dev/null && break
    sleep 0.05
  done
  server_url="$(sed -n 's/^listening on //p' "$workdir/server.log")"
  export KUBECONFIG="$workdir/server/kubeconfig"
  printf 'backend: kubernetes\n' >"$workdir/config.yaml"
  export K8SJOBS_CONFIG="$workdir/config.yaml"
}

# Median of the numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

now_ms() { date +%s%3N; }
# Microseconds from bash's own clock: no date process inside the timed span (that cost about a
# millisecond on both sides of a comparison and so pulled every ratio towards 1).
now_us() { local t="${EPOCHREALTIME/[.,]/}"; echo "$((10#$t))"; }
