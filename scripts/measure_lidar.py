#!/usr/bin/python3
"""LiDAR's cost beside RankMe's, whole process, side by side in one run (issue 14's target: `rankme --lidar`
at most 1.5x plain `rankme` on the same file).

    scripts/measure_lidar.py [--objects 3200] [--views 8] [--cols 2048] [--repeats 5] [--threads 2]
                             [--ranks 1] [--data-dir /tmp/rankme-lidar] [--build-dir build] [--json OUT]

The file (written once, cached): /views, float32 [objects, views, cols] (25,600 x 2,048 rows by default:
3,200 objects x 8 views), object centres of spread 1 with views of spread 0.3 around them; /emb, the same
values as a (objects * views) x cols matrix, and /ids, its rows' object ids (int64). Every repeat runs each
case once, in turn:

    plain 3-D     rankme FILE:/views --pool flatten      (RankMe of the same rows, no LiDAR)
    lidar 3-D     rankme FILE:/views --lidar
    ... double    the same two with --precision double (RankMe's products in double too)
    plain 2-D     rankme FILE:/emb
    lidar groups  rankme FILE:/emb --lidar --groups /ids

each as `mpiexec -n RANKS --bind-to none -x OPENBLAS_NUM_THREADS=THREADS rankme ... --format jsonl --quiet
--timings`. The table gives the medians of the whole process's wall time, the ratio of each LiDAR case to
its plain one, the median phases from --timings (LiDAR's block products count in `gram`, its eigensolve in
`metrics`), and the OpenBLAS kernel (openblas_get_corename). Other processes sharing the cores slow every
case alike: the runs interleave.
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


def ensure_file(directory, objects, views, cols):
    path = os.path.join(directory, f"views_{objects}x{views}x{cols}.h5")
    if os.path.exists(path):
        return path
    import h5py
    import numpy as np
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(14)
    centres = rng.standard_normal((objects, 1, cols), dtype=np.float32)
    data = centres + np.float32(0.3) * rng.standard_normal((objects, views, cols), dtype=np.float32)
    partial = path + ".partial"
    with h5py.File(partial, "w") as f:
        f.create_dataset("views", data=data)
        f.create_dataset("emb", data=data.reshape(objects * views, cols))
        f.create_dataset("ids", data=np.repeat(np.arange(objects, dtype=np.int64), views))
    os.replace(partial, path)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=3200)
    parser.add_argument("--views", type=int, default=8)
    parser.add_argument("--cols", type=int, default=2048)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ranks", type=int, default=1)
    parser.add_argument("--data-dir", default="/tmp/rankme-lidar")
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    parser.add_argument("--json", help="write every run's wall time, values and timings here")
    args = parser.parse_args()

    path = ensure_file(args.data_dir, args.objects, args.views, args.cols)
    binary = os.path.join(args.build_dir, "rankme")
    cases = [("plain 3-D", [f"{path}:/views", "--pool", "flatten"]),
             ("lidar 3-D", [f"{path}:/views", "--lidar"]),
             ("plain 3-D double", [f"{path}:/views", "--pool", "flatten", "--precision", "double"]),
             ("lidar 3-D double", [f"{path}:/views", "--lidar", "--precision", "double"]),
             ("plain 2-D", [f"{path}:/emb"]),
             ("lidar groups", [f"{path}:/emb", "--lidar", "--groups", "/ids"])]
    runs = {name: [] for name, _ in cases}
    for repeat in range(args.repeats):
        for name, arguments in cases:
            wall, row = run_rankme_once(binary, arguments, args.ranks, args.threads)
            runs[name].append({"wall": wall, "rankme": row.get("rankme"), "lidar": row.get("lidar"),
                               "precision": row.get("precision"), "timings": row.get("timings", {})})
            print(f"repeat {repeat + 1}/{args.repeats} {name}: {wall:.3f} s", file=sys.stderr)

    plain_of = {"lidar 3-D": "plain 3-D", "lidar 3-D double": "plain 3-D double", "lidar groups": "plain 2-D"}
    rows = args.objects * args.views
    print(f"\n{rows} x {args.cols} float32 ({args.objects} objects x {args.views} views), {args.ranks} rank(s) x "
          f"{args.threads} thread(s), medians of {args.repeats}, OpenBLAS kernel {openblas_corename()}\n")
    print("| case | wall (s) | ratio to plain | gram (s) | eigensolve (s) | metrics (s) | precision | rankme | lidar |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|")
    medians = {name: statistics.median(run["wall"] for run in runs[name]) for name, _ in cases}
    for name, _ in cases:
        phase = {key: statistics.median(run["timings"].get(key, 0.0) for run in runs[name])
                 for key in ("gram", "eigensolve", "metrics")}
        ratio = f"{medians[name] / medians[plain_of[name]]:.2f}x" if name in plain_of else "-"
        last = runs[name][-1]
        lidar = f"{last['lidar']:.4f}" if last["lidar"] is not None else "-"
        print(f"| {name} | {medians[name]:.3f} | {ratio} | {phase['gram']:.3f} | {phase['eigensolve']:.3f} | "
              f"{phase['metrics']:.3f} | {last['precision']} | {last['rankme']:.4f} | {lidar} |")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"objects": args.objects, "views": args.views, "cols": args.cols, "ranks": args.ranks,
                       "threads": args.threads, "kernel": openblas_corename(), "runs": runs}, out, indent=1)


if __name__ == "__main__":
    main()
