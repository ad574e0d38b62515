#!/usr/bin/env bash
# Run tests/answers/answers.yaml and compare its answers with the committed
# baseline: `faiss-sweep compare --no-times --exact` (any change of a recall,
# of missing ids or of an index's size fails). Exit 77 (skipped) without the
# shared data.
# usage: tests/answers/check.sh FAISS_SWEEP SHARED_DATA WORKDIR
set -euo pipefail
bin=$1 shared=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
base=$shared/sift5k/sift-dataset-5k.tsv
if [ ! -f "$base" ]; then
    echo "skipped: no '$base' (../shared/datasets)"
    exit 77
fi
rm -rf "$work"
mkdir -p "$work"
"$bin" run "$here/answers.yaml" --no-plot --quiet -o "$work" \
    --set "dataset.base=$base" --set "cache_dir=$work/cache" >"$work/run.log" 2>&1 ||
    { cat "$work/run.log"; echo "answers: the sweep failed"; exit 1; }
"$bin" compare "$here/baseline.h5" "$work"/answers-*.h5 --no-times --exact \
    --markdown "$work/compare.md"
