#!/usr/bin/env bash
# Configures and builds k8sjobs. Usage: scripts/build.sh [BUILD_DIR] [extra cmake arguments...]
# Default BUILD_DIR is build/. Example sanitizer build: scripts/build.sh build-asan -DK8SJOBS_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
shift || true
jobs="${K8SJOBS_BUILD_JOBS:-$(nproc)}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j "$jobs"
