#!/usr/bin/env bash
# Times `k8sjobs-migrate check` over a 100,000-line crontab built from the corpus' crontab lines
# (tests/data/cron/corpus-crontab-lines.tsv, in order, over and over; commented-out lines
# included, as real crontabs have them). Each line's script names carry its line number
# (run_report.sh on line 7 becomes run_report-7.sh), so the commands differ as in a real big
# crontab and check cannot answer a line from the one it saw 42 lines earlier; about 1 line in
# 20 (no script name in it) still repeats. The same file with the corpus lines repeated as they
# are is timed too ("repeated"), the case check's per-command memo makes cheap.
# Five runs each; prints the median wall time, the peak RSS, and the ratio against a
# reference measured in the same run on the same file: `grep -c jsub FILE` (one pass over the
# bytes, the least any tool reading the file can do).
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
cut -f2 tests/data/cron/corpus-crontab-lines.tsv | sed 's/\\t/\t/g' >"$work/corpus"
# $1 = 1: script names carry the line number; 0: the corpus lines as they are.
make_crontab() {
  awk -v lines="$lines" -v distinct="$1" '
    { corpus[n++] = $0 }
    END {
      print "MAILTO=tools.alice@toolforge.org"
      for (i = 1; i < lines; ++i) {
        line = corpus[(i - 1) % n]
        if (distinct) gsub(/\.(sh|py|php)/, "-" i "&", line)
        print line
      }
    }' "$work/corpus"
}

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
for kind in distinct repeated; do
  crontab="$work/crontab-$kind"
  make_crontab "$([[ $kind == distinct ]] && echo 1 || echo 0)" >"$crontab"
  check_times=() reference_times=()
  for ((run = 0; run < runs; ++run)); do
    check_times+=("$(seconds "$binary" check --no-program-check "$crontab")")
    reference_times+=("$(seconds grep -c jsub "$crontab")")
  done
  rss_kib=$( { /usr/bin/time -v "$binary" check --no-program-check "$crontab" >/dev/null || true; } 2>&1 |
    awk -F': ' '/Maximum resident set size/ {print $2}')
  check_median=$(median "${check_times[@]}")
  reference_median=$(median "${reference_times[@]}")
  printf 'k8sjobs-migrate check, %d lines, commands %s (%s bytes), %d runs\n' "$lines" "$kind" \
    "$(stat -c %s "$crontab")" "$runs"
  printf '  median: %.3f s   peak RSS: %d MiB   (runs: %s)\n' "$check_median" "$((rss_kib / 1024))" \
    "$(printf '%.2f ' "${check_times[@]}")"
  printf '  reference (grep -c jsub, same file): %.4f s   ratio: %.0fx\n' "$reference_median" \
    "$(echo "$check_median / ($reference_median + 0.000001)" | bc -l)"
done
