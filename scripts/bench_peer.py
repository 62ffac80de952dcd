#!/usr/bin/python3
"""One Python peer of rankme for scripts/bench, run as its own whole process.

    bench_peer.py METHOD FILE DATASET [--threads T]

Loads DATASET (float32) with h5py, computes its singular values by METHOD, and prints one JSON line:
{"method", "rankme", "import": s, "load": s, "compute": s, "values": m}. "compute" is the peer's own
internal time (after the load; a float64 copy, where the method makes one, is part of it).

METHOD is one of
  numpy_svd_f64     numpy.linalg.svd(Z.astype(float64), compute_uv=False)
  torch_svdvals_f32 torch.linalg.svdvals on the float32 matrix
  scipy_svdvals_f32 scipy.linalg.svdvals on the float32 matrix (float32 LAPACK)
  numpy_gram_f32    G = Z.T @ Z in float32, numpy.linalg.eigvalsh(G), s = sqrt(max(eig, 0))
  numpy_gram_f64    Z64 = Z.astype(float64); G = Z64.T @ Z64; eigvalsh; s = sqrt(max(eig, 0))

RankMe from s (descending, the min(N, K) largest): p = s / sum(s) + 1e-7; exp(-sum p log p), in float64.
"""
import argparse
import json
import sys
import time

METHODS = ("numpy_svd_f64", "torch_svdvals_f32", "scipy_svdvals_f32", "numpy_gram_f32", "numpy_gram_f64")
EPS = 1e-7


def rankme_from_singular_values(np, s, count):
    s = np.sort(np.asarray(s, dtype=np.float64))[::-1][:count]
    total = s.sum()
    if total == 0:
        return 0.0
    p = s / total + EPS
    return float(np.exp(-(p * np.log(p)).sum()))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("method", choices=METHODS)
    parser.add_argument("file")
    parser.add_argument("dataset")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (BLAS: environment)")
    args = parser.parse_args()

    start = time.perf_counter()
    import numpy as np
    import h5py
    if args.method.startswith("torch"):
        import torch
        if args.threads:
            torch.set_num_threads(args.threads)
    if args.method.startswith("scipy"):
        import scipy.linalg
    imported = time.perf_counter()

    with h5py.File(args.file, "r") as f:
        z = f[args.dataset][...]
    if z.dtype != np.float32:
        z = z.astype(np.float32)
    loaded = time.perf_counter()

    rows, cols = z.shape
    if args.method == "numpy_svd_f64":
        s = np.linalg.svd(z.astype(np.float64), compute_uv=False)
    elif args.method == "torch_svdvals_f32":
        s = torch.linalg.svdvals(torch.from_numpy(z)).numpy()
    elif args.method == "scipy_svdvals_f32":
        s = scipy.linalg.svdvals(z, check_finite=False)
    elif args.method == "numpy_gram_f32":
        s = np.sqrt(np.maximum(np.linalg.eigvalsh(z.T @ z), 0))
    else:
        z64 = z.astype(np.float64)
        s = np.sqrt(np.maximum(np.linalg.eigvalsh(z64.T @ z64), 0))
    computed = time.perf_counter()

    print(json.dumps({
        "method": args.method,
        "rankme": rankme_from_singular_values(np, s, min(rows, cols)),
        "import": imported - start,
        "load": loaded - imported,
        "compute": computed - loaded,
        "values": int(min(rows, cols)),
        "s_dtype": str(np.asarray(s).dtype),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
