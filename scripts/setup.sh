#!/usr/bin/env bash
# Installs everything k8sjobs needs to build and test on Debian bookworm.
# Idempotent: packages already present are left alone. Run as root (or with sudo).
# go-md2man renders the man pages; man-db, bash-completion, dpkg-dev and file (dpkg-shlibdeps)
# are what the package test needs to build the .deb and check `man -w jsub` and completion.
# python3-aiosmtpd is the real SMTP server the mail e2e tests start.
# clang and its runtime (libFuzzer, sanitizers) build the fuzzers (scripts/fuzz.sh); lld links
# the sanitizer build (scripts/test.sh), 5x faster than ld.bfd there.
# chromium (headless) and prometheus (promtool) check the controller's status page and /metrics.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates
  libboost-program-options-dev libboost-filesystem-dev libboost-dev
  libcurl4-openssl-dev libssl-dev openssl curl
  nlohmann-json3-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libyaml-dev
  libcpp-httplib-dev libbrotli-dev zlib1g-dev
  libsimdjson-dev
  libgtest-dev libgmock-dev
  clang-format libxml2-utils
  clang libclang-rt-14-dev lld
  go-md2man man-db bash-completion dpkg-dev file
  chromium prometheus
  python3-aiosmtpd
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: installed ${missing[*]}"
else
  echo "setup: all packages present"
fi
