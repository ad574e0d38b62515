# sweep.sh - sourced by tests/slurm-test.sh and tests/parallel-test.sh: the
# small real sweep both engines run, and its reference run.
#
# write_config SHARED_DATA PATH [NAME]: a config (named NAME, default scaleout) on the real SIFT 5k set (200 held
#   out as queries): Flat, three IVF-Flat builds and an IVF-SQ8 whose coarse
#   quantizer is the IVF32 one (trained once, by prepare, into cache_dir);
#   one thread per task, so that two tasks share this 2-core machine; one
#   repetition of at least 0.1 s per point (the tests compare points, not
#   speeds; 0.1 s leaves a task alive long enough to be killed on purpose).
#   Deterministic kinds only.
# reference_run FAISS_SWEEP CONFIG DIR: the same config as one plain run into
#   DIR; prints the results file's path.
# task_files DIR NAME ID N: the N task files' paths, in task order.
# kill_task FILE COMMAND...: COMMAND (a task writing FILE) in the background,
#   SIGKILLed 50 ms after FILE.journal appears, before its first point ends
#   (each takes 0.1 s at least); 0 when it left the journal and no FILE. The
#   50 ms let the journal's head record land: a task killed between the
#   journal's creation and its head's write cannot be resumed (its journal
#   has to be removed by hand; see docs/scale-out.md).
# same_points PYTHON ROOT REF MERGED: scripts/same-rows.py REF MERGED (every
#   column but times, every root attribute but times and the provenance of
#   tasks and merges): 0 when the same points.

write_config() {
    cat >"$2" <<EOF
name: ${3:-scaleout}
dataset:
  format: tsv-id
  base: $1/sift5k/sift-dataset-5k.tsv
  holdout: 200
k: [1, 10]
metrics: [l2]
indexes:
  - factory: Flat
  - factory: "IVF{nlist},Flat"
    nlist: [16, 32, 64]
  - factory: "IVF{nlist},SQ8"
    nlist: [32]
search:
  nprobe: [1, 4, 16]
measure:
  threads: 1
  repeats: 1
  warmup: 0
  min_time: 0.1
  latency_queries: 0
checkpoint_s: -1
EOF
}

reference_run() {
    "$1" run "$2" -o "$3" --no-plot --quiet >"$3.log" 2>&1 || { cat "$3.log" >&2; return 1; }
    ls "$3"/*.h5
}

task_files() {
    local i
    for ((i = 0; i < $4; i++)); do
        printf '%s\n' "$1/$2-$3.task-$i-of-$4.h5"
    done
}

same_points() {
    "$1" "$2/scripts/same-rows.py" "$3" "$4"
}

kill_task() {
    local file=$1 pid
    shift
    "$@" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1000); do
        [ -e "$file.journal" ] && break
        sleep 0.01
    done
    sleep 0.05
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ -e "$file.journal" ] && [ ! -e "$file" ]
}
