#!/usr/bin/env python3
"""Read a results file the way a user would: Debian's python3-h5py, no custom
code. Runs a small real sweep (SIFT 5k) with the faiss-sweep binary, then
checks the documented columns and attributes, the plots, and that bad input
gives a one-line error naming the file and a non-zero exit.

usage: check_h5py.py FAISS_SWEEP SHARED_DATASETS WORKDIR
"""
import glob
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

exe, shared, work = sys.argv[1:4]
sift = os.path.join(shared, "sift5k", "sift-dataset-5k.tsv")
if not os.path.exists(sift):
    print(f"skipped: {sift} not found")
    sys.exit(0)

shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = passes = 0


def check(cond, what):
    global failures, passes
    print(("ok   " if cond else "FAIL ") + what)
    failures += not cond
    passes += bool(cond)


cfg = os.path.join(work, "sift.yaml")
with open(cfg, "w") as f:
    f.write(f"""name: h5py-check
dataset: {{format: tsv-id, base: {sift}, holdout: 100}}
k: [1, 10]
metrics: [l2]
indexes:
  - factory: Flat
  - factory: "IVF{{nlist}},Flat"
    nlist: [16]
search: {{nprobe: [1, 4, 16, 32], k_factor: [1, 2]}}
measure: {{repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 10}}
rvc: {{blend_k: 8, index_rate: [0.75, 0, 0.5]}}
output_dir: {work}
""")

p = subprocess.run([exe, "run", cfg], capture_output=True, text=True)
check(p.returncode == 0, f"run exits 0 (stderr: {p.stderr.strip()[-300:]})")
files = glob.glob(os.path.join(work, "h5py-check-*.h5"))
check(len(files) == 1, "one results file named <name>-<UTC timestamp>.h5")
check(not glob.glob(os.path.join(work, "*.partial")), "no .partial file left")
path = files[0]

with h5py.File(path, "r") as f:
    runs = f["runs"][:]
    attrs = dict(f.attrs)
    blend = f["blend"][:] if "blend" in f else None
cols = list(runs.dtype.names)


def schema(ks):
    """The /runs columns and roles the program documents (`faiss-sweep
    help-results`, the README's table), recall columns expanded for ks."""
    p = subprocess.run([exe, "help-results"], capture_output=True, text=True, check=True)
    names, roles = [], []
    for line in p.stdout.split("\n\n")[0].splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        names.append(cells[0].strip("`"))
        roles.append(cells[2])
    out_names, out_roles = [], []
    for n, r in zip(names, roles):
        for k in (ks if "<k>" in n else [None]):
            out_names.append(n.replace("<k>", str(k)) if k else n)
            out_roles.append(r)
    return out_names, out_roles


documented, documented_roles = schema([1, 10])
check(cols == documented, f"columns are the documented ones: {cols}")
with h5py.File(path, "r") as f:
    roles = [s.decode() if isinstance(s, bytes) else s for s in f["runs"].attrs["roles"]]
check(roles == documented_roles, f"/runs roles are the documented ones: {roles}")
# Flat: 1 point + 7 skipped (4 nprobe x 2 k_factor); IVF16: 8 points, nprobe 32 skipped
check(len(runs) == 16, f"16 rows, got {len(runs)}")

def s(x):
    return x.decode() if isinstance(x, bytes) else x

status = [s(x) for x in runs["status"]]
ok = runs[[x == "ok" for x in status]]
check(len(ok) == 4, f"4 points ran (Flat + IVF16 at nprobe 1, 4, 16): {status}")
flat = ok[[s(x) == "Flat" for x in ok["factory"]]][0]
check(flat["recall_at_10"] == 1.0 and flat["recall1_at_1"] == 1.0, "Flat recall is 1.0")
full = ok[(ok["nprobe"] == 16)][0]
check(full["recall_at_10"] == 1.0, "IVF16 with nprobe 16 recall is 1.0")
check(np.all(ok["qps"] > 0) and np.all(ok["index_bytes"] > 0), "qps and index_bytes positive")
check(any(x.startswith("skipped: nprobe > nlist") for x in status), "nprobe > nlist skipped")
# /blend: RVC's blend at each rvc.index_rate, rows pointing into /runs
check(blend is not None, "a /blend table")
if blend is not None:
    check(list(blend.dtype.names) == ["run_row", "index_rate", "blend_err_mean", "blend_err_p95",
                                      "blend_ir_unit"], f"/blend columns: {blend.dtype.names}")
    ok_rows = [i for i, x in enumerate(status) if x == "ok"]
    check(len(blend) == 3 * len(ok_rows), f"/blend: 3 rates x {len(ok_rows)} ok rows, got {len(blend)}")
    check(sorted(set(blend["run_row"].tolist())) == ok_rows, "/blend run_row: each ok row of /runs")
    for rate in [0.75, 0, 0.5]:
        check(sorted(blend["run_row"][blend["index_rate"] == rate].tolist()) == ok_rows,
              f"/blend: every ok row at index_rate {rate}")
    first = blend[blend["index_rate"] == 0.75]
    r = runs[first["run_row"]]
    check(np.array_equal(first["blend_err_mean"], r["blend_err_mean"]) and
          np.array_equal(first["blend_err_p95"], r["blend_err_p95"]) and
          np.array_equal(first["blend_ir_unit"], r["blend_ir_unit"]),
          "the first index_rate's /blend values are the /runs columns")
    zero = blend[blend["index_rate"] == 0]
    check(np.all(zero["blend_err_mean"] == 0) and np.all(zero["blend_err_p95"] == 0),
          "index_rate 0: no blend error (f = q)")
    half = blend[blend["index_rate"] == 0.5]
    check(np.array_equal(half["run_row"], first["run_row"]) and
          np.all(half["blend_err_mean"] <= first["blend_err_mean"]),
          "blend error at index_rate 0.5 <= at 0.75")
    worst = first["run_row"][np.argmax(first["blend_err_mean"])]
    check(s(runs["factory"][worst]) == "IVF16,Flat" and runs["nprobe"][worst] == 1 and
          first["blend_err_mean"].max() > half["blend_err_mean"].max() > 0,
          "IVF16 nprobe 1 has the largest blend error, smaller at 0.5")
    check(np.all(blend["blend_ir_unit"] > 0) and
          all(len(set(blend["blend_ir_unit"][blend["index_rate"] == x].tolist())) == 1
              for x in [0.75, 0, 0.5]),
          "blend_ir_unit: positive, one value per index_rate (same N, exact side only)")
check(float(attrs.get("rvc_index_rate", -1)) == 0.75 and int(attrs.get("rvc_blend_k", 0)) == 8,
      "rvc_index_rate and rvc_blend_k attributes")
check(np.all(np.isnan(runs["audio_s_qexpand"])) and np.all(runs["prep_s"] == 0),
      "no preprocessing: audio_s_qexpand NaN, prep_s 0")
check(np.all(np.isfinite(ok["blend_ir_unit"])) and
      all(np.isnan(x) for x, st in zip(runs["blend_ir_unit"], status) if st != "ok"),
      "blend_ir_unit set on ok rows only")

for key in ["harness_version", "git_commit", "faiss_version", "faiss_version_source",
            "faiss_simd", "cpu_model",
            "cores", "batch_threads", "config_text", "dataset_base", "dataset_hash", "N",
            "d", "nq", "start_time"]:
    check(key in attrs, f"attribute {key}")
src = attrs["faiss_version_source"]
check((src.decode() if isinstance(src, bytes) else src) in ("runtime", "headers"),
      "faiss_version_source")
check(int(attrs["N"]) == 4900 and int(attrs["d"]) == 128 and int(attrs["nq"]) == 100,
      "N, d, nq attributes")
check("name: h5py-check" in s(attrs["config_text"]), "config text stored")
# the machine's state over the run (README: "How things are measured")
check(all(float(attrs.get(k, -2)) >= 0 for k in ["load1_start", "load1_end", "own_cpu_s",
                                                  "steal_s", "steal_share", "others_cpu_s",
                                                  "others_cpu_share"]),
      "machine state attributes read and non-negative")
check(float(attrs["others_cpu_share"]) <= 1 and int(attrs["machine_busy"]) in (0, 1) and
      len(s(attrs["cpu_governor"])) > 0, "others_cpu_share, machine_busy, cpu_governor")

try:
    import pandas as pd  # optional: Debian's python3-pandas
    df = pd.DataFrame(runs)
    check(list(df.columns) == documented, "pandas reads the table")
except ImportError:
    print("note: pandas not installed; h5py read checked")

p = subprocess.run([exe, "plot", path, "-o", os.path.join(work, "plots")],
                   capture_output=True, text=True)
check(p.returncode == 0, f"plot exits 0 ({p.stderr.strip()[-300:]})")
pngs = glob.glob(os.path.join(work, "plots", "*.png"))
svgs = glob.glob(os.path.join(work, "plots", "*.svg"))
check(len(pngs) >= 4 and len(svgs) == len(pngs), f"PNG and SVG plots: {len(pngs)} + {len(svgs)}")
check(not glob.glob(os.path.join(work, "plots", "*.partial*")),
      "no temporary plot or data file left (they are renamed when whole)")
with open(pngs[0], "rb") as f:
    png = f.read()
check(png.startswith(b"\x89PNG") and png.endswith(b"IEND\xaeB`\x82"), "a PNG is whole")

# Bad input: one line naming the file, non-zero exit, no results file.
bad = os.path.join(work, "bad.yaml")
cases = {
    "missing config": (os.path.join(work, "nope.yaml"), None, "nope.yaml"),
    "unknown key": (bad, "name: x\ndataset: {format: tsv, base: a}\nindexes: [{factory: Flat}]\nnprobe: 3\n", "bad.yaml:4"),
    "malformed yaml": (bad, "name: x\nindexes: [\n", "bad.yaml"),
    "missing dataset": (bad, f"name: x\ndataset: {{format: tsv-id, base: {work}/none.tsv}}\nindexes: [{{factory: Flat}}]\n", "none.tsv"),
    "invalid factory": (bad, f"name: x\ndataset: {{format: tsv-id, base: {sift}}}\nindexes:\n  - factory: IVF16,Flaat\n", "bad.yaml:4"),
}
for what, (cfgpath, text, needle) in cases.items():
    if text is not None:
        with open(cfgpath, "w") as f:
            f.write(text + f"output_dir: {work}/bad\n")
    p = subprocess.run([exe, "run", cfgpath], capture_output=True, text=True)
    # informational lines may come first; the error itself is one line
    lines = [l for l in p.stderr.splitlines() if l.startswith("faiss-sweep:")]
    check(p.returncode != 0 and len(lines) == 1 and needle in lines[0],
          f"{what}: one-line error naming '{needle}': {lines}")
check(not os.path.exists(os.path.join(work, "bad")) or not os.listdir(os.path.join(work, "bad")),
      "no results written for bad input")

# An ann-benchmarks file (as its datasets.py writes them): the run takes its
# queries and, after a sample check, its stored ground truth; a wrong stored
# ground truth is caught and recomputed.
data = np.loadtxt(sift, dtype=np.float32)[:, :128]
train, test = data[:4500], data[4500:]
d2 = ((test[:, None, :] - train[None, :, :]) ** 2).sum(-1)
nn = np.argsort(d2, axis=1, kind="stable")[:, :100]
for label, ids in [("good", nn), ("bad", nn[::-1])]:
    ann = os.path.join(work, f"sift-{label}.hdf5")
    with h5py.File(ann, "w") as f:
        f.attrs["type"] = "dense"
        f.attrs["distance"] = "euclidean"
        f.attrs["dimension"] = 128
        f.attrs["point_type"] = "float"
        f.create_dataset("train", data=train)
        f.create_dataset("test", data=test)
        f.create_dataset("neighbors", data=ids.astype(np.int64))
        f.create_dataset("distances", data=np.sqrt(np.take_along_axis(d2, ids, 1)).astype(np.float32))
    cfgp = os.path.join(work, f"ann-{label}.yaml")
    with open(cfgp, "w") as f:
        f.write(f"name: ann-{label}\ndataset: {{format: ann-hdf5, base: {ann}}}\nk: [1, 10]\n"
                f"indexes: [{{factory: Flat}}]\nmeasure: {{repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 0}}\n"
                f"output_dir: {work}/ann\n")
    p = subprocess.run([exe, "run", cfgp, "--no-plot"], capture_output=True, text=True)
    check(p.returncode == 0, f"ann-hdf5 ({label} ground truth) runs: {p.stderr.strip()[-300:]}")
    stored = "from the file" in p.stderr
    check(stored == (label == "good"), f"stored ground truth used only when it is right ({label})")
    check(label == "good" or "disagrees" in p.stderr, f"a wrong stored ground truth is reported ({label})")
    out = sorted(glob.glob(os.path.join(work, "ann", f"ann-{label}-*.h5")))[-1]
    with h5py.File(out, "r") as f:
        r = f["runs"][:]
        check(int(f.attrs["nq"]) == 500 and r["recall_at_10"][0] == 1.0,
              f"ann-hdf5 {label}: test split used as queries, Flat recall 1.0")
        # no rvc: section: none of RVC's columns, no /blend, no rvc_ attributes
        check(not any(c.startswith(("blend_", "audio_s_")) for c in r.dtype.names) and
              "blend" not in f and "rvc_blend_k" not in f.attrs,
              f"ann-hdf5 {label}: no RVC columns without an rvc: section")

# Ctrl-C: the points measured so far are written, marked interrupted.
import signal
import time
cfgp = os.path.join(work, "long.yaml")
with open(cfgp, "w") as f:
    f.write(f"name: long\ndataset: {{format: tsv-id, base: {sift}, holdout: 1000}}\n"
            "indexes: [{factory: 'IVF{nlist},Flat', nlist: [8, 16, 32, 64]}]\n"
            "search: {nprobe: [1, 2, 4, 8]}\nmeasure: {repeats: 5, min_time: 0.05, latency_queries: -1, latency_rounds: 1, interleave_mb: 0}\n"
            f"output_dir: {work}/long\n")
proc = subprocess.Popen([exe, "run", cfgp, "--no-plot"], stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True)
time.sleep(4)
proc.send_signal(signal.SIGINT)
out, err = proc.communicate(timeout=300)
files = glob.glob(os.path.join(work, "long", "long-*.h5"))
check(proc.returncode == 1 and len(files) == 1, f"interrupted run exits 1 and writes its file ({err.strip()[-200:]})")
if files:
    with h5py.File(files[0], "r") as f:
        n = len(f["runs"])
        check(int(f.attrs.get("interrupted", 0)) == 1 and 0 < n < 16,
              f"the file holds the {n} of 16 points measured, marked interrupted")
check(not glob.glob(os.path.join(work, "long", "*.partial")), "no .partial file after Ctrl-C")

print(f"h5py: {passes} passed, {failures} failed")
sys.exit(1 if failures else 0)
