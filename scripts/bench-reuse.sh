#!/usr/bin/env bash
# Reuse of trained coarse quantizers (issue 11): run configs/reuse-grid.yaml
# twice with one faiss-sweep binary, first with reuse_quantizers=false, then
# with reuse on, each with its own fresh, empty cache folder (so neither the
# on-disk quantizer cache nor the ground-truth cache favours either run).
# Prints the grid (each build, and whether it reused a quantizer), both wall
# times with the load average at start and end, their ratio, and checks that
# the two runs' recall columns are identical (reuse changes no answer).
# Run it on a quiet machine (target: ratio >= 1.5).
#
# usage: scripts/bench-reuse.sh [BINARY]   (default: build/faiss-sweep)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -le 1 ] || { echo "usage: $0 [BINARY]" >&2; exit 2; }
bin=${1:-$root/build/faiss-sweep}
config=$root/configs/reuse-grid.yaml

work=$(mktemp -d /tmp/fs-bench-reuse-XXXXXX)
trap 'rm -rf "$work"' EXIT
walls=()
for reuse in false true; do
    out=$work/reuse-$reuse
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    start=$(date +%s%N)
    "$bin" run "$config" --no-plot --quiet -o "$out" \
        --set "cache_dir=$out/cache" --set "reuse_quantizers=$reuse" >"$out.log" 2>&1 ||
        { cat "$out.log" >&2; echo "bench-reuse: '$bin' failed (reuse $reuse)" >&2; exit 1; }
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    walls+=("$ms")
    printf 'reuse %-5s: %d.%d s wall, load %s at start, %s at end\n' "$reuse" \
        $((ms / 1000)) $((ms % 1000 / 100)) "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)"
done

/usr/bin/python3 - "${walls[@]}" "$(ls "$work"/reuse-false/*.h5)" "$(ls "$work"/reuse-true/*.h5)" <<'PY'
import sys
import h5py
import numpy as np

off_ms, on_ms, off_path, on_path = sys.argv[1:]
off, on = (h5py.File(p, "r")["runs"][:] for p in (off_path, on_path))

def builds(r):
    """One row per build: (factory, N) -> (quantizer_reused, train_s, train_reused_s)."""
    b = {}
    for row in r:
        b.setdefault((row["factory"].decode(), int(row["N"])),
                     (int(row["quantizer_reused"]), row["train_s"], row["train_reused_s"]))
    return b

bo, bn = builds(off), builds(on)
print(f"{'build':<28} {'train_s off':>11} {'reused on':>9} {'train_s on':>10} "
      f"{'reused part':>11}")
for key in bo:
    ro, to, _ = bo[key]
    rn, tn, tr = bn.get(key, (-1, float("nan"), float("nan")))
    print(f"{key[0]:<28} {to:>11.2f} {'yes' if rn == 1 else 'no':>9} {tn:>10.2f} {tr:>11.2f}")

ratio = int(off_ms) / int(on_ms)
print(f"wall time: {int(off_ms) / 1000:.1f} s without reuse, {int(on_ms) / 1000:.1f} s with reuse: "
      f"{ratio:.2f}x")

recall = [c for c in off.dtype.names if c.startswith("recall")]
same = len(off) == len(on) and all(
    np.array_equal(off[c], on[c], equal_nan=off[c].dtype.kind == "f")
    for c in recall + ["factory", "nprobe", "status"])
print(f"recall columns ({', '.join(recall)}) over {len(off)} rows: "
      f"{'identical' if same else 'DIFFERENT'}")
sys.exit(0 if same else 1)
PY
