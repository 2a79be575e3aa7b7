#!/usr/bin/env bash
# Configures and builds k8sjobs.
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake arguments...]
# Default BUILD_DIR is build/, RelWithDebInfo, warnings as errors (a developer's build; a plain
# cmake configure leaves them off). K8SJOBS_BUILD_TARGETS="jsub qstat" builds only those targets.
# Example sanitizer build: scripts/build.sh build-asan -DK8SJOBS_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
shift || true
jobs="${K8SJOBS_BUILD_JOBS:-$(nproc)}"
# ccache (installed by setup.sh) lets a build in a fresh clone reuse what an earlier build of the
# same sources compiled. CCACHE_BASEDIR turns the clone's absolute paths into relative ones, and
# CCACHE_NOHASHDIR leaves the build folder out of the hash: -g objects would otherwise name it,
# but CMakeLists.txt maps the source and build folders away (-ffile-prefix-map), so an object
# compiled in another clone is the same object.
if command -v ccache >/dev/null 2>&1 && [ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ]; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
  export CCACHE_NOHASHDIR=true
fi
# File by file unless the arguments ask for a unity build (scripts/test.sh does).
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DK8SJOBS_WERROR=ON \
  -DCMAKE_UNITY_BUILD=OFF "$@" \
  >/dev/null
targets=()
for target in ${K8SJOBS_BUILD_TARGETS:-}; do targets+=(--target "$target"); done
cmake --build "$build_dir" -j "$jobs" "${targets[@]}"
