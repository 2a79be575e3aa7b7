#!/usr/bin/env bash
# qstat listing 1,000 and then 10,000 jobs (each a Job with its pod) against the test API
# server, next to curl downloading exactly the LIST pages qstat requests, in the same run.
#
# Each size gets a fresh server holding that many Jobs as `k8sjobs-bench creates` would make
# them (jsub's Job for `jsub -N bench /bin/true`, the server's Job controller adding the pod),
# loaded with the server's benchmark-only --preload: 100,000 creates through HTTP would cost
# 450 s of simulated fsync alone, and what is measured here is the reading. The objects are
# real-sized: the server adds managedFields as kube-apiserver v1.32 does (a Job about 7.8 KB,
# its pod 6.7 KB, about half of each managedFields). The server charges the real latency model
# (bench/common.sh) unless K8SJOBS_BENCH_LATENCY says otherwise.
#
# qstat makes one label-selected LIST per kind (Jobs, Deployments, Pods), limit=500, following
# `continue`, the Pods on a second connection at the same time as the Jobs and Deployments. The
# reference is ONE curl process overall that downloads those same pages over one kept-alive TLS
# connection: `k8sjobs-bench pages` walks the pages once beforehand (untimed) to learn the
# continue tokens, which stay valid because nothing changes while the benchmark runs. A second
# reference, "curl x2", is two curl processes at once, split as qstat splits its requests (the
# Jobs and Deployments pages, the Pods pages): downloading alone, with qstat's parallelism. curl sends a User-Agent that does not start with "curl": for curl's own, the
# API server pretty-prints (kube-apiserver does the same), and curl would download and the
# server write about twice the bytes qstat gets. qstat's peak RSS comes from /usr/bin/time -f %M.
# Usage: [QSTAT=path] bench/qstat_list.sh [RUNS] [SIZES...]   (default: 7 runs, 1000 10000;
#        100000 works too: about 2 GB for the server and a few minutes of loading)
source "$(dirname "$0")/common.sh"
qstat="${QSTAT:-$build/qstat/qstat}"  # QSTAT=/path/to/another/qstat compares builds
runs="${1:-7}"
shift || true
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1000 10000)
export K8SJOBS_USER=tools.alice HOME="$workdir/home"
mkdir -p "$HOME"
curl_agent="k8sjobs-bench"

largest=$(printf '%s\n' "${sizes[@]}" | sort -n | tail -1)
"$build/bench/k8sjobs-bench" manifests "$largest" >"$workdir/jobs.jsonl"

results=()
for size in "${sizes[@]}"; do
  stop_server
  head -n "$size" "$workdir/jobs.jsonl" >"$workdir/load.jsonl"
  start_server --preload "/apis/batch/v1/namespaces/tool-alice/jobs:k8sjobs:$workdir/load.jsonl"
  sed -n 's/^preloaded/loaded/p' "$workdir/server.log" >&2
  "$build/bench/k8sjobs-bench" pages >"$workdir/pages"
  : >"$workdir/curl.config"
  : >"$workdir/curl-owners.config"
  : >"$workdir/curl-pods.config"
  while read -r page; do
    entry=$(printf 'url = "%s"\noutput = "/dev/null"' "$server_url$page")
    echo "$entry" >>"$workdir/curl.config"
    case "$page" in
      /api/v1/*) echo "$entry" >>"$workdir/curl-pods.config" ;;
      *) echo "$entry" >>"$workdir/curl-owners.config" ;;
    esac
  done <"$workdir/pages"
  pages=$(wc -l <"$workdir/pages")

  # The listing must be complete, or the comparison means nothing.
  shown=$("$qstat" | tail -n +3 | wc -l)
  if [ "$shown" -ne "$size" ]; then
    echo "qstat showed $shown jobs, expected $size" >&2
    exit 1
  fi

  fetch() {
    curl -sS --fail --cacert "$workdir/server/ca.crt" -H "Authorization: Bearer bench-token" \
      -A "$curl_agent" --config "$1"
  }
  qstat_ms=()
  curl_ms=()
  curl2_ms=()
  for _ in $(seq "$runs"); do
    started=$(now_ms)
    "$qstat" >/dev/null
    qstat_ms+=($(( $(now_ms) - started )))
    started=$(now_ms)
    fetch "$workdir/curl.config"
    curl_ms+=($(( $(now_ms) - started )))
    started=$(now_ms)
    fetch "$workdir/curl-owners.config" &
    owners=$!
    fetch "$workdir/curl-pods.config"
    wait "$owners"
    curl2_ms+=($(( $(now_ms) - started )))
  done
  qstat_median=$(printf '%s\n' "${qstat_ms[@]}" | median)
  curl_median=$(printf '%s\n' "${curl_ms[@]}" | median)
  curl2_median=$(printf '%s\n' "${curl2_ms[@]}" | median)
  rss_kb=$( { /usr/bin/time -f '%M' "$qstat" >/dev/null; } 2>&1 | tail -1)
  bytes=$(curl -sS --fail --cacert "$workdir/server/ca.crt" -H "Authorization: Bearer bench-token" \
    -A "$curl_agent" --config "$workdir/curl.config" -w '%{size_download}\n' |
    awk '{s+=$1} END {print s}')
  results+=("$(awk -v n="$size" -v p="$pages" -v b="$bytes" -v q="$qstat_median" \
    -v c="$curl_median" -v c2="$curl2_median" -v r="$rss_kb" 'BEGIN {
      printf "%6d jobs, %3d pages (%.1f MB): qstat %6d ms, curl %6d ms, ratio %.2f; curl x2 %6d ms, ratio %.2f; qstat peak RSS %.1f MiB",
        n, p, b / 1e6, q, c, q / c, c2, q / c2, r / 1024 }')")
done
echo "$server_model"
echo "median of $runs runs, whole process; curl: one process, same pages, one connection;"
echo "curl x2: two processes at once, the Jobs and Deployments pages and the Pods pages:"
printf '  %s\n' "${results[@]}"
