#!/usr/bin/env bash
# probe-test.sh - the inputs kept in crashes/<target>/hdf5/ crash HDF5 1.10
# itself when read in-process, as the annb and results fuzz targets read
# (README.md). The product reads them through h5_probe's child (lib/h5.h):
# each must give one error line naming the file and exit 1, not a signal,
# an abort or a hang (a ctest entry of the normal suite, gcc build):
#   probe-test.sh FAISS_SWEEP SRCDIR WORKDIR
# SRCDIR is tests/fuzz; ann-benchmarks inputs go to `dataset info --format
# ann-hdf5`, results inputs to `summary`.
set -uo pipefail
. "$(dirname "$0")/../check.sh"
[ $# -eq 3 ] || { echo "usage: probe-test.sh FAISS_SWEEP SRCDIR WORKDIR" >&2; exit 2; }
bin=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"

# One input: exit 1 within 60 s, and stderr one line "faiss-sweep: ..." naming it.
refused() {   # FILE COMMAND...
    local f=$1 rc lines
    shift
    timeout 60 "$bin" "$@" "$f" >"$work/out" 2>"$work/err"
    rc=$?
    lines=$(wc -l <"$work/err")
    if [ $rc -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -q "^faiss-sweep: .*'$f'" "$work/err"; then
        echo "    exit $rc, stderr:"
        head -n 5 "$work/err" | sed 's/^/    /'
        return 1
    fi
}

n=0
for f in "$src"/crashes/annb/hdf5/* "$src"/crashes/results/hdf5/*; do
    [ -f "$f" ] || continue
    target=$(basename "$(dirname "$(dirname "$f")")")
    cp "$f" "$work/$(basename "$f").$target"
    in="$work/$(basename "$f").$target"
    if [ "$target" = annb ]; then
        check "annb/$(basename "$f"): an error through the probe" \
            refused "$in" dataset info --format ann-hdf5
    else
        check "results/$(basename "$f"): an error through the probe" refused "$in" summary
    fi
    n=$((n + 1))
done
check "inputs kept as HDF5's crashes found ($n)" test "$n" -gt 0
check_end probe-test
