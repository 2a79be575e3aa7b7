#!/usr/bin/env bash
# qacct reading 100,000 accounting records (the figure ARCHITECTURE.md gives for the store)
# from the test API server, next to curl downloading exactly the LIST pages qacct requests, in
# the same run.
#
# The records are written by `k8sjobs-bench acct-shards` into ConfigMap shards as
# k8sjobs-controller fills them (900 KiB of data each) and loaded with the server's
# benchmark-only --preload; the server adds managedFields as kube-apiserver v1.32 does. qacct
# LISTs the shards by label, 8 a page; the reference is one curl process downloading the same
# pages over one connection (`k8sjobs-bench acct-pages` walks them once beforehand, untimed).
# Timed: `qacct -j ID` (one record printed) and `qacct` (the summary of all).
# Usage: [QACCT=path] bench/qacct_read.sh [RUNS] [RECORDS]   (default: 5 runs, 100000 records)
source "$(dirname "$0")/common.sh"
qacct="${QACCT:-$build/qacct/qacct}"
runs="${1:-5}"
records="${2:-100000}"
export K8SJOBS_USER=tools.alice HOME="$workdir/home"
mkdir -p "$HOME"

"$build/bench/k8sjobs-bench" acct-shards "$records" >"$workdir/shards.jsonl" 2>"$workdir/shards.txt"
cat "$workdir/shards.txt" >&2
start_server --preload "/api/v1/namespaces/tool-alice/configmaps:k8sjobs-controller:$workdir/shards.jsonl"
"$build/bench/k8sjobs-bench" acct-pages >"$workdir/pages"
: >"$workdir/curl.config"
while read -r page; do
  printf 'url = "%s"\noutput = "/dev/null"\n' "$server_url$page" >>"$workdir/curl.config"
done <"$workdir/pages"
pages=$(wc -l <"$workdir/pages")

last=$((100000 + records - 1))
"$qacct" -j "$last" | grep -q "^jobnumber    $last " || { echo "qacct -j $last failed" >&2; exit 1; }

job_ms=()
summary_ms=()
curl_ms=()
for _ in $(seq "$runs"); do
  started=$(now_ms)
  "$qacct" -j "$last" >/dev/null
  job_ms+=($(( $(now_ms) - started )))
  started=$(now_ms)
  "$qacct" >/dev/null
  summary_ms+=($(( $(now_ms) - started )))
  started=$(now_ms)
  curl -sS --fail --cacert "$workdir/server/ca.crt" -H "Authorization: Bearer bench-token" \
    -A k8sjobs-bench --config "$workdir/curl.config"
  curl_ms+=($(( $(now_ms) - started )))
done
job_median=$(printf '%s\n' "${job_ms[@]}" | median)
summary_median=$(printf '%s\n' "${summary_ms[@]}" | median)
curl_median=$(printf '%s\n' "${curl_ms[@]}" | median)
rss_kb=$( { /usr/bin/time -f '%M' "$qacct" >/dev/null; } 2>&1 | tail -1)
bytes=$(curl -sS --fail --cacert "$workdir/server/ca.crt" -H "Authorization: Bearer bench-token" \
  -A k8sjobs-bench --config "$workdir/curl.config" -w '%{size_download}\n' |
  awk '{s+=$1} END {print s}')
echo "$server_model"
echo "median of $runs runs, whole process; curl: one process, same pages, one connection:"
awk -v n="$records" -v p="$pages" -v b="$bytes" -v j="$job_median" -v s="$summary_median" \
  -v c="$curl_median" -v r="$rss_kb" 'BEGIN {
  printf "  %d records, %d pages (%.1f MB): qacct -j %d ms, qacct %d ms, curl %d ms, ratio %.2f, qacct peak RSS %.1f MiB\n",
    n, p, b / 1e6, j, s, c, s / c, r / 1024 }'
