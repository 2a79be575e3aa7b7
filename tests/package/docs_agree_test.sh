#!/usr/bin/env bash
# For every command: the options its --help lists, the options its man page documents and the
# options bash completion offers are the same set, and for jsub/jstart/qcronsub that set holds
# every option of the option table. Fails naming each option that is missing where.
# Usage: docs_agree_test.sh BUILD_DIR
set -euo pipefail
build="$1"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/commands.sh"
completion="$build/completion/completions/jsub"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

table_options=$("$build/docs/k8sjobs-docgen" submit-option-words | tr ' ' '\n' | sort -u)
[ -n "$table_options" ] || fail "the option table is empty"

for command in "${K8SJOBS_COMMANDS[@]}"; do
  binary="$build/${K8SJOBS_COMMAND_PATHS[$command]}"
  page="$build/docs/man1/$command.1"
  [ -f "$page" ] || { fail "$command has no man page ($page)"; continue; }
  help=$(env -i PATH=/usr/bin:/bin HOME=/nonexistent "$binary" --help) ||
    fail "$command --help exits non-zero"
  in_help=$(help_options <<<"$help")
  in_man=$(man_options "$page")
  [ -n "$in_help" ] || fail "$command --help lists no options"
  for option in $(comm -23 <(echo "$in_help") <(echo "$in_man")); do
    fail "$command: $option is in --help but has no entry in the man page"
  done
  for option in $(comm -13 <(echo "$in_help") <(echo "$in_man")); do
    fail "$command: the man page documents $option, which --help does not list"
  done
  case "$command" in
    jsub | jstart | qcronsub)
      for option in $(comm -23 <(echo "$table_options") <(echo "$in_man")); do
        fail "$command: option table entry $option has no man-page entry"
      done
      completed=$(complete_words "$completion" "$command" -) ;;
    k8sjobs-migrate)
      completed=$( (complete_words "$completion" "$command" ""
        for sub in check convert apply; do complete_words "$completion" "$command" "$sub" -; done) |
        grep -E '^-' ) ;;
    *)
      completed=$(complete_words "$completion" "$command" -) ;;
  esac
  completed=$(sort -u <<<"$completed")
  for option in $(comm -3 <(echo "$in_help") <(echo "$completed") | tr -d '\t'); do
    fail "$command: --help and bash completion differ on $option"
  done
  echo "$command: $(wc -l <<<"$in_help") options agree in --help, man page and completion"
done

# --version of every command: version, commit, backend and site config in use.
for command in "${K8SJOBS_COMMANDS[@]}"; do
  version=$(env -i PATH=/usr/bin:/bin HOME=/nonexistent K8SJOBS_BACKEND=kubernetes \
    "$build/${K8SJOBS_COMMAND_PATHS[$command]}" --version) || fail "$command --version exits non-zero"
  grep -qE "^$command \(k8sjobs\) [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]+|unknown)\)\$" \
    <<<"$version" || fail "$command --version: $version"
  grep -qx 'backend: kubernetes' <<<"$version" || fail "$command --version names no backend"
  grep -q '^site config: built-in defaults' <<<"$version" ||
    fail "$command --version names no site config: $version"
done
echo "--version: checked for ${#K8SJOBS_COMMANDS[@]} commands"

# Completion of job IDs and names asks qstat: a job of the local backend is offered to qdel,
# qstat -j, qhold and jstop.
state="$(mktemp -d)"
trap 'rm -rf "$state"' EXIT
local_env=(env -i PATH="$build/qstat:$build/qdel:$build/jsub:/usr/bin:/bin" HOME="$state"
  K8SJOBS_STATE_DIR="$state/jobs" USER=tester LOGNAME=tester K8SJOBS_USER=tester)
submitted=$("${local_env[@]}" jsub -N completeme sleep 60) || fail "local jsub: $submitted"
id=$(grep -oE '[0-9]+' <<<"$submitted" | head -1)
in_ids() { "${local_env[@]}" bash -c "$(declare -f complete_words); complete_words \"\$@\"" _ "$completion" "$@"; }
[[ " $(in_ids qdel "" | tr '\n' ' ') " == *" $id "* ]] || fail "qdel <Tab> does not offer job $id"
[ "$(in_ids qdel comp)" = completeme ] || fail "qdel comp<Tab> does not offer completeme"
[ "$(in_ids qstat -j comp)" = completeme ] || fail "qstat -j comp<Tab>: $(in_ids qstat -j comp)"
[ "$(in_ids qhold comp)" = completeme ] || fail "qhold comp<Tab>"
[ "$(in_ids jstop comp)" = completeme ] || fail "jstop comp<Tab>"
"${local_env[@]}" qdel "$id" >/dev/null || fail "local qdel $id"
echo "completion of job IDs and names: checked (job $id)"

# Every site-config key is in docs/config.md, and every key that is not a section is in the
# jsub man page's SITE CONFIGURATION (a volume entry's keys: home.volumes).
keys=$("$build/docs/k8sjobs-docgen" site-config-keys)
config_md="$here/../../docs/config.md"
jsub_page=$(MANWIDTH=250 man -l "$build/docs/man1/jsub.1" 2>/dev/null)
for key in $keys; do
  section=false
  for other in $keys; do [[ $other == "$key."* || $other == "$key[]."* ]] && section=true; done
  $section && continue
  case "$key" in
    *'[]'.*) grep -qF "| \`${key##*.}\` |" "$config_md" || fail "config.md: volume key ${key##*.}" ;;
    *)
      grep -qF "\`$key\`" "$config_md" || fail "config.md does not document $key"
      grep -qF "$key" <<<"$jsub_page" || fail "man jsub does not name site-config key $key" ;;
  esac
done
echo "site config: $(wc -w <<<"$keys") keys documented"

if [ "$failures" -gt 0 ]; then
  echo "$failures failures"
  exit 1
fi
