#!/usr/bin/env bash
# Run one libFuzzer target of tests/fuzz/ (the ctest short run and the long
# run of scripts/fuzz.sh both come here):
#   run.sh [--seconds S | --runs N [--max-time S]] [--seeds DIR] BINARY SRCDIR WORKDIR
# 1. replays every input kept in SRCDIR/crashes/<target>/: each must now
#    pass (they are the crashes found before their fixes); those in
#    crashes/<target>/hdf5/ crash HDF5 itself, and must pass through the
#    product's reader (FS_FUZZ_PROBE=1: its h5_probe child takes the crash
#    and the reader returns an error);
# 2. fuzzes from a copy of SRCDIR/corpus/<target>/ (plus --seeds DIR) in
#    WORKDIR for S seconds, or N executions (--runs; --max-time stops it
#    earlier), in libFuzzer's fork mode (a crash is kept and the run goes
#    on), and prints
#      fuzz <target>: <executions> executions in <s> s, <k> crashes
# 3. replays each crashing input (100 at most): one that passes in a fresh
#    process goes to WORKDIR/unreproduced/; one whose report starts in
#    HDF5 and that the product's reader (FS_FUZZ_PROBE=1) turns into an
#    error goes to WORKDIR/hdf5/ (HDF5's bug, contained: counted, printed,
#    not a failure); the rest are the harness's.
# Exits 1 if a kept crash still crashes or a new one of the harness's was
# found (its input is then in WORKDIR/artifacts/, the report's top frames
# are printed).
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
# The HDF5 targets read in-process (README.md), where HDF5 1.10 loops for
# minutes on some damaged heaps, about once in 2000 inputs: 1 s is their
# hang while fuzzing (their inputs take milliseconds), 3 s in replays (the
# product's probe gives the `distance` attribute 3 s too), or those loops
# would take most of a run. And HDF5 keeps allocations from one input to the next (type
# conversion paths, free lists), so libFuzzer's per-input leak check (a
# heap scan after each input that mallocs more than it frees) would run
# after most inputs: they fuzz without it, and then every input of the
# corpus runs once with it (step 3).
fuzz_flags=() hdf5=0
case $name in
    annb|results) hdf5=1 flags[0]=-timeout=3 fuzz_flags=(-timeout=1 -detect_leaks=0) ;;
esac

# The report's frames of the harness (and the first ones of anything else).
frames() {
    grep -E '^ *#[0-9]+ ' "$1" |
        grep -vE 'fuzzer::|__libc_start|in main |__sanitizer::|__asan::|__sanitizer_print_stack_trace' |
        sed -E 's/^ *(#[0-9]+) 0x[0-9a-f]+ (in )?/\1 /; s/ \(BuildId[^)]*\)//' | head -n 8
    grep -E '^(SUMMARY|==[0-9]+==ERROR)' "$1" | head -n 2
}

# One input run once, in-process (PROBE 0) or through the product's
# reader (PROBE 1, FS_FUZZ_PROBE=1: a libFuzzer timeout of 60 s, since
# results_read's probe allows 10 s and more before it ends a hang with an
# error). Exits as the target did. Its stderr is kept (the caller logs
# it): with -close_fd_mask=2, ASan in a probe child that dies would write
# its report to ".<pid>" in the current folder.
replay() {   # INPUT PROBE
    if [ "$2" = 1 ]; then
        FS_FUZZ_PROBE=1 "$bin" "${flags[@]}" -close_fd_mask=0 -timeout=60 -runs=1 \
            -artifact_prefix="$work/replay-" "$1"
    else
        "$bin" "${flags[@]}" -close_fd_mask=0 -runs=1 -artifact_prefix="$work/replay-" "$1"
    fi
}

# starts_in_hdf5 REPORT: classify.sh.
. "$(dirname "$0")/classify.sh"

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
fail=0

# 1. the kept crashes: the harness's (in-process), then HDF5's (through
# the product's reader, with more time: results_read's probe allows 10 s
# and more, and ends a hang with an error).
replay_kept() {   # DIR LABEL PROBE (1: the product's reader, 60 s an input)
    local dir=$1 label=$2 probe=$3 f
    [ -d "$dir" ] || return 0
    for f in "$dir"/*; do
        [ -f "$f" ] || continue
        case $f in *.md|*.txt) continue ;; esac
        if ! replay "$f" "$probe" >"$work/replay.log" 2>&1; then
            echo "fuzz $name: $label crashes/$name/${f#"$src/crashes/$name/"}:"
            frames "$work/replay.log" | sed 's/^/    /'
            fail=1
        fi
    done
}
replay_kept "$src/crashes/$name" "still crashes on" 0
replay_kept "$src/crashes/$name/hdf5" "the product's probe does not contain" 1

# 2. fuzzing, in fork mode either way: a crash is kept and the run goes on
# (an input that crashes HDF5 in-process must not end a short run either).
cp "$src/corpus/$name"/* "$work/corpus/" 2>/dev/null
[ -z "$seeds" ] || cp -r "$seeds"/. "$work/corpus/" 2>/dev/null
log="$work/fuzz.log"
if [ -n "$runs" ]; then
    limits=(-runs="$runs" -max_total_time="$max_time")
else
    limits=(-max_total_time="$seconds")
fi
SECONDS=0
# Reports are not symbolized while fuzzing (llvm-symbolizer per crash is
# most of what an HDF5 crash costs): step 3 replays each input and reads
# its symbolized report.
ASAN_OPTIONS=$ASAN_OPTIONS:symbolize=0 UBSAN_OPTIONS=$UBSAN_OPTIONS:symbolize=0 \
"$bin" "${flags[@]}" "${fuzz_flags[@]}" -fork=1 -ignore_crashes=1 -ignore_ooms=1 \
    -ignore_timeouts=1 "${limits[@]}" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    "$work/corpus" >"$log" 2>&1
took=$SECONDS
# The HDF5 targets' leak check: the corpus (every input that found new
# coverage) once, with libFuzzer's leak check after each input.
if [ $hdf5 -eq 1 ]; then
    "$bin" "${flags[@]}" -runs=0 -artifact_prefix="$work/artifacts/" "$work/corpus" \
        >"$work/leaks.log" 2>&1
    leaks_checked=$(ls "$work/corpus" | wc -l)
fi

# 3. what crashed. A crash counts only if its input crashes a fresh process
# too (a reader's probe child inherits libFuzzer's handlers, which save its
# input when it dies as meant): those go to unreproduced/. One whose report
# starts in HDF5 and that the product's reader turns into an error goes to
# hdf5/. Each distinct report is printed once, with its first input and
# frames. A long run of an HDF5 target keeps hundreds of HDF5's crashes and
# hangs, and a hang's replays take 3 s and the probe's limit: at most 60 of
# the crashes (and leaks, out-of-memory) and 15 of the timeouts are
# replayed, spread over the sorted list; the others stay in artifacts/,
# counted as not replayed (the run fails on a crash of the harness's found
# among those replayed).
# Every n-th of the lines read, n lines at most, spread over them.
spread() {
    awk -v n="$1" '{ a[NR] = $0 } END { m = NR < n ? NR : n
                     for (i = 0; i < m; i++) print a[int(i * NR / m) + 1] }'
}
mkdir -p "$work/unreproduced" "$work/hdf5" "$work/replays"
unrepro=0 inhdf5=0 ours=0
: >"$work/distinct.log"
: >"$work/details.log"
for a in $(find "$work/artifacts" -type f ! -name 'timeout-*' | sort | spread 60) \
         $(find "$work/artifacts" -type f -name 'timeout-*' | sort | spread 15); do
    rlog="$work/replays/$(basename "$a").log"
    if replay "$a" 0 >"$rlog" 2>&1; then
        mv "$a" "$work/unreproduced/"
        unrepro=$((unrepro + 1))
        continue
    fi
    kind="the harness's"
    if starts_in_hdf5 "$rlog" && replay "$a" 1 >/dev/null 2>&1; then
        mv "$a" "$work/hdf5/"
        a="$work/hdf5/$(basename "$a")"
        inhdf5=$((inhdf5 + 1))
        kind="HDF5's, contained by the probe"
    else
        ours=$((ours + 1))
    fi
    sig=$(grep -m1 -E '^SUMMARY|^==[0-9]+== ?ERROR: libFuzzer' "$rlog" |
          sed -E 's/\(BuildId[^)]*\)//; s/==[0-9]+==/==/')
    if ! grep -qxF "$kind: $sig" "$work/distinct.log"; then
        echo "$kind: $sig" >>"$work/distinct.log"
        { echo "    $kind: $sig"
          echo "      input: $a"
          frames "$rlog" | grep -E '^#' | sed 's/^/      /'; } >>"$work/details.log"
    fi
done
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ -z "$execs" ]; then   # fork mode: the last status line's "#N"
    execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
fi
unreplayed=$(( $(find "$work/artifacts" -type f | wc -l) - ours ))
printf 'fuzz %s: %s executions in %d s, %d crashes' "$name" "${execs:-?}" "$took" "$ours"
[ $inhdf5 -eq 0 ] || printf ' (and %d in HDF5, which the product'"'"'s probe turns into an error)' $inhdf5
[ $unrepro -eq 0 ] || printf ' (and %d inputs that crashed only a forked child)' $unrepro
[ $unreplayed -eq 0 ] || printf ' (and %d inputs not replayed, in artifacts/)' $unreplayed
[ $hdf5 -eq 0 ] || printf '; leak check: the %d inputs of the corpus' "$leaks_checked"
printf '\n'
cat "$work/details.log"
if [ -z "$execs" ]; then
    echo "fuzz $name: the fuzzer did not run:"
    tail -n 5 "$log" | sed 's/^/    /'
    fail=1
fi
[ "$ours" -eq 0 ] || fail=1
exit $fail
