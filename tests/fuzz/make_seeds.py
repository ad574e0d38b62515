#!/usr/bin/env python3
"""Seed inputs for the fuzz targets (tests/fuzz/README.md).

  make_seeds.py small SOURCE_ROOT OUT [MAKE_INDEX]
      the committed corpus (corpus/<target>/): tiny files of each format,
      made here or cut from the project's own files (tests/data,
      tests/answers/baseline.h5); a few KB each.
  make_seeds.py real SOURCE_ROOT SHARED OUT [MAKE_INDEX]
      slices of the real data sets, made at run time (../shared/datasets
      may not be copied into the tree): SIFT rows as TSV and texmex files,
      GloVe words as JSON and text, RVC's .npy features, Fashion-MNIST's
      IDX files (the Debian package), ann-benchmarks files of those rows,
      RVC index files (MAKE_INDEX, the fuzz build's fuzz_make_index), and
      the project's configs and results baseline whole.
Writes OUT/<target>/<name> (real: OUT is emptied first); needs numpy and h5py (Debian's python3).
"""
import gzip, io, json, os, shutil, struct, subprocess, sys, tempfile
import numpy as np
import h5py


def put(out, target, name, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)


def npy_bytes(a, version=None):
    b = io.BytesIO()
    if version is None:
        np.save(b, a)
    else:
        np.lib.format.write_array(b, a, version=version)
    return b.getvalue()


def texmex(rows, dtype):
    out = b""
    for r in rows:
        out += struct.pack("<i", len(r)) + np.asarray(r, dtype=dtype).tobytes()
    return out


def idx_bytes(a, code):
    dt = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    head = struct.pack(">BBBB", 0, 0, code, a.ndim) + b"".join(struct.pack(">I", n) for n in a.shape)
    return head + a.astype(dt).tobytes()


def annb_bytes(train, test, k, distance, dtype):
    d2 = ((test[:, None, :].astype(np.float64) - train[None, :, :]) ** 2).sum(-1)
    nn = np.argsort(d2, axis=1, kind="stable")[:, :k]
    b = io.BytesIO()
    with h5py.File(b, "w") as f:
        f.attrs["distance"] = distance
        f["train"] = train.astype(dtype)
        f["test"] = test.astype(dtype)
        f["neighbors"] = nn.astype(np.int32)
        f["distances"] = np.sqrt(np.take_along_axis(d2, nn, 1)).astype(np.float32)
    return b.getvalue()


def results_cut(path, rows, timings):
    """A results file cut to its first rows (attributes, roles and all)."""
    b = io.BytesIO()
    with h5py.File(path, "r") as src, h5py.File(b, "w") as dst:
        for k, v in src.attrs.items():
            dst.attrs[k] = v
        for name, n in (("runs", rows), ("timings", timings)):
            if name in src:
                t = src[name][:]
                if "run_row" in t.dtype.names:   # rows of the runs kept
                    t = t[t["run_row"] < rows]
                dst[name] = t[:n]
                for k, v in src[name].attrs.items():
                    dst[name].attrs[k] = v
    return b.getvalue()


def vector_seeds(out, tag, x):
    """The same rows in every vector format."""
    x = np.asarray(x, dtype=np.float32)
    put(out, "npy", tag + "-f32.npy", npy_bytes(x))
    put(out, "npy", tag + "-f16-v2.npy", npy_bytes(x.astype(np.float16), (2, 0)))
    put(out, "npy", tag + "-f64-1d-v3.npy", npy_bytes(x[0].astype(np.float64), (3, 0)))
    put(out, "texmex", tag + ".fvecs", texmex(x, "<f4"))
    put(out, "texmex", tag + ".ivecs", texmex(np.rint(x), "<i4"))
    put(out, "texmex", tag + ".bvecs", texmex(np.clip(np.rint(x), 0, 255), "u1"))
    put(out, "tsv", tag + ".tsv", "".join("\t".join("%g" % v for v in r) + "\n" for r in x).encode())
    put(out, "tsv", tag + "-id.tsv",
        "".join("\t".join("%g" % v for v in r) + "\t%d\n" % i for i, r in enumerate(x)).encode())
    words = ["w%d" % i for i in range(len(x))]
    put(out, "glove", tag + ".json",
        json.dumps({w: [float(v) for v in r] for w, r in zip(words, x)}).encode())
    txt = "".join(w + " " + " ".join("%g" % v for v in r) + "\n" for w, r in zip(words, x))
    put(out, "glove", tag + ".txt", txt.encode())
    put(out, "glove", tag + "-w2v.txt", ("%d %d\n" % x.shape + txt).encode())
    put(out, "annb", tag + "-euclidean.hdf5", annb_bytes(x[1:], x[:1], min(2, len(x) - 1),
                                                         "euclidean", np.float32))
    put(out, "annb", tag + "-angular-f64.hdf5", annb_bytes(x[1:], x[:1], 1, "angular", np.float64))


def index_seeds(make_index, words_json, out, tag):
    d = os.path.join(out, "rvc_index")
    os.makedirs(d, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([make_index, words_json, tmp], check=True)
        for name in os.listdir(tmp):
            shutil.move(os.path.join(tmp, name), os.path.join(d, tag + "-" + name))


def small(root, out, make_index):
    x = np.arange(12, dtype=np.float32).reshape(3, 4) * 1.5
    if make_index:   # 78 words of 4 values: IVF2,Flat as RVC makes it
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump({"w%d" % i: [float((i * 7 + j) % 11) for j in range(4)]
                       for i in range(78)}, f)
            f.flush()
            index_seeds(make_index, f.name, out, "small")
    vector_seeds(out, "small", x)
    put(out, "npy", "fortran.npy", npy_bytes(np.asfortranarray(x.T)))
    img = (np.arange(2 * 3 * 3) * 14 % 256).reshape(2, 3, 3)
    put(out, "idx", "small-idx3-ubyte", idx_bytes(img, 0x08))
    put(out, "idx", "small-idx3-ubyte.gz", gzip.compress(idx_bytes(img, 0x08), mtime=0))
    put(out, "idx", "small-idx1-ubyte", idx_bytes(np.arange(6), 0x08))
    put(out, "idx", "small-f64.idx", idx_bytes(x, 0x0E))
    put(out, "idx", "small-i16.idx", idx_bytes(x, 0x0B))
    for name in ("ragged.tsv", "nan.tsv", "blank-inside.tsv"):
        shutil.copy(os.path.join(root, "tests/data/dataset", name), os.path.join(out, "tsv", name))
    for name in ("glove-escapes.json", "glove-ragged.json"):
        shutil.copy(os.path.join(root, "tests/data/dataset", name), os.path.join(out, "glove", name))
    put(out, "config", "minimal.yaml",
        b"dataset: {format: tsv, base: b.tsv}\nindexes:\n  - factory: Flat\n")
    put(out, "config", "grid.yaml",
        b"dataset:\n  format: fvecs\n  base: b.fvecs\n  sizes: [100, 1000]\nk: [1, 10]\n"
        b"metrics: [l2, cosine]\nindexes:\n  - factory: \"IVF{nlist},Flat\"\n"
        b"    nlist: {sqrt: [1, 2]}\n    nprobe: {rule: all}\n  - &a {factory: Flat}\n"
        b"  - *a\nmeasure: {repeats: 1, threads: 1}\n")
    put(out, "results", "baseline-2rows.h5",
        results_cut(os.path.join(root, "tests/answers/baseline.h5"), 2, 4))


def real(root, shared, out, make_index):
    shutil.rmtree(out, ignore_errors=True)
    sift = np.loadtxt(os.path.join(shared, "sift5k/sift-dataset-5k.tsv"), max_rows=6)[:, :128]
    vector_seeds(out, "sift", sift)
    with open(os.path.join(shared, "glove50-5k/glove-50d-5k.json")) as f:
        glove = json.load(f)
    words = list(glove)[:5]
    vector_seeds(out, "glove", [glove[w] for w in words])
    put(out, "glove", "glove-words.json", json.dumps({w: glove[w] for w in words}).encode())
    put(out, "glove", "glove-words.txt",
        "".join(w + " " + " ".join(map(str, glove[w])) + "\n" for w in words).encode())
    for sub in ("3_feature256", "3_feature768"):
        feat = np.load(os.path.join(shared, "rvc-mute", sub, "mute.npy"))
        put(out, "npy", "mute-%s-3rows.npy" % sub, npy_bytes(feat[:3]))
        with open(os.path.join(shared, "rvc-mute", sub, "mute.npy"), "rb") as f:
            put(out, "npy", "mute-%s-cut.npy" % sub, f.read(4096))  # RVC's header, data cut
    for q in ("sift-query-3.tsv",):
        shutil.copy(os.path.join(shared, "sift5k", q), os.path.join(out, "tsv", q))
    mnist = "/usr/share/datasets/fashion-mnist"
    if os.path.isdir(mnist):
        with gzip.open(os.path.join(mnist, "t10k-images-idx3-ubyte.gz")) as f:
            head = f.read(16 + 2 * 784)
        img = np.frombuffer(head[16:], dtype=np.uint8).reshape(2, 28, 28)
        put(out, "idx", "fashion-images-2.idx", idx_bytes(img, 0x08))
        put(out, "idx", "fashion-images-2.idx.gz", gzip.compress(idx_bytes(img, 0x08), mtime=0))
        with gzip.open(os.path.join(mnist, "t10k-labels-idx1-ubyte.gz")) as f:
            lab = np.frombuffer(f.read(8 + 32)[8:], dtype=np.uint8)
        put(out, "idx", "fashion-labels-32.idx", idx_bytes(lab, 0x08))
    if make_index:
        index_seeds(make_index, os.path.join(shared, "glove50-5k/glove-50d-5k.json"), out, "glove")
    os.makedirs(os.path.join(out, "config"), exist_ok=True)
    for d in ("configs", "tests/data/config", "tests/answers"):
        for name in sorted(os.listdir(os.path.join(root, d))):
            if name.endswith(".yaml"):
                shutil.copy(os.path.join(root, d, name),
                            os.path.join(out, "config", d.replace("/", "-") + "-" + name))
    os.makedirs(os.path.join(out, "results"), exist_ok=True)
    shutil.copy(os.path.join(root, "tests/answers/baseline.h5"),
                os.path.join(out, "results", "baseline.h5"))


if __name__ == "__main__":
    if len(sys.argv) in (4, 5) and sys.argv[1] == "small":
        small(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) == 5 else None)
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "real":
        real(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) == 6 else None)
    else:
        sys.exit(__doc__)
