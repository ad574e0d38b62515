#!/usr/bin/env bash
# classify-test.sh - run.sh's starts_in_hdf5 (classify.sh) on the reports
# kept in reports/: each file's name says whose crash it is, hdf5-* or
# ours-*. hdf5-timeout-glibc-symbols.txt is the report that failed CI
# (a hang in HDF5 taken for the harness's: the C library's memcpy frame,
# symbolized from its debug symbols, came first).
#   classify-test.sh SRCDIR      (SRCDIR is tests/fuzz)
set -uo pipefail
. "$(dirname "$0")/../check.sh"
[ $# -eq 1 ] || { echo "usage: classify-test.sh SRCDIR" >&2; exit 2; }
. "$1/classify.sh"

not() { ! "$@"; }
for f in "$1"/reports/*.txt; do
    case $(basename "$f") in
        hdf5-*) check "$(basename "$f") starts in HDF5" starts_in_hdf5 "$f" ;;
        ours-*) check "$(basename "$f") is the harness's" not starts_in_hdf5 "$f" ;;
        *) check "$(basename "$f") is named hdf5-* or ours-*" false ;;
    esac
done
check_end classify-test
