#!/usr/bin/env bash
# qsub's submit latency (whole process, start to exit) against the test API server, side by side
# with jsub of the same command and one curl POST of jsub's manifest, measured in turn in the
# same run. qsub reads a 2 KB job script and carries it in the Job (ARCHITECTURE.md); the goal
# is qsub within 1.1x jsub.
# Usage: bench/qsub_submit.sh [RUNS, default 100]
source "$(dirname "$0")/common.sh"
runs="${1:-100}"
start_server
export K8SJOBS_USER=tools.alice HOME="$workdir/home"
mkdir -p "$HOME"
cd "$HOME"
"$build/bench/k8sjobs-bench" manifest curljob >"$workdir/job.json"

# A 2 KB script (2048 bytes): comments as a real script has them, then the command jsub runs.
{
  echo '#!/bin/sh'
  for step in $(seq 40); do
    echo "# nightly update of the tool database, step $step: fetch, import, check, report"
  done
} >job.full
head -c 2037 job.full >job.sh
printf '\n/bin/true\n' >>job.sh
script_bytes=$(wc -c <"$HOME/job.sh")

qsub_us=()
jsub_us=()
curl_us=()
for i in $(seq "$runs"); do
  started=$(now_us)
  "$build/qsub/qsub" -N "q$i" job.sh >/dev/null
  qsub_us+=($(( $(now_us) - started )))
  started=$(now_us)
  "$build/jsub/jsub" -N "j$i" /bin/true >/dev/null
  jsub_us+=($(( $(now_us) - started )))
  sed "s/\"curljob-1\"/\"curljob-$i\"/" "$workdir/job.json" >"$workdir/one.json"
  started=$(now_us)
  curl -sS -o /dev/null --fail --cacert "$workdir/server/ca.crt" -H "Authorization: Bearer bench-token" \
    -H 'Content-Type: application/json' --data-binary "@$workdir/one.json" \
    "$server_url/apis/batch/v1/namespaces/tool-alice/jobs"
  curl_us+=($(( $(now_us) - started )))
done
ms() { median | awk '{printf "%.2f", $1 / 1000}'; }
qsub_median=$(printf '%s\n' "${qsub_us[@]}" | ms)
jsub_median=$(printf '%s\n' "${jsub_us[@]}" | ms)
curl_median=$(printf '%s\n' "${curl_us[@]}" | ms)
rss_kb=$( { /usr/bin/time -f '%M' "$build/qsub/qsub" -N rss job.sh >/dev/null; } 2>&1 | tail -1)

echo "$server_model"
echo "submit latency over $runs runs (median, whole process), a ${script_bytes}-byte script:"
echo "  qsub job.sh:     ${qsub_median} ms (peak RSS ${rss_kb} KiB)"
echo "  jsub /bin/true:  ${jsub_median} ms"
echo "  one curl POST:   ${curl_median} ms"
awk -v q="$qsub_median" -v j="$jsub_median" 'BEGIN {printf "  ratio qsub/jsub: %.2f (goal: at most 1.10)\n", q/j}'
awk -v q="$qsub_median" -v c="$curl_median" 'BEGIN {printf "  ratio qsub/curl: %.2f\n", q/c}'
