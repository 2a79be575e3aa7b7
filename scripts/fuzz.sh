#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets of fuzz/ with clang in build-fuzz/ and runs each for a while.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   scripts/fuzz.sh          a short run (CI): a few seconds per target
#   scripts/fuzz.sh 600      the long run: 10 minutes per target
#   scripts/fuzz.sh 60 kubeconfig site_config
# Fails when a target crashes (an escaping exception, a sanitizer report, a broken invariant,
# a timeout); the input is saved as build-fuzz/fuzz-artifacts/<target>/crash-* (or timeout-*,
# oom-*) and printed. New inputs found are kept in build-fuzz/fuzz-corpus/<target>/, so a
# later run starts from there; fuzz/corpus/<target>/ holds the checked-in seeds.
# K8SJOBS_FUZZ_BUILD_DIR (default build-fuzz), K8SJOBS_FUZZ_TARGETS (the default target list)
# and K8SJOBS_FUZZ_JOBS (targets run at once; default: the number of cores) may be set in the
# environment.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-5}"
shift || true
build_dir="${K8SJOBS_FUZZ_BUILD_DIR:-build-fuzz}"
default_targets="submit_options shell_words cron_crontab cron_schedule yaml_document kubeconfig
  site_config list_body job_view script_interpreters accounting_record cluster_objects"
# shellcheck disable=SC2206
targets=(${K8SJOBS_FUZZ_TARGETS:-$default_targets})
[ "$#" -eq 0 ] || targets=("$@")

# ccache as in scripts/build.sh: objects do not depend on the clone's folder.
if command -v ccache >/dev/null 2>&1 && [ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ]; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
  export CCACHE_NOHASHDIR=true
fi
# The fuzz build compiles only the readers (fuzz/CMakeLists.txt), with its own flags: no tests.
# A unity build, like CI's other two (scripts/test.sh): 40 s instead of 66 on 2 cores.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Fuzz \
  -DK8SJOBS_FUZZ=ON -DK8SJOBS_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON \
  -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 >/dev/null
cmake --build "$build_dir" -j "${K8SJOBS_BUILD_JOBS:-$(nproc)}" \
  --target "${targets[@]/#/fuzz_}"

# The targets run side by side, one per core (each is one process): the CI's short run costs
# about ceil(targets / cores) times SECONDS rather than targets times SECONDS.
run_target() {
  local target="$1"
  local work_corpus="$build_dir/fuzz-corpus/$target"
  local artifacts="$build_dir/fuzz-artifacts/$target"
  local log="$build_dir/fuzz-logs/$target.log"
  mkdir -p "$work_corpus" "$artifacts" "$(dirname "$log")"
  local options=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1
    -artifact_prefix="$artifacts/")
  [ ! -f "fuzz/dict/$target.dict" ] || options+=(-dict="fuzz/dict/$target.dict")
  local result=ok
  "$build_dir/fuzz/fuzz_$target" "${options[@]}" "$work_corpus" "fuzz/corpus/$target" \
    >"$log" 2>&1 || result=CRASH
  echo "$result" >"$log.result"
}
parallel="${K8SJOBS_FUZZ_JOBS:-$(nproc)}"
for target in "${targets[@]}"; do
  rm -f "$build_dir/fuzz-logs/$target.log.result"
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  run_target "$target" &
done
wait

failed=()
printf '%-16s %12s %8s %7s %7s %9s  %s\n' target execs exec/s cov ft corpus result
for target in "${targets[@]}"; do
  log="$build_dir/fuzz-logs/$target.log"
  result=$(cat "$log.result" 2>/dev/null || echo CRASH)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  printf '%-16s %12s %8s %7s %7s %9s  %s\n' "$target" "${execs:--}" "${rate:--}" "${cov:--}" \
    "${ft:--}" "${corpus:--}" "$result"
  if [ "$result" != ok ]; then
    failed+=("$target")
    grep -E 'ERROR|invariant failed|SUMMARY|Test unit written|terminate called|what\(\)' "$log" |
      head -20 | sed 's/^/    /'
    echo "    full log: $log"
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}: reproduce with $build_dir/fuzz/fuzz_<target> <crash file>" >&2
  exit 1
fi
