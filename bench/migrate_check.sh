#!/usr/bin/env bash
# Times `k8sjobs-migrate check` over a 100,000-line crontab built from the corpus' crontab lines
# (tests/data/cron/corpus-crontab-lines.tsv, repeated in order; commented-out lines included,
# as real crontabs have them). Five runs; prints the median wall time, the peak RSS, and the
# ratio against a reference measured in the same run on the same file: `grep -c jsub FILE`
# (one pass over the bytes, the least any tool reading the file can do).
#
# Usage: bench/migrate_check.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
binary="$build_dir/migration/k8sjobs-migrate"
lines=100000
runs=5
[[ -x "$binary" ]] || { echo "no $binary: build first (scripts/build.sh $build_dir)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
crontab="$work/crontab"
mapfile -t corpus < <(cut -f2 tests/data/cron/corpus-crontab-lines.tsv | sed 's/\\t/\t/g')
{
  echo "MAILTO=tools.alice@toolforge.org"
  for ((i = 0; i < lines - 1; ++i)); do printf '%s\n' "${corpus[i % ${#corpus[@]}]}"; done
} >"$crontab"

# Seconds (with fractions) one command takes; output discarded.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true   # check exits 1 when lines are unsupported: expected here
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

export K8SJOBS_USER=tools.alice
check_times=() reference_times=()
for ((run = 0; run < runs; ++run)); do
  check_times+=("$(seconds "$binary" check --no-program-check "$crontab")")
  reference_times+=("$(seconds grep -c jsub "$crontab")")
done
rss_kib=$( { /usr/bin/time -v "$binary" check --no-program-check "$crontab" >/dev/null || true; } 2>&1 |
  awk -F': ' '/Maximum resident set size/ {print $2}')

check_median=$(median "${check_times[@]}")
reference_median=$(median "${reference_times[@]}")
printf 'k8sjobs-migrate check, %d lines (%s bytes), %d runs\n' "$lines" "$(stat -c %s "$crontab")" "$runs"
printf '  median: %.3f s   peak RSS: %d MiB\n' "$check_median" "$((rss_kib / 1024))"
printf '  reference (grep -c jsub, same file): %.4f s   ratio: %.0fx\n' "$reference_median" \
  "$(echo "$check_median / ($reference_median + 0.000001)" | bc -l)"
