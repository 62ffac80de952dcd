#!/usr/bin/python3
"""TSQR against the Gram route in double precision, whole process, side by side in one run.

For each benchmark file (scripts/bench_data.py's float32 /embeddings, made when missing) and each layout
(ranks x BLAS threads), runs `rankme --method tsqr` and `rankme --precision double` alternately, RUNS
times each, and prints the medians of the wall time of the whole process (mpiexec included), their ratio,
the min-max spread (the machine may be shared: a wide spread says the figures are noisy), the OpenBLAS
kernel, and with --reference each route's RankMe error against numpy's float64 SVD of the same values.

Usage: scripts/measure_tsqr.py [--rankme build/rankme] [--runs 3] [--rows 25600,100000] [--cols 2048]
                               [--layouts 1x2,2x1] [--reference] [--dir /tmp/rankme-bench]
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_data  # noqa: E402

ROUTES = {"tsqr": ["--method", "tsqr"], "gram": ["--precision", "double"]}


def openblas_kernel():
    """The kernel OpenBLAS picks in this environment (the library rankme links, through Debian's alternative)."""
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
        try:
            library = ctypes.CDLL(name)
        except (OSError, TypeError):
            continue
        library.openblas_get_corename.restype = ctypes.c_char_p
        return library.openblas_get_corename().decode()
    return "unknown"


def run_once(rankme, path, ranks, threads, route):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    command = ["mpiexec.openmpi", "-n", str(ranks), "--oversubscribe", "--bind-to", "none",
               "-x", f"OPENBLAS_NUM_THREADS={threads}", rankme, f"{path}:/embeddings",
               "--format", "jsonl", "--quiet", "--timings"] + ROUTES[route]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    record = json.loads(result.stdout.splitlines()[0])
    return wall, record


def reference_rankme(path, eps=1e-7):
    import h5py
    import scipy.linalg
    with h5py.File(path, "r") as f:
        z = f["/embeddings"][...].astype(np.float64)
    s = scipy.linalg.svd(z, compute_uv=False, overwrite_a=True, check_finite=False, lapack_driver="gesdd")
    p = s / s.sum() + eps
    return float(np.exp(-(p * np.log(p)).sum()))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rankme", default=os.path.join(os.path.dirname(__file__), "..", "build", "rankme"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", default="25600,100000")
    parser.add_argument("--cols", type=int, default=2048)
    parser.add_argument("--layouts", default="1x2,2x1", help="ranks x threads, comma separated")
    parser.add_argument("--reference", action="store_true", help="RankMe error against numpy's float64 SVD")
    parser.add_argument("--dir", default="/tmp/rankme-bench")
    args = parser.parse_args()

    kernel = openblas_kernel()
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    print(f"OpenBLAS kernel: {kernel}" + (f" (OPENBLAS_CORETYPE={coretype})" if coretype else ""))
    print(f"cpu: {os.cpu_count()} logical; load average before: {os.getloadavg()[0]:.2f}")
    rows_list = [int(r) for r in args.rows.split(",")]
    layouts = [tuple(int(x) for x in layout.split("x")) for layout in args.layouts.split(",")]
    table = []
    for rows in rows_list:
        path, _ = bench_data.ensure(args.dir, rows, args.cols, log=lambda m: print(m, file=sys.stderr))
        reference = reference_rankme(path) if args.reference else None
        for ranks, threads in layouts:
            walls = {route: [] for route in ROUTES}
            phases = {route: [] for route in ROUTES}
            values = {route: set() for route in ROUTES}
            for run in range(args.runs):
                # Alternate which route goes first, so that a slow spell of the machine hits both alike.
                order = list(ROUTES) if run % 2 == 0 else list(reversed(ROUTES))
                for route in order:
                    wall, record = run_once(args.rankme, path, ranks, threads, route)
                    walls[route].append(wall)
                    phases[route].append(record["timings"])
                    values[route].add(record["rankme"])
                    print(f"  {rows}x{args.cols} {ranks}x{threads} {route}: {wall:.2f} s", file=sys.stderr)
            medians = {route: statistics.median(walls[route]) for route in ROUTES}
            row = {"shape": f"{rows} x {args.cols}", "layout": f"{ranks} x {threads}", "medians": medians,
                   "spread": {route: (min(walls[route]), max(walls[route])) for route in ROUTES},
                   "phases": {route: {name: statistics.median(p[name] for p in phases[route])
                                      for name in ("read", "convert", "gram", "reduce", "eigensolve")}
                              for route in ROUTES},
                   "rankme": {route: sorted(values[route]) for route in ROUTES}}
            if reference is not None:
                row["error"] = {route: max(abs(v - reference) / reference for v in values[route]) for route in ROUTES}
                row["reference"] = reference
            table.append(row)

    print(f"\nmedians of {args.runs} runs each, alternating, whole process (mpiexec.openmpi --bind-to none), "
          f"kernel {kernel}, load average after: {os.getloadavg()[0]:.2f}")
    print("| shape (float32) | ranks x threads | Gram double (s) | TSQR (s) | TSQR / Gram | spread Gram | spread TSQR |"
          + (" RankMe error Gram | RankMe error TSQR |" if args.reference else ""))
    print("|---|---|---:|---:|---:|---|---|" + ("---:|---:|" if args.reference else ""))
    for row in table:
        m, s = row["medians"], row["spread"]
        line = (f"| {row['shape']} | {row['layout']} | {m['gram']:.2f} | {m['tsqr']:.2f} | {m['tsqr'] / m['gram']:.2f} "
                f"| {s['gram'][0]:.2f}-{s['gram'][1]:.2f} | {s['tsqr'][0]:.2f}-{s['tsqr'][1]:.2f} |")
        if "error" in row:
            line += f" {row['error']['gram']:.1e} | {row['error']['tsqr']:.1e} |"
        print(line)
    print("\nphase medians (s): read, convert, accumulate (gram/QR), reduce, eigensolve/SVD")
    for row in table:
        for route in ROUTES:
            p = row["phases"][route]
            print(f"  {row['shape']} {row['layout']} {route}: " + ", ".join(f"{name} {p[name]:.2f}" for name in p)
                  + f"; RankMe {row['rankme'][route]}")


if __name__ == "__main__":
    main()
