#!/usr/bin/env bash
# The whole test suite, from a fresh Debian bookworm machine: install what is needed, build
# twice (release with warnings as errors, then AddressSanitizer + UndefinedBehaviorSanitizer),
# and run every test in both builds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build
(cd build && ctest --output-on-failure -j "$(nproc)")
bash scripts/build.sh build-asan -DK8SJOBS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j "$(nproc)" -E '^format_check$')
