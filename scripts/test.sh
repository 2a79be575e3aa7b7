#!/usr/bin/env bash
# The whole test suite, from a fresh Debian bookworm machine: install what is needed, build
# twice with warnings as errors (the release configuration, as packaged; then AddressSanitizer +
# UndefinedBehaviorSanitizer), and run every test in both builds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DK8SJOBS_WERROR=ON -DK8SJOBS_TEST_SHARDS=ON
(cd build && ctest --output-on-failure -j "$(nproc)")
# The sanitizer build checks the code, not the documents or the benchmarks: those are built and
# tested once, above.
bash scripts/build.sh build-asan -DK8SJOBS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  -DK8SJOBS_WERROR=ON -DK8SJOBS_BUILD_BENCH=OFF -DK8SJOBS_BUILD_DOCS=OFF -DK8SJOBS_TEST_SHARDS=ON
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j "$(nproc)" -E '^format_check$')
# A short run of every libFuzzer target (clang, the readers only); scripts/fuzz.sh 600 is the
# long one.
bash scripts/fuzz.sh 5
