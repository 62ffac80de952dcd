#!/usr/bin/python3
"""Peak memory of rankme reading an .npy and a deflated .npz, at N = 10^6 and 10^5 rows of 1,024 float32:
the issue's promise that memory does not grow with N, for every format, streaming included.

    scripts/measure_input_memory.py [--work DIR] [--rows 1000000] [--small-rows 100000] [--cols 1024]
                                    [--ranks 1] [--build-dir build] [--keep]

Writes into --work (default /tmp/rankme-input-memory; checks the free space first and removes the files
afterwards unless --keep):
  - embeddings_<N>x<K>.npy: what np.save writes (header, then the rows), streamed block by block;
  - embeddings_<N>x<K>.npz: what np.savez_compressed writes (numpy's own zip writer: zipfile, ZIP_DEFLATED,
    force_zip64, one member x.npy), streamed block by block, so that this script does not hold 4 GB either;
with the values of scripts/bench_data.py (float32 rows of unequal norms, decaying column scales). Then runs
rankme (mpirun -n RANKS, --format jsonl) on each file under scripts/bench_run.py, which reports the peak
RSS of the largest process of the tree (getrusage RUSAGE_CHILDREN ru_maxrss) and the wall time, and prints
a markdown table: the 10^6-row files next to the 10^5-row ones. The page cache is not counted (RSS counts
a process's own pages; pread into rankme's buffers does not map the file).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import bench_data  # noqa: E402  (the benchmark's generator: same values as its HDF5 files)
import numpy as np  # noqa: E402

PYTHON = "/usr/bin/python3"
BLOCK_ROWS = 32768


def write_npy_rows(out, rows, cols):
    # Format 1.0, as np.save picks for any header this short, whatever the data's size.
    np.lib.format.write_array_header_1_0(out, {"descr": "<f4", "fortran_order": False, "shape": (rows, cols)})
    for first in range(0, rows, BLOCK_ROWS):
        count = min(BLOCK_ROWS, rows - first)
        out.write(np.ascontiguousarray(bench_data.block(rows, cols, first, count), dtype="<f4").tobytes())


def write_npy(path, rows, cols):
    with open(path, "wb") as out:
        write_npy_rows(out, rows, cols)


def write_npz(path, rows, cols):
    # numpy.lib.npyio._savez with compress=True, the array written in blocks instead of from memory.
    with zipfile.ZipFile(path, mode="w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        with archive.open("x.npy", "w", force_zip64=True) as member:
            write_npy_rows(member, rows, cols)


def measured_rankme(rankme, ranks, path, timeout):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    mpiexec = shutil.which("mpiexec.openmpi") or "mpiexec"
    command = [PYTHON, os.path.join(HERE, "bench_run.py"), "--timeout", str(timeout), "--",
               mpiexec, "-n", str(ranks), "--oversubscribe", "--bind-to", "none", rankme, path,
               "--format", "jsonl", "--quiet", "--max-memory", "none"]
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    row = None
    for line in result.get("stdout", "").splitlines():
        if line.startswith("{"):
            row = json.loads(line)
    return result, row


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default="/tmp/rankme-input-memory")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small-rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=1024)
    parser.add_argument("--ranks", type=int, default=1)
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--keep", action="store_true", help="keep the files in --work")
    args = parser.parse_args(argv)
    rankme = os.path.join(args.build_dir, "rankme")
    if not os.access(rankme, os.X_OK):
        print(f"measure_input_memory: {rankme} not found: build it first", file=sys.stderr)
        return 2
    os.makedirs(args.work, exist_ok=True)
    # Both formats at both sizes; the .npz is at most about as large as the .npy (float32 noise deflates little).
    needed = 2 * (args.rows + args.small_rows) * args.cols * 4 * 1.05
    free = shutil.disk_usage(args.work).free
    if free < needed * 1.1:
        print(f"measure_input_memory: {args.work} has {free / 1e9:.1f} GB free, {needed / 1e9:.1f} GB needed: "
              "use --work on a larger file system", file=sys.stderr)
        return 2
    rows_out = []
    created = []
    try:
        for rows in (args.small_rows, args.rows):
            for kind, writer in (("npy", write_npy), ("npz", write_npz)):
                path = os.path.join(args.work, f"embeddings_{rows}x{args.cols}.{kind}")
                print(f"writing {path}", file=sys.stderr, flush=True)
                writer(path, rows, args.cols)
                created.append(path)
                print(f"running rankme on {path}", file=sys.stderr, flush=True)
                result, row = measured_rankme(rankme, args.ranks, path, args.timeout)
                status = (row or {}).get("status") or f"failed (exit {result.get('returncode')}): {result.get('stderr', '')[-200:]}"
                if row and row.get("status") == "error":
                    status = "error: " + str(row.get("error"))[:200]
                rows_out.append([f"`.{kind}`" + (" (deflated)" if kind == "npz" else ""), f"{rows:,} x {args.cols:,}",
                                 f"{os.path.getsize(path) / 1e9:.2f}", f"{result['wall']:.1f}",
                                 f"{result['maxrss_kib'] / 1024:,.0f}",
                                 f"{row['rankme']:.6f}" if row and row.get("rankme") is not None else "n/a", status])
                print(rows_out[-1], file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            for path in created:
                try:
                    os.remove(path)
                except OSError:
                    pass
    header = ["file", "N x K (float32)", "file GB", "wall (s)", "peak RSS (MiB)", "RankMe", "status"]
    print(f"rankme peak memory by input size ({args.ranks} rank(s), one BLAS thread, `{rankme}`):\n")
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join(["---"] * len(header)) + " |")
    for row in rows_out:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
