#!/usr/bin/env bash
# Repeatability of the timings: run one config twice back to back with each
# faiss-sweep binary given, then print, per binary, the median and the 95th
# percentile over points of (larger / smaller) between its two runs, for batch
# qps and for single-query p50 latency. Run it on a quiet machine.
#
# usage: scripts/bench-repeat.sh [-c CONFIG] [-s KEY=VALUE]... BINARY [BINARY ...]
#   e.g. scripts/bench-repeat.sh /tmp/before/build/faiss-sweep build/faiss-sweep
#        scripts/bench-repeat.sh -s measure.threads=1 build/faiss-sweep
# (the "before" binary built from an earlier commit, as in README's Tests
# section; -s is passed to every run as --set KEY=VALUE)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
config=$root/configs/default.yaml
sets=()
while [ $# -gt 0 ]; do
    case $1 in
        -c) config=$2; shift 2 ;;
        -s) sets+=(--set "$2"); shift 2 ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "usage: $0 [-c CONFIG] [-s KEY=VALUE]... BINARY [BINARY ...]" >&2; exit 2; }

work=$(mktemp -d /tmp/fs-bench-repeat-XXXXXX)
files=()
for bin in "$@"; do
    for run in 1 2; do
        out=$work/$(echo "$bin" | tr '/' '_')-$run
        start=$(date +%s)
        "$bin" run "$config" --no-plot --quiet -o "$out" ${sets[@]+"${sets[@]}"} >"$out.log" 2>&1 ||
            { echo "bench-repeat: '$bin' failed, see $out.log" >&2; exit 1; }
        echo "$bin run $run: $(( $(date +%s) - start )) s wall, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
        files+=("$(ls "$out"/*.h5)")
    done
done

/usr/bin/python3 - "$@" -- "${files[@]}" <<'EOF'
import sys
import h5py
import numpy as np

args = sys.argv[1:]
sep = args.index("--")
bins, files = args[:sep], args[sep + 1:]

def rows(path):
    r = h5py.File(path, "r")["runs"][:]
    ok = r["status"] == b"ok"
    key = [(f, m, n, p, k, pre) for f, m, n, p, k, pre in
           zip(r["factory"], r["metric"], r["N"], r["nprobe"], r["k_factor"], r["preprocess"])]
    return {k: (q, l) for k, q, l, o in zip(key, r["qps"], r["lat_p50_us"], ok) if o}

# Per binary: over the points both runs have, the median and 95th percentile
# of larger/smaller for qps and p50; "shift" is the median of run 2 / run 1
# (the whole machine faster or slower between the runs), and the last two
# columns repeat the qps figures with that shift divided out: what is left is
# each point's own noise, not the machine's drift. "builds" is the range of
# the per-build medians of run 2 / run 1 (a build's points all faster or
# slower together: the machine over minutes, or that build's memory).
print(f"{'binary':<40} {'points':>6} {'qps med':>8} {'qps p95':>8} {'p50 med':>8} "
      f"{'p50 p95':>8} {'shift':>6} {'qps med*':>8} {'qps p95*':>8} {'builds':>11}")
for i, b in enumerate(bins):
    a, c = rows(files[2 * i]), rows(files[2 * i + 1])
    common = [k for k in sorted(set(a) & set(c)) if min(a[k][0], c[k][0], a[k][1], c[k][1]) > 0]
    def spread(v):
        v = np.maximum(v, 1 / v)
        return np.median(v), np.percentile(v, 95)
    q = np.array([c[k][0] / a[k][0] for k in common])
    l = np.array([c[k][1] / a[k][1] for k in common])
    qm, q95 = spread(q)
    lm, l95 = spread(l)
    shift = np.median(q)
    sm, s95 = spread(q / shift)
    per_build = {}
    for k, v in zip(common, q):
        per_build.setdefault((k[0], k[1], k[2], k[5]), []).append(v)
    bm = [np.median(v) for v in per_build.values()]
    print(f"{b[-40:]:<40} {len(common):>6} {qm:>8.3f} {q95:>8.3f} {lm:>8.3f} {l95:>8.3f} "
          f"{shift:>6.3f} {sm:>8.3f} {s95:>8.3f} {min(bm):>5.3f}-{max(bm):.3f}")
EOF
rm -rf "$work"
