# Shared by the benchmark scripts: build, start the test API server, helpers for timing.
# The server charges what a real one does (tests/apiserver/test_apiserver.h, LatencyModel):
# K8SJOBS_BENCH_LATENCY=real (the default: 4.5 ms per write through one log, 1 ms per read plus
# 20 ms per MiB of what it reads), none (answers at once, as the tests' server does), or
# WRITE_MS,READ_MS[,READ_MS_PER_MIB] (e.g. 4.5,1,0: no per-MiB cost). Every script prints
# the model it ran with ($server_model) in its output header.
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

latency="${K8SJOBS_BENCH_LATENCY:-real}"
# Extra arguments go to the server (e.g. --preload, which can take minutes: waits for it).
start_server() {
  "$build/tests/k8sjobs-test-apiserver" --dir "$workdir/server" --latency "$latency" \
    --token-user "bench-token:tools.alice:tool-alice" "$@" >"$workdir/server.log" 2>&1 &
  server_pid=$!
  while kill -0 "$server_pid" 2>/dev/null && ! grep -q "latency model" "$workdir/server.log"; do
    sleep 0.05
  done
  server_url="$(sed -n 's/^listening on //p' "$workdir/server.log")"
  if [ -z "$server_url" ]; then
    echo "the test API server did not start:" >&2
    cat "$workdir/server.log" >&2
    exit 1
  fi
  server_model="test API server latency model: $latency ($(sed -n 's/^latency model: //p' "$workdir/server.log"))"
  export KUBECONFIG="$workdir/server/kubeconfig"
  printf 'backend: kubernetes\n' >"$workdir/config.yaml"
  export K8SJOBS_CONFIG="$workdir/config.yaml"
}

stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    server_pid=""
  fi
  return 0
}

# Median of the numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

now_ms() { date +%s%3N; }
# Microseconds from bash's own clock: no date process inside the timed span (that cost about a
# millisecond on both sides of a comparison and so pulled every ratio towards 1).
now_us() { local t="${EPOCHREALTIME/[.,]/}"; echo "$((10#$t))"; }
