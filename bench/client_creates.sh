#!/usr/bin/env bash
# Time for N sequential Job creates through the k8sjobs client (one process, kept-alive TLS
# connection) next to the same creates done by one curl process each, in the same run.
source "$(dirname "$0")/common.sh"
n="${1:-300}"
start_server
"$build/bench/k8sjobs-bench" manifest curljob >"$workdir/job.json"

client_seconds="$("$build/bench/k8sjobs-bench" creates "$n")"

token="bench-token"
started=$(now_ms)
for i in $(seq "$n"); do
  sed "s/\"curljob-1\"/\"curljob-$i\"/" "$workdir/job.json" >"$workdir/one.json"
  curl -sS -o /dev/null --fail --cacert "$workdir/server/ca.crt" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' --data-binary "@$workdir/one.json" \
    "$server_url/apis/batch/v1/namespaces/tool-alice/jobs"
done
curl_seconds=$(awk -v ms=$(( $(now_ms) - started )) 'BEGIN {print ms/1000}')

echo "$server_model"
awk -v n="$n" -v c="$client_seconds" -v k="$curl_seconds" 'BEGIN {
  printf "creates: %d Jobs\n", n
  printf "k8sjobs client (1 process, kept-alive): %.3f s total, %.2f ms per create\n", c, 1000*c/n
  printf "curl (1 process per create):            %.3f s total, %.2f ms per create\n", k, 1000*k/n
  printf "ratio client/curl: %.3f\n", c/k
}'
