#!/usr/bin/python3
"""RankMe error against numpy's float64 SVD per --precision, on h5py-written float32 files of 10 spectra
(8,192 x 512), at 1 and 3 ranks, with auto's choice and its predicted error: the Precision table of docs/numerics.md.

Usage: scripts/measure_precision.py build/rankme     (Debian's python3 with numpy and h5py; mpiexec.openmpi)
"""
import json, subprocess, sys, os
import numpy as np, h5py
rng = np.random.default_rng(11)
n, k = 8192, 512
def make(s, cols=k):
    U, _ = np.linalg.qr(rng.standard_normal((n, cols)))
    V, _ = np.linalg.qr(rng.standard_normal((cols, cols)))
    return ((U * s) @ V.T).astype(np.float32)
def rankme(s, eps=1e-7):
    p = s / s.sum() + eps
    return float(np.exp(-(p * np.log(p)).sum()))
cases = {}
cases["gaussian"] = rng.standard_normal((n, k)).astype(np.float32)
cases["column scales k^-0.5"] = (rng.standard_normal((n, k)) * np.arange(1, k + 1) ** -0.5).astype(np.float32)
cases["column scales k^-1"] = (rng.standard_normal((n, k)) * np.arange(1, k + 1) ** -1.0).astype(np.float32)
cases["power law to 1e-2"] = make(np.logspace(0, -2, k))
cases["power law to 1e-3"] = make(np.logspace(0, -3, k))
cases["power law to 1e-6"] = make(np.logspace(0, -6, k))
s = np.full(k, 1e-4); s[:100] = 1; cases["100 equal over 1e-4"] = make(s)
s = np.full(k, 1e-2); s[:100] = 1; cases["100 equal over 1e-2"] = make(s)
cases["gaussian + offset 3"] = (rng.standard_normal((n, k)) + 3).astype(np.float32)
z = rng.standard_normal((n, k)).astype(np.float32); z[:, k // 2:] = 0; cases["half the columns zero"] = z
import tempfile
path = os.path.join(tempfile.mkdtemp(prefix="rankme-precision-"), "cases.h5")
with h5py.File(path, "w") as f:
    for i, (name, z) in enumerate(cases.items()):
        f.create_dataset(f"/c{i}", data=z)
refs = {f"/c{i}": rankme(np.linalg.svd(z.astype(np.float64), compute_uv=False)) for i, z in enumerate(cases.values())}
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
out = {}
for precision in ("double", "mixed", "auto"):
    for ranks in (1, 3):
        r = subprocess.run(["mpiexec.openmpi", "-n", str(ranks), "--oversubscribe", sys.argv[1], path, "--precision", precision,
                            "--format", "jsonl", "--quiet", "--threads", "1"], capture_output=True, text=True, env=env)
        for line in r.stdout.splitlines():
            d = json.loads(line)
            out[(d["dataset"], precision, ranks)] = d
print("| data (8,192 x 512 float32) | RankMe (SVD) | double | mixed | auto | auto chose | predicted |")
print("|---|---|---|---|---|---|---|")
for i, name in enumerate(cases):
    ds = f"/c{i}"; ref = refs[ds]
    cells = []
    for precision in ("double", "mixed", "auto"):
        errs = [abs(out[(ds, precision, r)]["rankme"] - ref) / ref for r in (1, 3)]
        cells.append(f"{max(errs):.1e}")
    chose = {out[(ds, "auto", r)]["precision"] for r in (1, 3)}; est = max(out[(ds, "auto", r)]["mixed_error_estimate"] or 0 for r in (1, 3))
    print(f"| {name} | {ref:.4f} | " + " | ".join(cells) + f" | {'/'.join(sorted(chose))} | {est:.1e} |")
