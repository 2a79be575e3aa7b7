#!/usr/bin/env bash
# The main job on the embedded default (no cluster needed): install, build, submit a job with
# jsub, see it in qstat, then read its output file. Builds only the two commands it runs (a
# release build, as installed); scripts/test.sh builds the rest in the same folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
K8SJOBS_BUILD_TARGETS="jsub qstat" bash scripts/build.sh build -DCMAKE_BUILD_TYPE=Release \
  -DK8SJOBS_WERROR=OFF

demo_home="$(mktemp -d /tmp/k8sjobs-demo.XXXXXX)"
export HOME="$demo_home" K8SJOBS_STATE_DIR="$demo_home/.local/state/k8sjobs"
unset K8SJOBS_CONFIG K8SJOBS_BACKEND
cd "$demo_home"
bin="$OLDPWD/build"

echo "\$ jsub -N hello /bin/sh -c 'echo \"hello from job \$JOB_ID on \$(hostname)\"; sleep 3'"
"$bin/jsub/jsub" -N hello /bin/sh -c 'echo "hello from job $JOB_ID on $(hostname)"; sleep 3'
sleep 0.5
echo "\$ qstat"
"$bin/qstat/qstat"
echo "\$ jsub -sync y -N second /bin/echo done   # waits for the job"
"$bin/jsub/jsub" -sync y -N second /bin/echo done
echo "\$ cat ~/hello.out"
for _ in $(seq 50); do [ -s hello.out ] && break; sleep 0.1; done
cat hello.out
echo "(demo home: $demo_home)"
