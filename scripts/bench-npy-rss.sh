#!/usr/bin/env bash
# Peak memory of loading a large float32 .npy (issue 3: "loading a 1 GB .npy
# keeps peak RSS under 1.2x the file size"). Makes a ~1 GB file once, runs
# `faiss-sweep dataset info FILE` on it (falling back to the test driver
# `tests/test_npy --info FILE`, which calls the same dataset_info()), and
# prints peak RSS / file size. dataset_info touches every row (norms, NaN,
# duplicates, hash), so the whole file is faulted in.
# Usage: scripts/bench-npy-rss.sh [BUILD_DIR] [FILE]
#   BUILD_DIR: a non-sanitizer build (default: build); FILE default /tmp/fs-bench-1g.npy
# Needs Debian's /usr/bin/python3 with numpy (python3-numpy) to make the file,
# and /usr/bin/time (package `time`), else VmHWM is read from /proc.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
file=${2:-/tmp/fs-bench-1g.npy}
rows=${FS_BENCH_ROWS:-1048576}   # x 256 float32 = 1 GiB of data
dim=${FS_BENCH_DIM:-256}

if [ ! -s "$file" ]; then
    echo "writing $file ($rows x $dim float32)" >&2
    /usr/bin/python3 - "$file" "$rows" "$dim" <<'PY'
import sys, numpy as np
path, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# open_memmap writes the .npy header and lets us fill it in chunks, so making
# the file does not itself need 1 GB of memory.
a = np.lib.format.open_memmap(path, mode="w+", dtype="<f4", shape=(n, d))
rng = np.random.default_rng(1)
step = 65536
for i in range(0, n, step):
    a[i:i + step] = rng.standard_normal((min(step, n - i), d), dtype=np.float32)
a.flush()
PY
fi

cmd=("$build/faiss-sweep" dataset info "$file")
if ! "$build/faiss-sweep" dataset info "$file" >/dev/null 2>&1; then
    echo "faiss-sweep has no 'dataset info' yet: using $build/tests/test_npy --info" >&2
    cmd=("$build/tests/test_npy" --info "$file")
fi

size=$(stat -c %s "$file")
if [ -x /usr/bin/time ]; then
    out=$(/usr/bin/time -v "${cmd[@]}" 2>&1 >/dev/null)
    peak_kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' <<<"$out")
else
    # no GNU time: poll VmHWM of the running process
    "${cmd[@]}" >/dev/null & pid=$!
    peak_kb=0
    while kill -0 "$pid" 2>/dev/null; do
        v=$(sed -n 's/^VmHWM: *\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null || true)
        [ -n "$v" ] && peak_kb=$v
        sleep 0.05
    done
    wait "$pid"
fi
awk -v kb="$peak_kb" -v size="$size" -v cmd="${cmd[*]}" 'BEGIN {
    ratio = kb * 1024 / size
    printf "command:   %s\nfile:      %.1f MiB\npeak RSS:  %.1f MiB\nratio:     %.3f (limit 1.2) %s\n",
           cmd, size / 1048576, kb / 1024, ratio, ratio < 1.2 ? "OK" : "TOO HIGH"
    exit ratio < 1.2 ? 0 : 1
}'
