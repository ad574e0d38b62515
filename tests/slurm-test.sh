#!/usr/bin/env bash
# slurm-test.sh - scripts/slurm-sweep.sh on a real single-node Slurm (issue 14):
#   1. its submissions, read by a recording stand-in for sbatch (no Slurm
#      needed): the three jobs, their dependencies, the array's range and
#      limit, the resources of `faiss-sweep plan --resources`, the run id,
#      extra sbatch options passed last; a refused sbatch cancels the jobs
#      already submitted; a bad config submits nothing;
#   2. on a private Slurm (tests/slurm/with-slurm.sh; skipped, exit 77, where
#      Slurm or munge is missing or does not start): a 3-task sweep of a small
#      real config (tests/slurm/sweep.sh) through the script, waited for
#      (FS_SLURM_WAIT seconds at most, default 240), whose merged file holds
#      the points of the same config run as one plain `run`
#      (scripts/same-rows.py); then one task's file lost, the task resubmitted
#      alone (docs/scale-out.md) and merged again, to the same points.
# Installs nothing (scripts/deps.sh does).
#
# usage: tests/slurm-test.sh FAISS_SWEEP SHARED_DATA WORKDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
inner=""
if [ "${1:-}" = --in-slurm ]; then
    inner=1
    shift
fi
[ $# = 3 ] || { echo "usage: tests/slurm-test.sh FAISS_SWEEP SHARED_DATA WORKDIR" >&2; exit 2; }
case $1 in /*) exe=$1 ;; *) exe=$PWD/$1 ;; esac
shared=$2
work=$3
. "$here/check.sh"
. "$here/slurm/sweep.sh"
export FAISS_SWEEP=$exe
# Debian's python3 (with python3-h5py), not another one first on PATH.
py=${FS_PYTHON3:-/usr/bin/python3}
sweep=$root/scripts/slurm-sweep.sh
cfg=$work/scaleout.yaml

# --- 1. the submissions, through a recording sbatch -----------------------

# A stand-in sbatch and scancel in DIR: each sbatch call appends its options
# (one a line), then its job script, to DIR/calls and prints the next job id
# from 101; the call numbered $FAIL_AT (if set) fails. scancel records its
# arguments in DIR/cancelled.
fake_slurm() {
    mkdir -p "$1"
    cat >"$1/sbatch" <<'EOF'
#!/usr/bin/env bash
dir=$(dirname "$0")
n=$(( $(cat "$dir/count" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$dir/count"
{ echo "=== call $n"; printf '%s\n' "$@"; echo "--- script"; cat; } >>"$dir/calls"
[ "$n" != "${FAIL_AT:-}" ] || { echo "sbatch: error: refused" >&2; exit 1; }
echo "$((100 + n));fssweep"
EOF
    printf '#!/bin/sh\necho "$@" >>"$(dirname "$0")/cancelled"\n' >"$1/scancel"
    chmod +x "$1/sbatch" "$1/scancel"
}

# call DIR N: the options and script of sbatch call N.
call() { awk -v n="$2" '/^=== call /{on = ($3 == n); next} on' "$1/calls"; }

has_line() { grep -qxF -- "$2" <<<"$1"; }
has_text() { grep -qF -- "$2" <<<"$1"; }

submissions() {
    local fake=$work/fake plan got a m re rc
    fake_slurm "$fake"
    plan=$("$exe" plan "$cfg" --of 3 --resources)
    re='^name=scaleout tasks=3 cpus=([0-9]+) mem_mib=([0-9]+) time_min=([0-9]+)$'
    check "plan --resources: one line '$plan'" eval '[[ $plan =~ $re ]]'
    got=$(PATH=$fake:$PATH "$sweep" "$cfg" 3 -p 2 -o "$work/fake-out" --partition=x 2>&1)
    check "submitted: exit 0" test $? = 0
    check "prints the job ids, the run id, the merged path" test "$got" = \
        "$(printf 'prepare=101\narray=102\nmerge=103\nrun_id=101\nmerged=%s\n' "$work/fake-out/scaleout-101.h5")"
    a=$(call "$fake" 2)
    check "array: --array=0-2%2" has_line "$a" "--array=0-2%2"
    check "array: after prepare, killed on a failed one" eval \
        'has_line "$a" --dependency=afterok:101 && has_line "$a" --kill-on-invalid-dep=yes'
    check "array: the plan's cpus, memory, time" eval 'has_line "$a" "--cpus-per-task=${BASH_REMATCH[1]}" &&
        has_line "$a" "--mem=${BASH_REMATCH[2]}M" && has_line "$a" "--time=${BASH_REMATCH[3]}"'
    check "array: extra sbatch options last" test "$(sed -n '/^--- script/{x;p;q};h' <<<"$a")" = "--partition=x"
    check "array: each task runs 'run --task auto --of 3 --run-id 101'" has_text "$a" \
        "run $cfg --task auto --of 3 --run-id 101 -o $work/fake-out"
    check "prepare: 'faiss-sweep prepare CONFIG'" has_text "$(call "$fake" 1)" "$exe prepare $cfg -o $work/fake-out"
    m=$(call "$fake" 3)
    check "merge: after the array" has_line "$m" --dependency=afterok:102
    check "merge: the tasks of run 101 into the merged path" has_text "$m" \
        "merge $work/fake-out/scaleout-101.task-*-of-3.h5 -o $work/fake-out/scaleout-101.h5"

    # A killed task's element, run again (a requeue): resumes it.
    a=$work/fake-out/scaleout-101.task-1-of-3.h5
    check "a killed task leaves its journal" kill_task "$a" \
        "$exe" run "$cfg" --task 1 --of 3 --run-id 101 -o "$work/fake-out" --no-plot --quiet
    SLURM_ARRAY_JOB_ID=102 SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=3 \
        bash -c "$(call "$fake" 2 | sed '1,/^--- script/d')" >"$work/requeued.log" 2>&1
    rc=$?
    check "its array element run again resumes it (exit 0, no journal left)" eval \
        '[ $rc = 0 ] && [ -e "$a" ] && [ ! -e "$a.journal" ]'

    got=$(PATH=$fake:$PATH "$sweep" "$cfg" 2 --run-id my.run-1 -o "$work/fake-out" 2>&1)
    check "--run-id: used by the tasks and the merged path" eval \
        'has_line "$got" run_id=my.run-1 && has_line "$got" "merged=$work/fake-out/scaleout-my.run-1.h5" &&
         has_text "$(call "$fake" 5)" "--run-id my.run-1"'
    check "no -p: the whole array at once" has_line "$(call "$fake" 5)" "--array=0-1%2"

    got=$(PATH=$fake:$PATH FAIL_AT=8 "$sweep" "$cfg" 2 -o "$work/fake-out" 2>&1)
    rc=$?
    check "sbatch refuses the array: exit 1, says so" eval \
        '[ $rc = 1 ] && has_text "$got" "error: sbatch refused the array job of '"'$cfg'"'"'
    check "... and cancels the prepare job" test "$(cat "$fake/cancelled" 2>/dev/null)" = 107

    # No -o: the config's output_dir (relative: to the current folder).
    sed 's/^checkpoint_s:.*/&\noutput_dir: "out dir" # quoted/' "$cfg" >"$work/outdir.yaml"
    got=$(cd "$work" && PATH=$fake:$PATH "$sweep" outdir.yaml 2 2>&1)
    check "no -o: the config's output_dir" eval 'has_line "$got" "merged=$work/out dir/scaleout-109.h5" &&
        has_text "$(call "$fake" 10)" "--run-id 109 -o $work/out\\ dir"'

    printf 'name: bad\nnot_a_key: 1\n' >"$work/bad.yaml"
    rm -f "$fake/count"
    got=$(PATH=$fake:$PATH "$sweep" "$work/bad.yaml" 2 2>&1)
    rc=$?
    check "a bad config: exit 2, nothing submitted" eval '[ $rc = 2 ] && [ ! -e "$fake/count" ]'
    got=$(PATH=$fake:$PATH "$sweep" "$cfg" 2 --run-id 'a b' 2>&1)
    rc=$?
    check "a bad run id: exit 2, says so" eval '[ $rc = 2 ] && has_text "$got" "error: run id '"'a b'"'"'
}

# --- 2. on a private Slurm -------------------------------------------------

# wait_jobs ID...: until none is queued, FS_SLURM_WAIT s at most; then every
# job (each array element) must have COMPLETED. Prints the states otherwise.
wait_jobs() {
    local t=$((${FS_SLURM_WAIT:-240} * 2)) states
    while [ -n "$(squeue -h -o %i -j "$(IFS=,; echo "$*")" 2>/dev/null)" ]; do
        t=$((t - 1))
        if [ $t -le 0 ]; then
            echo "jobs $* still queued after ${FS_SLURM_WAIT:-240} s:" >&2
            squeue >&2
            return 1
        fi
        sleep 0.5
    done
    states=$(for j in "$@"; do scontrol -o show job "$j"; done | grep -o 'JobState=[A-Z_]*' | sort | uniq -c)
    grep -q . <<<"$states" && ! grep -qv 'JobState=COMPLETED$' <<<"$states" && return 0
    echo "jobs $*: $states" >&2
    tail -n 5 "$work"/slurm/*.out >&2
    return 1
}

in_slurm() {
    local out=$work/sweep got prep arr merge id merged
    mkdir -p "$work/slurm"
    cd "$work/slurm" || return 1
    got=$("$sweep" "$cfg" 3 -p 2 -o "$out")
    check "slurm-sweep.sh submitted the sweep" test $? = 0
    [ "$failures" = 0 ] || { check_end slurm-test; return; }
    echo "$got"
    prep=$(sed -n 's/^prepare=//p' <<<"$got")
    arr=$(sed -n 's/^array=//p' <<<"$got")
    merge=$(sed -n 's/^merge=//p' <<<"$got")
    id=$(sed -n 's/^run_id=//p' <<<"$got")
    merged=$(sed -n 's/^merged=//p' <<<"$got")
    check "prepare, the array and merge completed" wait_jobs "$prep" "$arr" "$merge"
    [ "$failures" = 0 ] || { check_end slurm-test; return; }
    check "three task files" ls $(task_files "$out" scaleout "$id" 3) >/dev/null
    check "the merged file: the single run's points" same_points "$py" "$root" "$ref" "$merged"
    check "the merged file: merged_tasks = 3" test "$("$py" -c 'import sys, h5py
print(h5py.File(sys.argv[1], "r").attrs["merged_tasks"])' "$merged")" = 3
    check "summary reads the merged file" eval '"$exe" summary "$merged" >/dev/null'

    # Task 1 lost: rerun alone, then merge again (docs/scale-out.md; it left
    # no journal, so no --resume: tests/parallel-test.sh kills one instead).
    rm -f "$(task_files "$out" scaleout "$id" 3 | sed -n 2p)" "$merged"
    arr=$(sbatch --parsable --job-name=scaleout-task1 --cpus-per-task=1 --wrap \
        "exec '$exe' run '$cfg' --task 1 --of 3 --run-id '$id' -o '$out' --no-plot")
    merge=$(sbatch --parsable --dependency="afterok:$arr" --kill-on-invalid-dep=yes --wrap \
        "exec '$exe' merge $(task_files "$out" scaleout "$id" 3 | tr '\n' ' ') -o '$merged'")
    check "task 1 rerun alone, then merged" wait_jobs "$arr" "$merge"
    check "merged again: the single run's points" same_points "$py" "$root" "$ref" "$merged"
    check_end slurm-test
}

if [ -n "$inner" ]; then
    ref=$(ls "$work"/single/scaleout-*.h5)
    in_slurm
    exit
fi

rm -rf "$work"
mkdir -p "$work"
write_config "$shared" "$cfg"
submissions
ref=$(reference_run "$exe" "$cfg" "$work/single")
check "the reference: one plain run" test -n "$ref"
FS_SLURM_LIFETIME=${FS_SLURM_LIFETIME:-600} bash "$here/slurm/with-slurm.sh" bash "$0" --in-slurm "$exe" "$shared" "$work"
rc=$?
if [ $rc = 77 ] && [ "$failures" = 0 ]; then
    echo "slurm-test: $passes passed before the skip" >&2
    exit 77
fi
check "the sweep on a private Slurm (above)" test $rc = 0
check_end slurm-test
