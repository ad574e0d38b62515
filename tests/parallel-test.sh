#!/usr/bin/env bash
# parallel-test.sh - the GNU parallel form of docs/scale-out.md on this
# machine (issue 14): `faiss-sweep prepare`, then two tasks on two local slots
# (`parallel -j2 faiss-sweep run CONFIG --task {} --of 2 --run-id ID ::: 0 1`),
# then `faiss-sweep merge`; the merged file holds the points of the same
# config run as one plain `run` (scripts/same-rows.py). Then one task killed:
# merge refuses and names it; the task rerun alone with --resume; merged
# again, to the same points. Skipped (exit 77) where GNU parallel is not
# installed (scripts/deps.sh installs it).
#
# usage: tests/parallel-test.sh FAISS_SWEEP SHARED_DATA WORKDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
[ $# = 3 ] || { echo "usage: tests/parallel-test.sh FAISS_SWEEP SHARED_DATA WORKDIR" >&2; exit 2; }
case $1 in /*) exe=$1 ;; *) exe=$PWD/$1 ;; esac
shared=$2
work=$3
. "$here/check.sh"
. "$here/slurm/sweep.sh"
py=${FS_PYTHON3:-/usr/bin/python3}
command -v parallel >/dev/null && parallel --version 2>/dev/null | grep -q 'GNU parallel' ||
    { echo "skip: GNU parallel is not installed (scripts/deps.sh installs it)" >&2; exit 77; }

rm -rf "$work"
mkdir -p "$work"
cfg=$work/scaleout.yaml
out=$work/sweep
id=par-1
write_config "$shared" "$cfg"
ref=$(reference_run "$exe" "$cfg" "$work/single")
check "the reference: one plain run" test -n "$ref"

check "prepare" eval '"$exe" prepare "$cfg" -o "$out" >"$work/prepare.log" 2>&1'
check "two tasks on two local slots" eval 'parallel -j2 --halt now,fail=1 "$exe" run "$cfg" --task {} --of 2 \
    --run-id "$id" -o "$out" --no-plot --quiet ::: 0 1 >"$work/tasks.log" 2>&1'
mapfile -t tasks < <(task_files "$out" scaleout "$id" 2)
check "two task files" ls "${tasks[@]}" >/dev/null
merged=$out/scaleout-$id.h5
check "merge" eval '"$exe" merge "${tasks[@]}" -o "$merged" >"$work/merge.log" 2>&1'
check "the merged file: the single run's points" same_points "$py" "$root" "$ref" "$merged"

# Task 1 killed (SIGKILL once its journal is there, before its first point
# ends: each takes 0.1 s at least): merge refuses and says which; the task
# rerun alone with --resume; merged again.
rm -f "${tasks[1]}" "$merged"
check "task 1 killed: its journal left, no results file" kill_task "${tasks[1]}" \
    "$exe" run "$cfg" --task 1 --of 2 --run-id "$id" -o "$out" --no-plot --quiet
got=$("$exe" merge "$out"/scaleout-$id.task-*-of-2.h5 -o "$merged" 2>&1)
rc=$?
echo "$got"
check "merge without task 1: exit 1, 'missing task 1', no file" eval \
    '[ $rc = 1 ] && grep -q "missing task 1" <<<"$got" && [ ! -e "$merged" ]'
check "task 1 rerun alone (--resume)" eval '"$exe" run "$cfg" --task 1 --of 2 --run-id "$id" -o "$out" \
    --no-plot --quiet --resume >"$work/rerun.log" 2>&1'
check "merged again" eval '"$exe" merge "${tasks[@]}" -o "$merged" >>"$work/merge.log" 2>&1'
check "merged again: the single run's points" same_points "$py" "$root" "$ref" "$merged"

# docs/k8s-indexed-job.yaml keeps to the contract: not run on Kubernetes
# here, but its containers' commands run on this machine, in its order, in a
# folder laid out as its volume (configs/ci.yaml, results/), with the env of
# the manifest and JOB_COMPLETION_INDEX = 0..completions-1 as Kubernetes
# sets it (one after another); the merged file holds the points of the same
# config (named ci) run as one plain run.
k8s=$work/k8s
mkdir -p "$k8s/configs" "$k8s/bin"
ln -s "$exe" "$k8s/bin/faiss-sweep"
write_config "$shared" "$k8s/configs/ci.yaml" ci
ref_ci=$(reference_run "$exe" "$k8s/configs/ci.yaml" "$work/single-ci")
check "docs/k8s-indexed-job.yaml: an Indexed Job; its commands run here" "$py" -c '
import os, shutil, subprocess, sys, yaml
docs = {d["metadata"]["name"]: d for d in yaml.safe_load_all(open(sys.argv[1]))}
def container(job):
    return docs[job]["spec"]["template"]["spec"]["containers"][0]
def run(job, extra={}):
    c = container(job)
    env = dict(os.environ, PATH=sys.argv[2] + "/bin:" + os.environ["PATH"], **extra)
    env.update({e["name"]: e["value"] for e in c.get("env", [])})
    cmd = [shutil.which(c["command"][0], path=env["PATH"])] + c["command"][1:]
    r = subprocess.run(cmd, cwd=sys.argv[2], env=env, stdout=subprocess.DEVNULL)
    print(job, extra, "exit", r.returncode)
    return r.returncode == 0
spec = docs["faiss-sweep-tasks"]["spec"]
ok = spec["completionMode"] == "Indexed" and spec["parallelism"] <= spec["completions"]
ok = ok and run("faiss-sweep-prepare")
for i in range(spec["completions"]):
    ok = ok and run("faiss-sweep-tasks", {"JOB_COMPLETION_INDEX": str(i)})
ok = ok and run("faiss-sweep-merge")
sys.exit(0 if ok else 1)' "$root/docs/k8s-indexed-job.yaml" "$k8s"
check "the manifest's merged file: the single run's points" \
    same_points "$py" "$root" "$ref_ci" "$k8s/results/ci-ci-k8s-1.h5"
check_end parallel-test
