#!/usr/bin/env bash
# Builds the .deb with CPack and checks it the way an admin and a user would see it: its
# Depends come from the shared libraries, it unpacks into a scratch root with the commands in
# usr/bin, man pages, bash completion and examples, and from there `jsub --version`,
# `man -w jsub` and completion of `jsub -on<Tab>` work. In CI (CI=true, as root) it is also
# installed for real with apt-get and removed again.
# Usage: deb_test.sh BUILD_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/commands.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb=$(ls "$work"/out/k8sjobs_*.deb)
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# Every package that ships a shared library the commands need must be in Depends: what
# dpkg-shlibdeps computes, checked from the binaries' own NEEDED entries.
for command in "${K8SJOBS_COMMANDS[@]}"; do
  readelf -d "$build/${K8SJOBS_COMMAND_PATHS[$command]}" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
done | sort -u >"$work/needed"
[ -s "$work/needed" ] || fail "no NEEDED entries read from the commands"
while read -r library; do
  # awk reads to the end: an early exit would kill ldconfig with SIGPIPE and, under pipefail,
  # this script with it.
  path=$(ldconfig -p | awk -v l="$library" '$1 == l && !found { print $NF; found = 1 }')
  [ -n "$path" ] || { fail "$library is not a known shared library"; continue; }
  # dpkg knows a file by the path its package shipped it under (/lib or /usr/lib, merged-usr).
  package=""
  for candidate in "$(readlink -f "$path")" "$path" "/usr$path" "${path#/usr}"; do
    [ -n "$package" ] || package=$(dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1 || true)
  done
  [ -n "$package" ] || { fail "no package owns $library"; continue; }
  tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//' | grep -qxF "$package" ||
    fail "Depends lacks $package, which ships $library (dpkg-shlibdeps did not run?)"
done <"$work/needed"
[ "$(dpkg-deb -f "$deb" Package)" = k8sjobs ] || fail "package name"
# The submit commands start fast because they load no C++ shared library (bench/jsub_submit.sh;
# the LIST reader they link is nlohmann's, see libk8sjobs/include/k8sjobs/kube/list_body_parser.h).
for command in jsub jstart qcronsub; do
  cxx=$(readelf -d "$build/${K8SJOBS_COMMAND_PATHS[$command]}" |
    grep -oE '\[lib(stdc\+\+|simdjson|yaml|spdlog|fmt|boost)[^]]*\]' || true)
  [ -z "$cxx" ] || fail "$command loads shared libraries curl does not: $cxx"
done

root="$work/root"
dpkg-deb -x "$deb" "$root"
for command in "${K8SJOBS_COMMANDS[@]}"; do
  [ -x "$root/usr/bin/$command" ] || fail "usr/bin/$command missing"
  [ -f "$root/usr/share/man/man1/$command.1.gz" ] || fail "man page of $command missing"
  [ -e "$root/usr/share/bash-completion/completions/$command" ] ||
    fail "bash completion of $command missing"
done
[ -f "$root/usr/share/doc/k8sjobs/examples/config.yaml" ] || fail "example site config missing"
[ -f "$root/usr/share/doc/k8sjobs/examples/role.yaml" ] || fail "example Role missing"
# The licence, as Debian keeps it: machine-readable, Apache-2.0, the whole text of LICENSE.
copyright="$root/usr/share/doc/k8sjobs/copyright"
if [ -f "$copyright" ]; then
  grep -qx 'License: Apache-2.0' "$copyright" || fail "copyright names no Apache-2.0 licence"
  # The text after the last "License: Apache-2.0" line, indentation and " ." lines undone, is
  # LICENSE without its leading and trailing empty lines.
  awk '/^License: Apache-2.0$/ { n = 0; next } { text[++n] = $0 } END {
         for (i = 1; i <= n; i++) { line = substr(text[i], 2); print (line == "." ? "" : line) } }' \
    "$copyright" >"$work/copyright-text"
  awk 'NF { started = 1 } started { lines[++n] = $0; if (NF) last = n }
       END { for (i = 1; i <= last; i++) print lines[i] }' "$here/../../LICENSE" >"$work/license-text"
  cmp -s "$work/copyright-text" "$work/license-text" ||
    fail "the copyright file's licence text is not LICENSE's"
else
  fail "usr/share/doc/k8sjobs/copyright missing"
fi
if dpkg-deb -c "$deb" | grep -qE 'test|apiserver|docgen'; then
  fail "test or build-only files are in the package: $(dpkg-deb -c "$deb" | grep -E 'test|apiserver|docgen')"
fi

# Runs in an environment with nothing of this machine's k8sjobs setup in it.
clean_env=(env -i PATH="$root/usr/bin:/usr/bin:/bin" HOME="$work/home" LANG=C.UTF-8)
mkdir -p "$work/home"
check_installed() {
  local prefix="$1" manpath="$2"
  local version
  version=$("${clean_env[@]}" K8SJOBS_CONFIG="$here/../../docs/examples/config.yaml" \
    "$prefix/bin/jsub" --version) || fail "$prefix/bin/jsub --version exits non-zero"
  grep -qE '^jsub \(k8sjobs\) [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]+|unknown)\)$' \
    <<<"$(head -1 <<<"$version")" || fail "jsub --version: $version"
  grep -q '^backend: kubernetes$' <<<"$version" || fail "jsub --version names no backend: $version"
  grep -q '^site config: .*config.yaml' <<<"$version" ||
    fail "jsub --version names no site config: $version"
  local page
  page=$("${clean_env[@]}" MANPATH="$manpath" man -w jsub) || fail "man -w jsub"
  [ "$page" = "$manpath/man1/jsub.1.gz" ] || fail "man -w jsub: $page, not under $manpath"
  "${clean_env[@]}" MANPATH="$manpath" MANWIDTH=80 man jsub 2>&1 | grep -q -- '-once' ||
    fail "man jsub does not show -once"
  local offered
  offered=$(complete_words "$prefix/share/bash-completion/completions/jsub" jsub -on)
  [ "$offered" = "-once" ] || fail "jsub -on<Tab> offers '$offered', not -once"
  offered=$(complete_words "$prefix/share/bash-completion/completions/qstat" qstat -x)
  [ "$offered" = "-xml" ] || fail "qstat -x<Tab> offers '$offered', not -xml"
}
check_installed "$root/usr" "$root/usr/share/man"
echo "scratch root: jsub --version, man -w jsub, completion checked"

# The real thing, where it is safe: CI runs as root on a machine of its own.
if [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ] && ! dpkg-query -W k8sjobs >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -qq --no-install-recommends "$deb" >"$work/apt.log" 2>&1; then
    clean_env=(env -i PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8)
    check_installed /usr /usr/share/man
    # bash-completion's loader finds the file by the command's name.
    offered=$(bash --norc --noprofile -c 'source /usr/share/bash-completion/bash_completion
      __load_completion jsub; COMP_WORDS=(jsub -on); COMP_CWORD=1; COMP_LINE="jsub -on"
      COMP_POINT=8; $(complete -p jsub | sed -E "s/.*-F ([^ ]+).*/\1/") jsub -on jsub
      printf "%s\n" "${COMPREPLY[@]}"')
    [ "$offered" = "-once" ] || fail "installed: jsub -on<Tab> through bash-completion: '$offered'"
    echo "installed with apt-get: checked"
  else
    cat "$work/apt.log"
    fail "apt-get install $deb"
  fi
  apt-get remove -y -qq k8sjobs >/dev/null 2>&1 || fail "apt-get remove k8sjobs"
fi

if [ "$failures" -gt 0 ]; then
  echo "$failures failures"
  exit 1
fi
echo "package checks passed"
