#!/usr/bin/env bash
# parallel-test.sh - the GNU parallel form of docs/scale-out.md on this
# machine (issue 14): `faiss-sweep prepare`, then two tasks on two local slots
# (`parallel -j2 faiss-sweep run CONFIG --task {} --of 2 --run-id ID ::: 0 1`),
# then `faiss-sweep merge`; the merged file holds the points of the same
# config run as one plain `run` (scripts/same-rows.py). Then one task lost:
# merge refuses and names it; the task rerun alone with --resume; merged
# again, to the same points. Skipped (exit 77) where GNU parallel is not
# installed (scripts/deps.sh installs it).
#
# usage: tests/parallel-test.sh FAISS_SWEEP SHARED_DATA WORKDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
[ $# = 3 ] || { echo "usage: tests/parallel-test.sh FAISS_SWEEP SHARED_DATA WORKDIR" >&2; exit 2; }
exe=$1
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
check "the merged file: the single run's points" "$py" "$root/scripts/same-rows.py" "$ref" "$merged"

# Task 1 lost: merge refuses and says which; rerun alone; merge again.
rm -f "${tasks[1]}" "$merged"
got=$("$exe" merge "$out"/scaleout-$id.task-*-of-2.h5 -o "$merged" 2>&1)
rc=$?
check "merge without task 1: exit 1, 'missing task 1', no file" eval \
    '[ $rc = 1 ] && grep -q "missing task 1" <<<"$got" && [ ! -e "$merged" ]'
check "task 1 rerun alone (--resume)" eval '"$exe" run "$cfg" --task 1 --of 2 --run-id "$id" -o "$out" \
    --no-plot --quiet --resume >"$work/rerun.log" 2>&1'
check "merged again" eval '"$exe" merge "${tasks[@]}" -o "$merged" >>"$work/merge.log" 2>&1'
check "merged again: the single run's points" "$py" "$root/scripts/same-rows.py" "$ref" "$merged"

# docs/k8s-indexed-job.yaml (not run here) keeps to the same contract.
check "docs/k8s-indexed-job.yaml: an Indexed Job of tasks --task auto --of completions" "$py" -c '
import sys, yaml
docs = {d["metadata"]["name"]: d for d in yaml.safe_load_all(open(sys.argv[1]))}
spec = docs["faiss-sweep-tasks"]["spec"]
cmd = " ".join(spec["template"]["spec"]["containers"][0]["command"])
n = spec["completions"]
ok = (spec["completionMode"] == "Indexed" and spec["parallelism"] <= n
      and f"run configs/ci.yaml --task auto --of {n} --run-id" in cmd
      and f".task-*-of-{n}.h5" in " ".join(docs["faiss-sweep-merge"]["spec"]["template"]["spec"]["containers"][0]["command"])
      and "prepare" in docs["faiss-sweep-prepare"]["spec"]["template"]["spec"]["containers"][0]["command"])
sys.exit(0 if ok else 1)' "$root/docs/k8s-indexed-job.yaml"
check_end parallel-test
