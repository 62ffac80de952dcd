#!/usr/bin/python3
"""The benchmark's gzip file against the same values stored uncompressed, whole process, side by side:
how much rankme's own decoding of deflate chunks (io/hdf5_chunk_reader.hpp) costs over the floor.

    scripts/measure_gzip_decoding.py [--rows 25600] [--cols 2048] [--repeats 5] [--threads 2] [--ranks 1]
                                     [--data-dir /tmp/rankme-bench] [--build-dir build]
                                     [--baseline-binary PATH] [--json OUT]

Files: scripts/bench_data.py's (ensure(): written once, cached), /embeddings of ROWS x COLS float32,
contiguous and gzip level 4 in chunks of (256, COLS), no shuffle. Every repeat runs each file once, in
turn (contiguous, gzip, and the baseline binary on the gzip file when given: another rankme build, e.g.
one that lets HDF5 decompress), as

    mpiexec -n RANKS --bind-to none -x OPENBLAS_NUM_THREADS=THREADS rankme FILE:/embeddings --format jsonl
            --quiet --timings

and the table gives the medians of the whole process's wall time, the ratio to the contiguous file, the
median `decode` phase (--timings: wall seconds spent inflating on rankme's decoding threads, slowest
rank) and the decode rate it implies (uncompressed bytes / decode seconds), and the OpenBLAS kernel
(openblas_get_corename). Other processes sharing the cores slow every file alike: the runs interleave.
"""
import argparse
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from openblas_kernel import openblas_corename  # noqa: E402
from timed_rankme import run_rankme_once  # noqa: E402
sys.dont_write_bytecode = True

import bench_data  # noqa: E402

GZIP_LEVEL = 4


def run_once(binary, path, ranks, threads):
    return run_rankme_once(binary, [f"{path}:/embeddings"], ranks, threads)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=25600)
    parser.add_argument("--cols", type=int, default=2048)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ranks", type=int, default=1)
    parser.add_argument("--data-dir", default="/tmp/rankme-bench")
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    parser.add_argument("--baseline-binary", help="another rankme to run on the gzip file too")
    parser.add_argument("--json", help="write every run's wall time and timings here")
    args = parser.parse_args()

    contiguous, _ = bench_data.ensure(args.data_dir, args.rows, args.cols, None, log=print)
    gzip, _ = bench_data.ensure(args.data_dir, args.rows, args.cols, GZIP_LEVEL, log=print)
    binary = os.path.join(args.build_dir, "rankme")
    cases = [("contiguous", binary, contiguous), ("gzip 4", binary, gzip)]
    if args.baseline_binary:
        cases.append(("gzip 4 (baseline binary)", args.baseline_binary, gzip))
    runs = {name: [] for name, _, _ in cases}
    for repeat in range(args.repeats):
        for name, program, path in cases:
            wall, row = run_once(program, path, args.ranks, args.threads)
            runs[name].append({"wall": wall, "rankme": row["rankme"], "timings": row.get("timings", {})})
            print(f"repeat {repeat + 1}/{args.repeats} {name}: {wall:.3f} s", file=sys.stderr)

    values = {run["rankme"] for name in runs for run in runs[name]}
    bytes_uncompressed = args.rows * args.cols * 4
    floor = statistics.median(run["wall"] for run in runs["contiguous"])
    print(f"\n{args.rows} x {args.cols} float32, {args.ranks} rank(s) x {args.threads} thread(s), "
          f"medians of {args.repeats}, OpenBLAS kernel {openblas_corename()}; RankMe values seen: {sorted(values)}\n")
    print("| file | wall (s) | ratio to contiguous | read (s) | decode (s) | decode GB/s | gram (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, _, _ in cases:
        wall = statistics.median(run["wall"] for run in runs[name])
        phase = {key: statistics.median(run["timings"].get(key, 0.0) for run in runs[name])
                 for key in ("read", "decode", "gram")}
        rate = f"{bytes_uncompressed / phase['decode'] / 1e9:.2f}" if phase["decode"] > 0 else "-"
        print(f"| {name} | {wall:.3f} | {wall / floor:.2f}x | {phase['read']:.3f} | {phase['decode']:.3f} | "
              f"{rate} | {phase['gram']:.3f} |")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"rows": args.rows, "cols": args.cols, "ranks": args.ranks, "threads": args.threads,
                       "kernel": openblas_corename(), "runs": runs}, out, indent=1)


if __name__ == "__main__":
    main()
