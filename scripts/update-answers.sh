#!/usr/bin/env bash
# Record tests/answers/baseline.h5 again, after a change that moves an answer
# on purpose (say why in the commit). Runs tests/answers/answers.yaml with the
# binary given (default build/faiss-sweep) on ../shared/datasets.
# usage: scripts/update-answers.sh [BINARY]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/faiss-sweep}
base=$root/../shared/datasets/sift5k/sift-dataset-5k.tsv
work=$(mktemp -d /tmp/fs-answers-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$bin" run "$root/tests/answers/answers.yaml" --no-plot --quiet -o "$work" \
    --set "dataset.base=$base" --set "cache_dir=$work/cache" >"$work/run.log" 2>&1 ||
    { cat "$work/run.log" >&2; exit 1; }
cp "$work"/answers-*.h5 "$root/tests/answers/baseline.h5"
echo "recorded $root/tests/answers/baseline.h5 ($(du -h "$root/tests/answers/baseline.h5" | cut -f1))"
