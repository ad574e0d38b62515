#!/usr/bin/env bash
# Submit one sweep to Slurm as three jobs (docs/scale-out.md): `faiss-sweep
# prepare` (ground truths and trained quantizers into cache_dir), then a job
# array of N tasks, each `faiss-sweep run CONFIG --task auto --of N --run-id
# ID`, that starts when prepare succeeded, then `faiss-sweep merge` of the N
# task files when every task succeeded. CPUs, memory and time of each job come
# from `faiss-sweep plan CONFIG --of N --resources`; sbatch options given after
# ours override them (sbatch keeps the last of a repeated option).
#
# usage: scripts/slurm-sweep.sh CONFIG N [-p MAX_PARALLEL] [-o DIR] [--run-id ID] [SBATCH_OPTION...]
#   -p P         at most P tasks at once (--array=0-(N-1)%P); default N. sbatch's
#                own -p (partition) must then be written --partition=NAME
#   -o DIR       the results folder of every job (the config's output_dir otherwise)
#   --run-id ID  the run id of the tasks ([A-Za-z0-9._-], 1-64); default the
#                prepare job's id
# The binary: $FAISS_SWEEP, else build/faiss-sweep of this checkout; it must
# be reachable at the same path on the compute nodes, as must CONFIG, the data
# and DIR (a shared file system). Prints, one per line: prepare=JOBID
# array=JOBID merge=JOBID run_id=ID merged=PATH. Exit 0 when all three are
# submitted; 2 on a usage or plan error; 1 when sbatch fails (the jobs already
# submitted are cancelled).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: scripts/slurm-sweep.sh CONFIG N [-p MAX_PARALLEL] [-o DIR] [--run-id ID] [SBATCH_OPTION...]"

die() { echo "error: $1" >&2; exit "${2:-2}"; }

# An absolute form of a path (which need not exist yet), so that the jobs
# find it whatever their working folder.
absolute() {
    case $1 in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s\n' "$PWD/$1" ;;
    esac
}

# The config's top-level output_dir (plain, '...' or "..." scalar), else
# `results`, the key's default (faiss-sweep help-config).
config_output_dir() {
    local v
    v=$(sed -n -E "s/^output_dir:[[:space:]]*(\"([^\"]*)\"|'([^']*)'|([^#[:space:]]+)).*$/\\2\\3\\4/p" "$1" | tail -n 1)
    printf '%s\n' "${v:-results}"
}

case ${1:-} in -h|--help) echo "$usage"; exit 0 ;; esac
[ $# -ge 2 ] || die "$usage"
config=$1
n=$2
shift 2
[ -r "$config" ] || die "cannot read config '$config'"
[[ $n =~ ^[1-9][0-9]{0,5}$ ]] || die "task count '$n' is not a whole number from 1"
parallel=$n
out=""
run_id=""
extra=()
while [ $# -gt 0 ]; do
    case $1 in
        -p) [ $# -ge 2 ] || die "$usage"; parallel=$2; shift 2 ;;
        -o) [ $# -ge 2 ] || die "$usage"; out=$2; shift 2 ;;
        --run-id) [ $# -ge 2 ] || die "$usage"; run_id=$2; shift 2 ;;
        -h|--help) echo "$usage"; exit 0 ;;
        *) extra+=("$1"); shift ;;
    esac
done
[[ $parallel =~ ^[1-9][0-9]*$ ]] || die "max parallel '$parallel' is not a whole number from 1"
if [ -n "$run_id" ] && ! [[ $run_id =~ ^[A-Za-z0-9._-]{1,64}$ ]]; then
    die "run id '$run_id' is not 1-64 of [A-Za-z0-9._-]"
fi
exe=${FAISS_SWEEP:-$root/build/faiss-sweep}
[ -x "$exe" ] || die "cannot run faiss-sweep '$exe' (build it, or set FAISS_SWEEP)"
command -v sbatch >/dev/null || die "sbatch not found (Slurm's client, Debian's slurm-client)"
exe=$(absolute "$exe")
config=$(absolute "$config")
out=$(absolute "${out:-$(config_output_dir "$config")}")

# The resources: one line, name=NAME tasks=N cpus=T mem_mib=M time_min=S.
plan=$("$exe" plan "$config" --of "$n" --resources) || exit 2
re='^name=([^ ]+) tasks=([0-9]+) cpus=([0-9]+) mem_mib=([0-9]+) time_min=([0-9]+)$'
[[ $plan =~ $re ]] || die "cannot read the plan of '$config': '$plan'"
name=${BASH_REMATCH[1]}
[ "${BASH_REMATCH[2]}" = "$n" ] || die "the plan of '$config' has ${BASH_REMATCH[2]} tasks, not $n"
resources=(--cpus-per-task="${BASH_REMATCH[3]}" --mem="${BASH_REMATCH[4]}M" --time="${BASH_REMATCH[5]}")
mkdir -p "$out" || die "cannot create results folder '$out'"

submitted=()
# submit JOB_SCRIPT SBATCH_OPTION...: prints the job id; on failure cancels
# the jobs submitted so far and exits 1.
submit() {
    local script=$1 id
    shift
    if ! id=$(sbatch --parsable "$@" "${extra[@]}" <<<"$script"); then
        [ ${#submitted[@]} -eq 0 ] || scancel "${submitted[@]}" || true
        die "sbatch refused the ${job:-} job of '$config'${submitted:+ (cancelled ${submitted[*]})}" 1
    fi
    id=${id%%;*}
    [[ $id =~ ^[0-9]+$ ]] || die "sbatch printed no job id for the ${job:-} job of '$config': '$id'" 1
    submitted+=("$id")
    printf '%s\n' "$id"
}

# job_script WORDS...: a batch script that execs WORDS, each quoted for bash.
job_script() {
    printf '#!/bin/bash\n# %s: scripts/slurm-sweep.sh\nexec' "$name"
    printf ' %q' "$@"
    printf '\n'
}

job=prepare
prepare=$(submit "$(job_script "$exe" prepare "$config" -o "$out")" \
    --job-name="$name-prepare" "${resources[@]}")
submitted=("$prepare")
run_id=${run_id:-$prepare}

# An array element resumes its task when a killed run of it (a time limit, a
# requeue after a node failure) left the task's journal.
job=array
array_script=$(printf '#!/bin/bash\n# %s: scripts/slurm-sweep.sh\nresume=()\n' "$name"
    printf '[ -e %q.task-$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}))-of-%s.h5.journal ] && resume=(--resume)\n' \
        "$out/$name-$run_id" "$n"
    printf 'exec'
    printf ' %q' "$exe" run "$config" --task auto --of "$n" --run-id "$run_id" -o "$out" --no-plot
    printf ' "${resume[@]}"\n')
array=$(submit "$array_script" \
    --job-name="$name" --array="0-$((n - 1))%$parallel" \
    --dependency="afterok:$prepare" --kill-on-invalid-dep=yes "${resources[@]}")
submitted=("$prepare" "$array")

# The merge takes the tasks by a pattern, so that a missing one is named by
# merge itself ("missing task 2").
merged=$out/$name-$run_id.h5
job=merge
merge_script=$(printf '#!/bin/bash\n# %s: scripts/slurm-sweep.sh\nexec %q merge %q.task-*-of-%s.h5 -o %q\n' \
    "$name" "$exe" "$out/$name-$run_id" "$n" "$merged")
merge=$(submit "$merge_script" --job-name="$name-merge" --cpus-per-task=1 \
    --dependency="afterok:$array" --kill-on-invalid-dep=yes)

printf 'prepare=%s\narray=%s\nmerge=%s\nrun_id=%s\nmerged=%s\n' \
    "$prepare" "$array" "$merge" "$run_id" "$merged"
