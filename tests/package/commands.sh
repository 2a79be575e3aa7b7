# Sourced by the package tests: every command and where the build puts it.
declare -A K8SJOBS_COMMAND_PATHS=(
  [jsub]=jsub/jsub [jstart]=jstart/jstart [qcronsub]=jsub/qcronsub [qsub]=qsub/qsub
  [qstat]=qstat/qstat [qdel]=qdel/qdel [qacct]=qacct/qacct [qhold]=qdel/qhold [qrls]=qdel/qrls
  [job]=qstat/job [jstop]=qstat/jstop [jlocal]=jlocal/jlocal
  [k8sjobs-migrate]=migration/k8sjobs-migrate [k8sjobs-controller]=controller/k8sjobs-controller
)
K8SJOBS_COMMANDS=(jsub jstart qcronsub qsub qstat qdel qacct qhold qrls job jstop jlocal k8sjobs-migrate
  k8sjobs-controller)

# The options a --help text lists: every -x/--xy word at the start of a word, outside
# parentheses (where the usage texts give examples such as "crontab -l") and not glued to a
# word (qdel's "task_id[-task_id[:step]]").
help_options() {
  sed -E -e 's/\([^)]*\)//g' -e 's/([^[:space:][])\[-/\1[/g' | grep -oE '(^|[][[:space:],|])--?[A-Za-z@][A-Za-z0-9_-]*' |
    sed -E 's/^[][[:space:],|]//' | sort -u
}

# The options a rendered man page documents: the option words of its .TP entry headings.
man_options() {
  awk 'heading { print; heading = 0 } /^\.TP/ { heading = 1 }' "$1" |
    grep -oE '\\fB--?[A-Za-z@][^\\]*\\fP' | sed -E 's/^\\fB//; s/\\fP$//; s/\\_/_/g' | sort -u
}

# What bash completion offers for `command WORDS... <Tab>` (the last word may be partial).
complete_words() {
  local script="$1"
  shift
  bash --norc --noprofile -c '
    script="$1"; shift
    source "$script"
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    spec=$(complete -p "$1") || exit 3
    function=$(sed -E "s/.*-F ([^ ]+).*/\1/" <<<"$spec")
    "$function" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"
  ' completion "$script" "$@"
}
