#!/usr/bin/python3
"""Do two results files hold the same rows, timings aside?

usage: scripts/same-rows.py BEFORE.h5 AFTER.h5

Compares /runs row by row (same order), every column but the measured times
and memory (train_s, add_s, qps, lat_*_us, rss_delta_bytes, prep_s,
audio_s_*; and quantizer_reused, train_reused_s, which say what the
quantizer cache held; and how the times were taken: calls, repetitions,
spread, noisy), and /blend when present (not /timings, the raw samples);
then the root attributes but those that name when, where and how fast the
run happened (and repeats / warmup, whose defaults changed with schema 4; the
cost_* breakdown; how it was split into tasks, merged or resumed). A column only one file has must hold
nothing there (NaN, -1 or empty): a file of a config without an rvc: section
no longer carries RVC's columns (nor an empty /blend). Exits 0 when the same, 1 with a line per
difference otherwise.
"""
import math
import sys

import h5py
import numpy as np

TIMES = {"train_s", "add_s", "qps", "lat_mean_us", "lat_p50_us", "lat_p95_us",
         "lat_p99_us", "rss_delta_bytes", "prep_s", "audio_s_batch", "audio_s_single",
         "audio_s_qexpand", "quantizer_reused", "train_reused_s",
         # how the times were taken (schema 4): calls, repetitions, spread, noisy
         "qps_lo", "qps_hi", "qps_cv", "batch_calls", "batch_reps", "lat_rounds",
         "lat_p50_cv", "lat_p99_cv", "noisy"}
RUN_ATTRS = {"git_commit", "start_time", "wall_s", "faiss_s", "harness_share",
             "config_path", "harness_version", "schema_version", "config_sets",
             "load1_start", "load1_end", "own_cpu_s", "steal_s", "steal_share",
             "others_cpu_s", "others_cpu_share", "machine_busy", "cpu_governor",
             # the timing settings: their defaults changed with schema 4
             "repeats", "warmup",
             # what one session of the run cost, and its journal's share
             "journal_s",
             # how a run was split into tasks and merged (docs/scale-out.md)
             "run_id", "task_index", "task_count", "plan_hash", "merged_tasks",
             "tasks_hosts", "tasks_cpu_models",
             # resumed runs say when
             "resumed", "resumed_at", "resumed_rows"}


def empty(col):
    if col.dtype.kind == "f":
        return bool(np.all(np.isnan(col)))
    if col.dtype.kind in "iu":
        return bool(np.all(col == -1))
    return bool(np.all(col == b""))


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        a, b = float(a), float(b)
        return (math.isnan(a) and math.isnan(b)) or a == b
    return a == b


def compare_table(name, ta, tb, skip, out):
    if len(ta) != len(tb):
        out.append(f"{name}: {len(ta)} rows before, {len(tb)} after")
        return
    na, nb = set(ta.dtype.names), set(tb.dtype.names)
    for c in sorted(na ^ nb):
        side = ta if c in na else tb
        if c not in skip and not empty(side[c]):
            out.append(f"{name}: column '{c}' only {'before' if c in na else 'after'}, not empty")
    for c in [c for c in ta.dtype.names if c in nb and c not in skip]:
        for i, (x, y) in enumerate(zip(ta[c].tolist(), tb[c].tolist())):
            if not same(x, y):
                out.append(f"{name}[{i}].{c}: {x!r} before, {y!r} after")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    fa, fb = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
    out = []
    compare_table("runs", fa["runs"][:], fb["runs"][:], TIMES, out)
    # An empty /blend is no /blend: files without RVC's measure now have none.
    ba = "blend" in fa and len(fa["blend"]) > 0
    bb = "blend" in fb and len(fb["blend"]) > 0
    if ba != bb:
        out.append("/blend in one file only")
    elif ba:
        compare_table("blend", fa["blend"][:], fb["blend"][:], set(), out)
    for k in sorted(set(fa.attrs) | set(fb.attrs)):
        if k in RUN_ATTRS or k.startswith("cost_"):
            continue
        a, b = fa.attrs.get(k), fb.attrs.get(k)
        if a is None or b is None:
            out.append(f"attribute '{k}' only {'before' if b is None else 'after'}")
        elif not np.array_equal(np.asarray(a), np.asarray(b)) and not same(a, b):
            out.append(f"attribute '{k}': {a!r} before, {b!r} after")
    for line in out[:50]:
        print(line)
    rows = len(fa["runs"])
    print(f"{sys.argv[2]}: {'same' if not out else str(len(out)) + ' differences'} "
          f"({rows} rows)")
    sys.exit(1 if out else 0)


main()
