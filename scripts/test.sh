#!/usr/bin/env bash
# The whole test suite, from a fresh Debian bookworm machine: install what is needed, build
# twice with warnings as errors (the release configuration, as packaged; then AddressSanitizer +
# UndefinedBehaviorSanitizer), and run every test in both builds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Both builds are unity builds (CMAKE_UNITY_BUILD: CMake compiles 16 sources of a target as
# one file), so the headers most files include (nlohmann/json, GoogleTest) and the templates
# they instantiate are compiled a sixteenth as often: from nothing, the Release build compiles
# in 450 s of CPU instead of 1,100 (CONTRIBUTING.md). A developer's build (scripts/build.sh)
# compiles file by file, so that a change compiles one file.
unity=(-DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16)
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DK8SJOBS_WERROR=ON -DK8SJOBS_TEST_SHARDS=ON \
  "${unity[@]}"

# The Release tests mostly wait (for the processes they start, a controller's loop, the clock):
# about 35 s of CPU in 70 s. They run while the sanitizer build compiles and links, which runs
# niced so the tests' processes get the CPU first; their output is printed once both are done.
release_log="$(mktemp)"
trap 'rm -f "$release_log"' EXIT
(cd build && ctest --output-on-failure -j 4) >"$release_log" 2>&1 &
release_tests=$!

# The sanitizer build checks the code, not the documents or the benchmarks: those are built and
# tested once, above. -Og (still a Debug build: assertions on) runs the CPU-bound tests about
# twice as fast as -O0 under the sanitizers, which still see every access; -O1 and -O2 would
# too, but GCC 12 then reports false -Wmaybe-uninitialized inside libstdc++'s <regex>. lld links
# its sanitized programs in 0.7 s where ld.bfd takes 3.6 s (k8sjobs-controller). -g1 keeps the
# line tables a sanitizer's report needs (function, file:line) without the types and variables
# of full debug info, which cost a third of this build's compile time.
asan_build=0
nice -n 10 bash scripts/build.sh build-asan -DK8SJOBS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_CXX_FLAGS_DEBUG=-g1 -Og" -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DK8SJOBS_WERROR=ON \
  -DK8SJOBS_BUILD_BENCH=OFF -DK8SJOBS_BUILD_DOCS=OFF -DK8SJOBS_TEST_SHARDS=ON "${unity[@]}" ||
  asan_build=$?
release=0
wait "$release_tests" || release=$?
echo "--- Release tests (build/) ---"
cat "$release_log"
[ "$release" -eq 0 ] || { echo "test.sh: the Release tests failed" >&2; exit 1; }
[ "$asan_build" -eq 0 ] || { echo "test.sh: the sanitizer build failed" >&2; exit 1; }

echo "--- ASan + UBSan tests (build-asan/) ---"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j 4 -E '^format_check$')
# A short run of every libFuzzer target (clang, the readers only); scripts/fuzz.sh 600 is the
# long one.
bash scripts/fuzz.sh 5
