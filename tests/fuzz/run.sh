#!/usr/bin/env bash
# Run one libFuzzer target of tests/fuzz/ (the ctest short run and the long
# run of scripts/fuzz.sh both come here):
#   run.sh [--seconds S | --runs N [--max-time S]] [--seeds DIR] BINARY SRCDIR WORKDIR
# 1. replays every input kept in SRCDIR/crashes/<target>/: each must now
#    pass (they are the crashes found before their fixes);
# 2. fuzzes from a copy of SRCDIR/corpus/<target>/ (plus --seeds DIR) in
#    WORKDIR for S seconds, or N executions (--runs; then in fork mode, so
#    that a crash is kept and the run goes on; --max-time stops it earlier),
#    and prints
#      fuzz <target>: <executions> executions in <s> s, <k> crashes
# Exits 1 if a kept crash still crashes or a new one was found (its input
# is then in WORKDIR/artifacts/, the report's top frames are printed).
set -uo pipefail
seconds=12 runs="" seeds="" max_time=0
while [ $# -gt 3 ]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --seeds) seeds=$2; shift 2 ;;
        --max-time) max_time=$2; shift 2 ;;
        *) echo "run.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
[ $# -eq 3 ] || { echo "usage: run.sh [--seconds S | --runs N [--max-time S]] [--seeds DIR] BINARY SRCDIR WORKDIR" >&2; exit 2; }
bin=$1 src=$2 work=$3
name=$(basename "$bin"); name=${name#fuzz_}
[ -x "$bin" ] || { echo "fuzz $name: no binary '$bin'" >&2; exit 2; }
[ -d "$src/corpus/$name" ] || { echo "fuzz $name: no corpus '$src/corpus/$name'" >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export FS_FUZZ_TMPDIR=$work
# faiss's OpenMP threads would only spin on a shared machine.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/lsan.supp:print_suppressions=0}
# Common flags: a 10 s input is a hang, 2 GiB of memory (or one malloc of
# more) is an unbounded allocation; stderr of the target (the harness's
# error lines) is dropped, the sanitizers' reports are kept.
flags=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -close_fd_mask=2)

# The report's frames of the harness (and the first ones of anything else).
frames() {
    grep -E '^ *#[0-9]+ ' "$1" | grep -vE 'fuzzer::|__libc_start|in main ' |
        sed -E 's/^ *(#[0-9]+) 0x[0-9a-f]+ (in )?/\1 /; s/ \(BuildId[^)]*\)//' | head -n 8
    grep -E '^(SUMMARY|==[0-9]+==ERROR)' "$1" | head -n 2
}

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
fail=0

# 1. the kept crashes
if [ -d "$src/crashes/$name" ]; then
    for f in "$src/crashes/$name"/*; do
        [ -f "$f" ] || continue
        case $f in *.md|*.txt) continue ;; esac
        if ! "$bin" "${flags[@]}" -runs=1 -artifact_prefix="$work/replay-" "$f" \
                >"$work/replay.log" 2>&1; then
            echo "fuzz $name: still crashes on crashes/$name/$(basename "$f"):"
            frames "$work/replay.log" | sed 's/^/    /'
            fail=1
        fi
    done
fi

# 2. fuzzing
cp "$src/corpus/$name"/* "$work/corpus/" 2>/dev/null
[ -z "$seeds" ] || cp -r "$seeds"/. "$work/corpus/" 2>/dev/null
log="$work/fuzz.log"
SECONDS=0
if [ -n "$runs" ]; then
    "$bin" "${flags[@]}" -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 \
        -runs="$runs" -max_total_time="$max_time" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
        "$work/corpus" >"$log" 2>&1
else
    "$bin" "${flags[@]}" -max_total_time="$seconds" -artifact_prefix="$work/artifacts/" \
        -print_final_stats=1 "$work/corpus" >"$log" 2>&1
fi
rc=$?
took=$SECONDS
# A crash counts only if its input crashes a fresh process too: a reader
# may fork a child that is meant to die on a bad file (out/results_h5.c's
# HDF5 probe), and libFuzzer's handlers, inherited, save that child's input
# as a crash. Those go to unreproduced/ (100 replays at most).
mkdir -p "$work/unreproduced"
unrepro=0 replayed=0
for a in $(find "$work/artifacts" -type f | sort); do
    [ $replayed -lt 100 ] || break
    replayed=$((replayed + 1))
    if "$bin" "${flags[@]}" -runs=1 -artifact_prefix="$work/replay-" "$a" >/dev/null 2>&1; then
        mv "$a" "$work/unreproduced/"
        unrepro=$((unrepro + 1))
    fi
done
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ -z "$execs" ]; then   # fork mode: the last status line's "#N"
    execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
fi
crashes=$(find "$work/artifacts" -type f | wc -l)
printf 'fuzz %s: %s executions in %d s, %d crashes' "$name" "${execs:-?}" "$took" "$crashes"
[ $unrepro -eq 0 ] || printf ' (and %d inputs that crashed only a forked child)' $unrepro
printf '\n'
if [ "$crashes" -gt 0 ] || { [ $rc -ne 0 ] && [ -z "$runs" ]; }; then
    if [ -n "$runs" ]; then
        # Fork mode keeps every crashing input: replay them (30 at most)
        # and print each distinct report once, with its count and frames.
        : >"$work/distinct.log"
        for a in $(find "$work/artifacts" -type f | sort | head -n 30); do
            "$bin" "${flags[@]}" -runs=1 -artifact_prefix="$work/replay-" "$a" \
                >"$work/replay.log" 2>&1 && continue
            sig=$(grep -m1 -E '^SUMMARY|^==[0-9]+== ?ERROR: libFuzzer' "$work/replay.log" |
                  sed -E 's/\(BuildId[^)]*\)//; s/==[0-9]+==/==/')
            if ! grep -qxF "$sig" "$work/distinct.log"; then
                echo "$sig" >>"$work/distinct.log"
                echo "    $sig"
                echo "      input: $a"
                frames "$work/replay.log" | grep -E '^#' | sed 's/^/      /'
            fi
        done
        [ "$crashes" -le 30 ] || echo "    ($crashes inputs in $work/artifacts/, the first 30 replayed)"
    else
        find "$work/artifacts" -type f | sed 's/^/    input: /'
        frames "$log" | sed 's/^/    /'
    fi
    fail=1
fi
exit $fail
