#!/usr/bin/python3
"""LiDAR of one HDF5 dataset with numpy and scipy, as issue 14 and docs/numerics.md define it: the reference
the LiDAR CLI tests (test_cli_lidar.cpp) compare rankme with.

    lidar_numpy_reference.py FILE DATASET [--groups PATH] [--delta D] [--rankme]

A 3-D dataset [n, q, K] is n objects of q views; a 2-D one needs --groups, the 1-D dataset of each row's
object id. Prints LiDAR with 17 significant digits; with --rankme, RankMe of the same rows instead (every view
a row; float64 SVD, eps = 1e-7), the reference for the RankMe that --lidar derives from LiDAR's sums.
"""
import argparse

import h5py
import numpy as np
import scipy.linalg


def lidar(embeddings, ids, delta):
    objects = np.unique(ids)
    means = np.stack([embeddings[ids == i].mean(axis=0) for i in objects])
    views = np.array([(ids == i).sum() for i in objects])
    mu = means.mean(axis=0)
    between = (means - mu).T @ (means - mu) / (len(objects) - 1)
    within = np.zeros((embeddings.shape[1],) * 2)
    for index, i in enumerate(objects):
        centred = embeddings[ids == i] - means[index]
        within += centred.T @ centred
    # Pooled within-object scatter: sum_i (q_i - 1) degrees of freedom, n (q - 1) for equal q.
    within = within / (views - 1).sum() + delta * np.eye(embeddings.shape[1])
    eigenvalues = np.maximum(scipy.linalg.eigh(between, within, eigvals_only=True), 0.0)
    p = eigenvalues / eigenvalues.sum() + 1e-7
    return float(np.exp(-(p * np.log(p)).sum()))


def rankme(embeddings):
    s = np.linalg.svd(embeddings, compute_uv=False)
    p = s / s.sum() + 1e-7
    return float(np.exp(-(p * np.log(p)).sum()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("dataset")
    parser.add_argument("--groups")
    parser.add_argument("--delta", type=float, default=1e-4)
    parser.add_argument("--rankme", action="store_true")
    args = parser.parse_args()
    with h5py.File(args.file, "r") as f:
        data = np.asarray(f[args.dataset][...], dtype=np.float64)
        if data.ndim == 3:
            n, q, k = data.shape
            embeddings, ids = data.reshape(n * q, k), np.repeat(np.arange(n), q)
        else:
            embeddings, ids = data, np.asarray(f[args.groups][...]).reshape(-1)
    print("%.17g" % (rankme(embeddings) if args.rankme else lidar(embeddings, ids, args.delta)))


if __name__ == "__main__":
    main()
