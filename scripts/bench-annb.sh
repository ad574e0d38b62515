#!/usr/bin/env bash
# The ann-benchmarks-shaped grid of issue 11 (configs/annb-fashion.yaml:
# Fashion-MNIST, IVF256,Flat and IVF1024,Flat, nprobe 1, 4, 16, 64, k = 10),
# run once with a fresh, empty cache folder, so the wall time includes
# computing the ground truth and training every coarse quantizer. Prints the
# wall time with the load average at start and end, the cost breakdown when
# the results file has root attributes cost_*_s, and the table of points.
# Run it on a quiet machine (target: well under 2 minutes).
#
# usage: scripts/bench-annb.sh [BINARY]   (default: build/faiss-sweep)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -le 1 ] || { echo "usage: $0 [BINARY]" >&2; exit 2; }
bin=${1:-$root/build/faiss-sweep}
config=$root/configs/annb-fashion.yaml

work=$(mktemp -d /tmp/fs-bench-annb-XXXXXX)
trap 'rm -rf "$work"' EXIT
load0=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s%N)
"$bin" run "$config" --no-plot --quiet -o "$work/out" --set "cache_dir=$work/cache" \
    >"$work/run.log" 2>&1 ||
    { cat "$work/run.log" >&2; echo "bench-annb: '$bin' failed" >&2; exit 1; }
ms=$(( ($(date +%s%N) - start) / 1000000 ))
load1=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'annb-fashion: %d.%d s wall (fresh cache: ground truth computed), load %s at start, %s at end\n' \
    $((ms / 1000)) $((ms % 1000 / 100)) "$load0" "$load1"

/usr/bin/python3 - "$(ls "$work"/out/*.h5)" <<'PY'
import math
import sys
import h5py

f = h5py.File(sys.argv[1], "r")
cost = sorted((k, float(v)) for k, v in f.attrs.items()
              if k.startswith("cost_") and k.endswith("_s"))
if cost:
    print("cost breakdown (results file):")
    for k, v in cost:
        print(f"  {k[5:-2]:<24} {v:8.2f} s")
r = f["runs"][:]
print(f"{'factory':<16} {'nprobe':>6} {'recall@10':>9} {'qps':>9} {'qps 95% interval':>19} "
      f"{'p50 us':>8} {'noisy':>5}")
for row in r:
    if row["status"] != b"ok":
        print(f"{row['factory'].decode():<16} {row['nprobe']:>6}  {row['status'].decode()}")
        continue
    lo, hi = row["qps_lo"], row["qps_hi"]
    iv = "-" if math.isnan(lo) else f"{lo:.0f}-{hi:.0f}"
    print(f"{row['factory'].decode():<16} {row['nprobe']:>6} {row['recall_at_10']:>9.4f} "
          f"{row['qps']:>9.0f} {iv:>19} {row['lat_p50_us']:>8.1f} {row['noisy']:>5}")
PY
