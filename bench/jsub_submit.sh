#!/usr/bin/env bash
# jsub's submit latency (whole process, start to exit) against the test API server, next to a
# single curl POST of the same manifest measured in the same run; then a burst of concurrent
# jsub processes: every one accounted for, no duplicate job IDs.
source "$(dirname "$0")/common.sh"
runs="${1:-100}"
burst="${2:-200}"
start_server
export K8SJOBS_USER=tools.alice HOME="$workdir/home"
mkdir -p "$HOME"
"$build/bench/k8sjobs-bench" manifest curljob >"$workdir/job.json"

jsub_us=()
site_us=()
curl_us=()
for i in $(seq "$runs"); do
  started=$(now_us)
  "$build/jsub/jsub" -quiet -N "lat$i" /bin/true
  jsub_us+=($(( $(now_us) - started )))
  # The same with the documented site configuration (images, volumes, labels, limits), as a
  # real site's would be.
  started=$(now_us)
  K8SJOBS_CONFIG="$root/docs/examples/config.yaml" "$build/jsub/jsub" -quiet -N "site$i" /bin/true
  site_us+=($(( $(now_us) - started )))
  sed "s/\"curljob-1\"/\"curljob-$i\"/" "$workdir/job.json" >"$workdir/one.json"
  started=$(now_us)
  curl -sS -o /dev/null --fail --cacert "$workdir/server/ca.crt" -H "Authorization: Bearer bench-token" \
    -H 'Content-Type: application/json' --data-binary "@$workdir/one.json" \
    "$server_url/apis/batch/v1/namespaces/tool-alice/jobs"
  curl_us+=($(( $(now_us) - started )))
done
jsub_median=$(printf '%s\n' "${jsub_us[@]}" | median | awk '{printf "%.2f", $1 / 1000}')
curl_median=$(printf '%s\n' "${curl_us[@]}" | median | awk '{printf "%.2f", $1 / 1000}')
site_median=$(printf '%s\n' "${site_us[@]}" | median | awk '{printf "%.2f", $1 / 1000}')
rss_kb=$( { /usr/bin/time -f '%M' "$build/jsub/jsub" -quiet -N rss /bin/true; } 2>&1 | tail -1)

started=$(now_ms)
burst_pids=()
for i in $(seq "$burst"); do
  "$build/jsub/jsub" -terse -N "burst$i" /bin/true >"$workdir/burst.$i.out" 2>"$workdir/burst.$i.err" &
  burst_pids+=($!)
done
wait "${burst_pids[@]}" || true  # not a bare wait: the server is a child too
burst_ms=$(( $(now_ms) - started ))
ok=$(cat "$workdir"/burst.*.out | grep -cE '^[0-9]+$' || true)
unique=$(cat "$workdir"/burst.*.out | grep -E '^[0-9]+$' | sort -u | wc -l)

# The same burst as 200 curl POSTs of the job, for the machine's own cost of that many processes
# and TLS handshakes against this server.
started=$(now_ms)
curl_pids=()
for i in $(seq "$burst"); do
  sed "s/\"curljob-1\"/\"curlburst-$i\"/" "$workdir/job.json" >"$workdir/burst.$i.json"
done
for i in $(seq "$burst"); do
  curl -sS -o /dev/null --fail --cacert "$workdir/server/ca.crt" -H "Authorization: Bearer bench-token" \
    -H 'Content-Type: application/json' --data-binary "@$workdir/burst.$i.json" \
    "$server_url/apis/batch/v1/namespaces/tool-alice/jobs" &
  curl_pids+=($!)
done
wait "${curl_pids[@]}" || true
curl_burst_ms=$(( $(now_ms) - started ))

echo "$server_model"
echo "submit latency over $runs runs (median, whole process):"
echo "  jsub:           ${jsub_median} ms (peak RSS ${rss_kb} KiB)"
echo "  one curl POST:  ${curl_median} ms"
awk -v j="$jsub_median" -v c="$curl_median" 'BEGIN {printf "  ratio jsub/curl: %.2f\n", j/c}'
echo "  jsub with docs/examples/config.yaml: ${site_median} ms"
awk -v j="$site_median" -v c="$curl_median" 'BEGIN {printf "  ratio: %.2f\n", j/c}'
echo "burst of $burst concurrent jsub: ${burst_ms} ms, $ok submitted, $unique distinct job IDs"
echo "burst of $burst concurrent curl POSTs: ${curl_burst_ms} ms"
awk -v j="$burst_ms" -v c="$curl_burst_ms" 'BEGIN {printf "  ratio jsub burst/curl burst: %.2f\n", j/c}'
[ "$ok" -eq "$burst" ] && [ "$unique" -eq "$burst" ]
