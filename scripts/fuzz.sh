#!/usr/bin/env bash
# The libFuzzer targets of tests/fuzz/ (README there): configure and build
# them with clang in build-fuzz/ (ASan + UBSan, coverage on the harness),
# then
#   scripts/fuzz.sh --short        the short run: ctest -L fuzz in build-fuzz
#                                  (seeds, then each target for about 12 s;
#                                  fails on any crash, kept or new)
#   scripts/fuzz.sh [--build DIR] [--runs N] [--max-time S] [TARGET...]
#                                  the long run: N executions per target
#                                  (default 1000000; at most S seconds each,
#                                  default 3600), printing per target the
#                                  executions, time and crashes found
# --build names the build folder (default build-fuzz; a long run reruns
# its binaries, so give it a folder of its own to keep building meanwhile).
# FAISS_ROOT (environment) names faiss's install prefix when it is not
# .deps/faiss. Exits 1 if a target crashed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
short=0 runs=1000000 max_time=3600 build=build-fuzz targets=()
while [ $# -gt 0 ]; do
    case $1 in
        --short) short=1; shift ;;
        --runs) runs=$2; shift 2 ;;
        --max-time) max_time=$2; shift 2 ;;
        --build) build=$2; shift 2 ;;
        -*) echo "fuzz.sh: unknown option '$1'" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(config npy texmex idx tsv glove annb rvc_index results)

command -v clang >/dev/null || { echo "fuzz.sh: clang not found (scripts/deps.sh installs it)" >&2; exit 1; }
conf=(-DFS_FUZZ=ON -DFS_SANITIZE=address,undefined -DBUILD_TESTING=OFF
      -DCMAKE_BUILD_TYPE=RelWithDebInfo)
[ -z "${FAISS_ROOT:-}" ] || conf+=(-DFAISS_ROOT="$FAISS_ROOT")
CC=clang cmake -S . -B "$build" "${conf[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)" --target fuzz_all >/dev/null

if [ $short -eq 1 ]; then
    cd "$build"
    exec ctest -L fuzz --output-on-failure
fi

/usr/bin/python3 tests/fuzz/make_seeds.py real "$root" "$root/../shared/datasets" \
    "$build/fuzz-seeds" "$build/fuzz/fuzz_make_index"
echo "fuzz: $runs executions per target, at most $max_time s each; $(nproc) cores," \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
fail=0
for t in "${targets[@]}"; do
    bash tests/fuzz/run.sh --runs "$runs" --max-time "$max_time" \
        --seeds "$build/fuzz-seeds/$t" "$build/fuzz/fuzz_$t" tests/fuzz \
        "$build/fuzz-long/$t" || fail=1
done
echo "fuzz: done, load $(cut -d' ' -f1-3 /proc/loadavg)"
exit $fail
