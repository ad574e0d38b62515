#!/usr/bin/python3
"""resume_kill.py - a real sweep killed with SIGKILL at random moments, and
during its results writes, continues with `run --resume` to one results
file whose rows (bar timings) are those of an uninterrupted run.

usage: resume_kill.py FAISS_SWEEP SHARED_DATA WORKDIR [SEED]

Rounds, each on a fresh run of one config (SIFT 5k, Flat and four IVF
builds, 20 points) in its own folder:
  - killed at a random moment, its resume killed at another, then resumed
    to the end (three rounds);
  - killed while a checkpoint (a complete HDF5 file) is being written;
  - killed while the final results file is being written;
  - as if killed after the results file is in place but before its
    journal goes (the journal put back).
After each round's last resume: exit 0; one results file, no journal,
checkpoint or .partial left; it reads in h5py; every point exactly once, in
the grid's order, with the settings, recall, sizes and status of the
uninterrupted run; every ok row's raw samples in /timings; provenance says
how many times it was resumed.
"""
import glob
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import h5py

exe, shared, work = sys.argv[1], sys.argv[2], sys.argv[3]
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 13
rng = random.Random(seed)
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    failures += not ok


def config(out):
    path = os.path.join(work, "kill.yaml")
    with open(path, "w") as f:
        f.write(f"""name: kill
dataset: {{format: tsv-id, base: {shared}/sift5k/sift-dataset-5k.tsv, holdout: 200}}
k: [1, 10]
indexes:
  - factory: Flat
  - factory: "IVF{{nlist}},Flat"
    nlist: [16, 32, 64, 128]
search: {{nprobe: [1, 2, 4, 8]}}
measure: {{repeats: 2, warmup: 0, min_time: 0.005, latency_queries: 20, latency_rounds: 2, interleave_mb: 0}}
checkpoint_s: 0
reuse_quantizers: false
cache_dir: {work}/cache
""")
    return path


CFG = config(None)


STRACE = shutil.which("strace")


def start(out, resume=False, slow_rename=False):
    """The sweep into out; slow_rename: under strace, each rename(2) held back
    1 s, so that a results write (before its rename) cannot be missed."""
    cmd = [exe, "run", CFG, "--no-plot", "-q", "-o", out] + (["--resume"] if resume else [])
    if slow_rename:
        cmd = [STRACE, "-f", "-o", "/dev/null", "-e", "trace=rename",
               "-e", "inject=rename:delay_enter=1000000"] + cmd
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def sweep_pids(out):
    """The faiss-sweep processes writing into out (not strace's own)."""
    pids = []
    for d in os.listdir("/proc"):
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if args and args[0] == exe.encode() and out.encode() in args:
            pids.append(int(d))
    return pids


def finish(p):
    _, err = p.communicate(timeout=300)
    return p.returncode, err


def kill_at(p, t):
    """SIGKILL p after t seconds (if it still runs); True when it was killed."""
    try:
        p.wait(timeout=t)
        return False
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return True


def kill_when(p, out, want, traced=False):
    """SIGKILL p's sweep as soon as want(names in out) holds; True when it was
    killed then."""
    while p.poll() is None:
        try:
            names = os.listdir(out)
        except FileNotFoundError:
            names = []
        if want(names):
            for pid in sweep_pids(out) if traced else [p.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            p.wait()
            return True
    return False


KEY = ("family", "factory", "metric", "N", "nlist", "nprobe", "k_factor", "preprocess")


def rows_of(path):
    with h5py.File(path, "r") as f:
        r = f["runs"][:]
        t = f["timings"][:]
        attrs = dict(f.attrs)
    return r, t, attrs


def same_columns(r):
    """The columns an uninterrupted run gives again: all but times (and RSS)."""
    return [c for c in r.dtype.names
            if c in KEY or c.startswith("recall") or c in
            ("missing_ids", "status", "index_bytes", "ndis_per_query", "quantizer_reused",
             "n_clusters")]


# The uninterrupted run.
ref_out = os.path.join(work, "ref")
t0 = time.time()
rc, err = finish(start(ref_out))
T = time.time() - t0
ref = glob.glob(os.path.join(ref_out, "kill-*.h5"))
check(rc == 0 and len(ref) == 1, f"uninterrupted run: exit {rc}, {len(ref)} file ({T:.1f} s) {err[-300:]}")
if failures:
    sys.exit(1)
REF, REF_T, _ = rows_of(ref[0])
n_points = len(REF)
print(f"seed {seed}; {n_points} points; the uninterrupted run took {T:.1f} s", flush=True)


def verify(out, label, min_resumes):
    names = sorted(os.listdir(out))
    h5 = [n for n in names if n.endswith(".h5")]
    left = [n for n in names if n.endswith((".journal", ".partial", ".checkpoint"))]
    check(len(h5) == 1 and not left, f"{label}: one results file and nothing else ({names})")
    if len(h5) != 1:
        return
    try:
        r, t, attrs = rows_of(os.path.join(out, h5[0]))
    except Exception as e:  # noqa: BLE001 - any failure to read is the finding
        check(False, f"{label}: the file reads in h5py ({e})")
        return
    keys = [tuple(x[c] for c in KEY) for x in r]
    check(len(set(keys)) == len(keys), f"{label}: no point twice ({len(keys)} rows)")
    check(keys == [tuple(x[c] for c in KEY) for x in REF],
          f"{label}: every point once, in the grid's order")
    cols = same_columns(REF)
    diff = [c for c in cols if len(r) == len(REF) and
            any(a != b and not (a != a and b != b) for a, b in zip(r[c], REF[c]))]
    check(len(r) == len(REF) and not diff, f"{label}: rows equal the uninterrupted run's bar timings"
          f" ({len(cols)} columns compared; differ: {diff})")
    ok_rows = [i for i, x in enumerate(r) if x["status"] == b"ok"]
    per_row = {i: 0 for i in range(len(r))}
    for x in t:
        per_row[int(x["run_row"])] = per_row.get(int(x["run_row"]), 0) + 1
    check(all(per_row[i] == r["batch_reps"][i] + r["lat_rounds"][i] for i in ok_rows) and
          all(per_row[i] == 0 for i in range(len(r)) if i not in ok_rows) and
          len(t) == sum(per_row.values()) and set(per_row) == set(range(len(r))),
          f"{label}: /timings holds each ok row's samples once ({len(t)} rows)")
    n = int(attrs.get("resumed", 0))
    at = str(attrs.get("resumed_at", b"").decode() if isinstance(attrs.get("resumed_at"), bytes)
             else attrs.get("resumed_at", ""))
    check(n >= min_resumes and len([s for s in at.split(", ") if s]) == n and
          "interrupted" not in attrs,
          f"{label}: resumed {n} times ({at}), not marked interrupted")


def resume_to_end(out, label):
    rc, err = finish(start(out, resume=True))
    check(rc == 0, f"{label}: --resume ends with exit 0 ({err.strip()[-300:]})")


# Killed at random moments, the resume killed again.
for i in range(3):
    out = os.path.join(work, f"random{i}")
    kills = 0
    kills += kill_at(start(out), rng.uniform(0.05, 0.9 * T))
    if glob.glob(os.path.join(out, "*.journal")):
        kills += kill_at(start(out, resume=True), rng.uniform(0.05, 0.6 * T))
    if not glob.glob(os.path.join(out, "*.journal")):
        check(kills == 0 or glob.glob(os.path.join(out, "*.h5")),
              f"random{i}: killed {kills} times, ran to its end anyway")
        continue
    resume_to_end(out, f"random{i} (killed {kills} times)")
    verify(out, f"random{i}", 1)

# During a checkpoint's write, during the final write; then the state a
# kill between the final file's rename and the journal's removal leaves
# (too short a window to hit from here): the file in place and the journal
# of the run, put back.
moments = [
    ("checkpoint write", lambda names: any(n.endswith(".checkpoint.partial") for n in names)),
    ("results write", lambda names: any(n.endswith(".h5.partial") for n in names)),
]
for label, want in moments:
    killed = False
    # Unaided first; a write too quick to catch (an idle machine) is then
    # caught with its rename held back under strace.
    for attempt in range(4):
        traced = attempt == 3 and STRACE is not None
        out = os.path.join(work, label.replace(" ", "-") + str(attempt))
        killed = kill_when(start(out, slow_rename=traced), out, want, traced)
        if killed:
            break
    check(killed, f"killed during the {label} (attempt {attempt + 1}"
          f"{', its rename held back by strace' if traced else ''})")
    if not killed:
        continue
    journal = glob.glob(os.path.join(out, "*.journal"))
    saved = journal and shutil.copy(journal[0], journal[0] + ".saved")
    resume_to_end(out, f"killed during the {label}")
    verify(out, f"killed during the {label}", 1)
    if label == "results write" and saved:
        os.rename(journal[0] + ".saved", journal[0])
        resume_to_end(out, "killed after the rename")
        verify(out, "killed after the rename", 1)
    elif saved:
        os.unlink(journal[0] + ".saved")

print(f"resume_kill: {failures} failed")
sys.exit(1 if failures else 0)
