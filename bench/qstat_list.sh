#!/usr/bin/env bash
# qstat listing 1,000 and then 10,000 jobs (each a Job with its pod) against the test API
# server, next to curl downloading exactly the LIST pages qstat requests, in the same run.
#
# qstat makes one label-selected LIST per kind (Jobs, Deployments, Pods), limit=500, following
# `continue`. The reference is ONE curl process overall that downloads those same pages over
# one kept-alive TLS connection: `k8sjobs-bench pages` walks the pages once beforehand
# (untimed) to learn the continue tokens, which stay valid because nothing changes while the
# benchmark runs. qstat's peak RSS comes from /usr/bin/time -f %M.
# Usage: [QSTAT=path] bench/qstat_list.sh [RUNS] [SIZES...]   (default: 7 runs, 1000 10000)
source "$(dirname "$0")/common.sh"
qstat="${QSTAT:-$build/qstat/qstat}"  # QSTAT=/path/to/another/qstat compares builds
runs="${1:-7}"
shift || true
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1000 10000)
start_server
export K8SJOBS_USER=tools.alice HOME="$workdir/home"
mkdir -p "$HOME"

loaded=0
results=()
for size in "${sizes[@]}"; do
  if [ "$size" -gt "$loaded" ]; then
    load_s=$("$build/bench/k8sjobs-bench" creates $((size - loaded)) $((100000 + loaded)))
    echo "loaded $((size - loaded)) more jobs (and their pods) in ${load_s} s" >&2
    loaded=$size
  fi
  "$build/bench/k8sjobs-bench" pages >"$workdir/pages"
  : >"$workdir/curl.config"
  while read -r page; do
    printf 'url = "%s"\noutput = "/dev/null"\n' "$server_url$page" >>"$workdir/curl.config"
  done <"$workdir/pages"
  pages=$(wc -l <"$workdir/pages")

  # The listing must be complete, or the comparison means nothing.
  shown=$("$qstat" | tail -n +3 | wc -l)
  if [ "$shown" -ne "$size" ]; then
    echo "qstat showed $shown jobs, expected $size" >&2
    exit 1
  fi

  qstat_ms=()
  curl_ms=()
  for _ in $(seq "$runs"); do
    started=$(now_ms)
    "$qstat" >/dev/null
    qstat_ms+=($(( $(now_ms) - started )))
    started=$(now_ms)
    curl -sS --fail --cacert "$workdir/server/ca.crt" -H "Authorization: Bearer bench-token" \
      --config "$workdir/curl.config"
    curl_ms+=($(( $(now_ms) - started )))
  done
  qstat_median=$(printf '%s\n' "${qstat_ms[@]}" | median)
  curl_median=$(printf '%s\n' "${curl_ms[@]}" | median)
  rss_kb=$( { /usr/bin/time -f '%M' "$qstat" >/dev/null; } 2>&1 | tail -1)
  bytes=$(curl -sS --fail --cacert "$workdir/server/ca.crt" -H "Authorization: Bearer bench-token" \
    --config "$workdir/curl.config" -w '%{size_download}\n' | awk '{s+=$1} END {print s}')
  results+=("$(awk -v n="$size" -v p="$pages" -v b="$bytes" -v q="$qstat_median" \
    -v c="$curl_median" -v r="$rss_kb" 'BEGIN {
      printf "%6d jobs, %2d pages (%.1f MB): qstat %5d ms, curl %5d ms, ratio %.2f, qstat peak RSS %.1f MiB",
        n, p, b / 1e6, q, c, q / c, r / 1024 }')")
done
echo "median of $runs runs, whole process; curl: one process, same pages, one connection:"
printf '  %s\n' "${results[@]}"
